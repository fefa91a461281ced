// Accuracy mode: every input through the device, `infer 1 0` each, outputs kept; top-1 for classifiers, ROC AUC
// of the mean window score for anomaly detection (MLPerf's ad01 rule). Where the firmware can hand back its raw
// int8 output and a host reference interpreter is given, every inference is also checked bit for bit. Firmware that
// cannot (MLPerf's protocol has no raw output: a prebuilt image) has its printed classification values compared with
// the host reference's dequantised outputs to the last digit printed: evidence that the image runs the model named.
import { ModeError, type InferenceMeasurement, type ModeContext, type ModeInput } from "./types.ts";
import { argmax, rocAuc } from "./stats.ts";

export interface AccuracySettings {
  task: "classification" | "anomaly";
  /** Bytes per inference (one window for sliding-window inputs). */
  inputBytes: number;
  /** The host's raw int8 output for the same input bytes, or undefined when no reference is available. */
  hostReference?: (input: Uint8Array) => Uint8Array;
  /** Input indices already stored by an interrupted run (resume): skipped, their results passed in `previous`. */
  previous?: InferenceMeasurement[];
  /** Values each results vector must hold (the model's outputs); a reply of another length is a protocol error. */
  outputs?: number;
  /** The values the device should print for a raw output of the host reference (dequantised), for firmware without
   * raw output. */
  hostOutputs?: (raw: Uint8Array) => number[];
}

export interface AccuracySummary {
  metric: "top1" | "auc";
  value: number;
  count: number;
  /** Inferences whose raw output matched the host reference / were compared. */
  bitExact: { matched: number; compared: number };
  /** Firmware without raw output (classification): inferences whose printed values all lie within one unit of their
   * last printed digit of the host reference's / were compared. Measured in this process only: a resumed run's
   * earlier inferences are not in it. */
  printedAgreement?: { matched: number; compared: number };
}

export async function runAccuracy(ctx: ModeContext, s: AccuracySettings): Promise<AccuracySummary> {
  const results: InferenceMeasurement[] = [...(s.previous ?? [])];
  const done = new Set(results.map((r) => r.inputIndex));
  let matched = results.filter((r) => r.equalsHostReference === true).length;
  let compared = results.filter((r) => r.equalsHostReference !== undefined).length;
  const firstMismatch: string[] = [];
  const printed = { matched: 0, compared: 0 };
  const firstDisagreement: string[] = [];
  let n = 0;
  // A hung board is declared after 10 s plus ten times the slowest inference seen so far (wall time).
  let slowestMs = 0;
  for (const input of ctx.inputs) {
    ctx.signal?.throwIfAborted();
    n++;
    if (done.has(input.index)) continue;
    const windows = splitWindows(input, s.inputBytes);
    let scoreSum = 0;
    let last: { outputs: number[]; raw?: Uint8Array; latencyUs: number } | undefined;
    let equal: boolean | undefined;
    for (const bytes of windows) {
      await ctx.guard(ctx.session.loadInput(bytes));
      const started = Date.now();
      const reply = await ctx.guard(ctx.session.infer(1, 0, 10_000 + 10 * slowestMs, { outputs: s.outputs }));
      slowestMs = Math.max(slowestMs, Date.now() - started);
      const raw = await ctx.guard(ctx.session.outputRaw());
      if (!raw && s.hostReference && s.hostOutputs && s.task === "classification") {
        const host = s.hostOutputs(s.hostReference(bytes));
        printed.compared++;
        if (agreesToPrintedDigit(reply.results, reply.resultSteps, host)) printed.matched++;
        else if (firstDisagreement.length < 3) {
          firstDisagreement.push(`${input.file}: device [${reply.results.join(", ")}] host [${host.map((v) => v.toFixed(6)).join(", ")}]`);
        }
      }
      if (raw && s.hostReference) {
        const host = s.hostReference(bytes);
        const same = raw.length === host.length && raw.every((b, i) => b === host[i]);
        equal = (equal ?? true) && same;
        if (!same && firstMismatch.length < 3) {
          firstMismatch.push(`${input.file}: device ${hex(raw)} host ${hex(host)}`);
        }
      }
      if (s.task === "anomaly") {
        if (reply.results.length < 1) throw new ModeError(`${input.file}: the device printed no anomaly score`);
        scoreSum += reply.results[0]!;
      }
      last = { outputs: reply.results, raw: raw ?? undefined, latencyUs: reply.latencyUs };
    }
    const m: InferenceMeasurement =
      s.task === "anomaly"
        ? {
            inputIndex: input.index,
            file: input.file,
            label: input.label,
            outputs: last!.outputs,
            rawOutput: last!.raw,
            score: scoreSum / windows.length,
            equalsHostReference: equal,
            latencyUs: last!.latencyUs,
          }
        : {
            inputIndex: input.index,
            file: input.file,
            label: input.label,
            outputs: last!.outputs,
            rawOutput: last!.raw,
            predicted: argmax(last!.outputs),
            score: Math.max(...last!.outputs),
            equalsHostReference: equal,
            latencyUs: last!.latencyUs,
          };
    if (equal !== undefined) {
      compared++;
      if (equal) matched++;
    }
    ctx.sink.inference(m);
    results.push(m);
    ctx.progress?.(n, ctx.inputs.length, "inputs");
  }
  for (const line of firstMismatch) ctx.log(`not bit-exact with the host reference: ${line}`);
  for (const line of firstDisagreement) ctx.log(`printed outputs differ from the host reference's beyond their last digit: ${line}`);
  const summary = { ...summarise(s.task, results, { matched, compared }), ...(printed.compared ? { printedAgreement: printed } : {}) };
  if (!Number.isFinite(summary.value)) {
    // A figure that cannot be computed is not a result: the run fails, its inferences stay stored.
    const kinds = new Set(results.map((r) => r.label));
    throw new ModeError(
      results.length === 0
        ? "no input was measured"
        : `${summary.metric} is undefined over the ${results.length} inputs measured (${kinds.size === 1 ? `all of class ${[...kinds][0]}` : "no usable figure"}): measure more inputs`,
    );
  }
  return summary;
}

export function summarise(task: AccuracySettings["task"], results: InferenceMeasurement[], bitExact: AccuracySummary["bitExact"]): AccuracySummary {
  if (task === "anomaly") {
    return {
      metric: "auc",
      value: rocAuc(
        results.map((r) => r.score),
        results.map((r) => r.label),
      ),
      count: results.length,
      bitExact,
    };
  }
  const correct = results.filter((r) => r.predicted === r.label).length;
  return { metric: "top1", value: results.length ? correct / results.length : Number.NaN, count: results.length, bitExact };
}

/** Each printed value within one unit of its last printed digit of the host's (a device may round or cut to that
 * digit), with room for the device's float32 arithmetic (2^-20 of the value). */
export function agreesToPrintedDigit(printed: number[], steps: number[], host: number[]): boolean {
  if (printed.length !== host.length || steps.length !== printed.length) return false;
  return printed.every((v, i) => Math.abs(v - host[i]!) <= steps[i]! + 2 ** -20 * Math.max(1, Math.abs(host[i]!)));
}

/** The inference-sized pieces of one input: the whole input, or its sliding windows (MLPerf ad01). */
export function splitWindows(input: ModeInput, inputBytes: number): Uint8Array[] {
  const bytes = input.bytes();
  if (!input.window) {
    if (bytes.length !== inputBytes) {
      throw new ModeError(`${input.file}: ${bytes.length} bytes, the model takes ${inputBytes}`);
    }
    return [bytes];
  }
  const { bytes: size, stride } = input.window;
  if (size !== inputBytes) throw new ModeError(`${input.file}: window of ${size} bytes, the model takes ${inputBytes}`);
  if (bytes.length < size) throw new ModeError(`${input.file}: ${bytes.length} bytes, shorter than one ${size}-byte window`);
  const out: Uint8Array[] = [];
  for (let off = 0; off + size <= bytes.length; off += stride) out.push(bytes.subarray(off, off + size));
  return out;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.subarray(0, 16)).toString("hex") + (b.length > 16 ? "..." : "");
}

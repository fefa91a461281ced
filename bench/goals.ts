// Where tinyrig's kernels stand against issue 14's speed goals, every figure measured in this run except CMSIS-NN's
// and X-CUBE-AI's (cmsis-nn-anchors.ts: measured by us on the same layers and emulated CPUs; X-CUBE-AI: published):
//   npx tsx bench/goals.ts [--mlperf <checkout of github.com/mlcommons/tiny>] [--no-inference]
// 1. Per layer of tinyrig's four reference models (bench/model-layers.ts), on mps2-an386 (Cortex-M4, SMLAD set) and
//    mps3-an547 (Cortex-M55, Helium set): reference and optimised kernel instructions (bench/kernels.ts, QEMU plugin),
//    CMSIS-NN beside them; sums per model and per operator.
// 2. Goals, each PASS or FAIL:
//    - M4: instructions per inference of each MLPerf Tiny model at most 0.75x X-CUBE-AI's published cycles. Counted on
//      a whole inference on mps2-an386 (tinyrig run, performance, -icount shift 3: virtual time / 8 ns). With
//      --mlperf, the official .tflite files of the checkout (one synthetic input each); without, tinyrig's models of
//      the same architecture (their committed test data), and ic01 (no tinyrig copy) is not measured.
//    - M4 depthwise at most 3.5 instructions per MAC, every depthwise layer.
//    - the requantisation fast path (firmware/kernels/requant_fast.h) covers every channel's shift of the models.
//    - M55: fewer instructions than CMSIS-NN on every layer the kernel bench measures.
//    - every optimised kernel's output equals its reference kernel's, byte for byte (in the same bench runs).
import { execa } from "execa";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { quantizeMultiplier } from "../harness/interpreter/quantization.ts";
import { loadTflite } from "../harness/tflite/model.ts";
import { Prng } from "../workloads/common/prng.ts";
import { CMSIS_NN_ANCHORS, type CmsisNnAnchor } from "./cmsis-nn-anchors.ts";
import { benchKernels, formatTable, type KernelBenchRow } from "./kernels.ts";
import { BENCH_MODELS, MODEL_LAYERS_HEADER, modelLayers, modelLayersHeader, type ModelLayer } from "./model-layers.ts";

const ROOT = path.resolve(import.meta.dirname, "..");

/** MLPerf Tiny v1.3 closed division, NUCLEO-L4R5ZI (Cortex-M4F, 120 MHz), ST X-CUBE-AI: published latency and cycles. */
const X_CUBE_AI: Record<string, { ms: number; cycles: number }> = {
  kws: { ms: 43.4, cycles: 5.21e6 },
  vww: { ms: 89.4, cycles: 10.73e6 },
  ic: { ms: 165.7, cycles: 19.88e6 },
  ad: { ms: 4.79, cycles: 0.575e6 },
};
const M4_GOAL_FRACTION = 0.75;
const DEPTHWISE_GOAL = 3.5;

/** The official models in a checkout of mlcommons/tiny, and tinyrig's workloads of the same architecture. */
const OFFICIAL: Record<string, { file: string; workload?: string }> = {
  kws: { file: "benchmark/training/keyword_spotting/trained_models/kws_ref_model.tflite", workload: "wake-word" },
  vww: { file: "benchmark/training/visual_wake_words/trained_models/vww_96_int8.tflite", workload: "person-detection" },
  ic: { file: "benchmark/training/image_classification/trained_models/pretrainedResnet_quant.tflite" },
  ad: { file: "benchmark/training/anomaly_detection/trained_models/ad01_int8.tflite", workload: "anomaly-detection" },
};

const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
const perMac = (instr: number, macs: number) => (macs > 0 ? (instr / macs).toFixed(2) : "-");

interface LayerFigures {
  layer: ModelLayer;
  bench: KernelBenchRow;
  cmsis?: CmsisNnAnchor;
}

function kind(l: ModelLayer): string {
  if (l.op === "CONV") return l.flt[1] === 1 && l.flt[2] === 1 ? "conv 1x1" : "conv KxK / 1xN";
  return { DEPTHWISE: "depthwise", FC: "fc", QUANTIZE: "quantize" }[l.op]!;
}

function layerTable(board: string, set: string, rows: LayerFigures[]): string {
  const header = ["layer", "", "MACs", "ref", "i/MAC", set, "i/MAC", "CMSIS-NN", "i/MAC", "CMSIS/tinyrig", "same bits"];
  const body = rows.map(({ layer, bench, cmsis }) => {
    const c = cmsis?.instructions ?? null;
    return [
      layer.name,
      layer.description,
      layer.op === "QUANTIZE" ? "-" : fmtInt(bench.macs),
      fmtInt(bench.refInstructions),
      layer.op === "QUANTIZE" ? "-" : perMac(bench.refInstructions, bench.macs),
      fmtInt(bench.optInstructions),
      layer.op === "QUANTIZE" ? "-" : perMac(bench.optInstructions, bench.macs),
      c === null ? "no kernel" : fmtInt(c),
      c === null || layer.op === "QUANTIZE" ? "-" : perMac(c, bench.macs),
      c === null ? "-" : `${(c / bench.optInstructions).toFixed(2)}x`,
      bench.same ? "yes" : "NO",
    ];
  });
  return [`Per layer, ${board}: reference vs ${set} kernels (measured now) and CMSIS-NN (kernel-anchors.md)`, formatTable(header, body, 2)].join("\n");
}

function sumTable(title: string, set: string, groups: [string, LayerFigures[]][]): string {
  const header = ["", "layers", "MACs", "ref", "i/MAC", set, "i/MAC", "CMSIS-NN", "i/MAC", `${set}, same layers`, "CMSIS/tinyrig"];
  const body = groups.map(([name, rows]) => {
    const macs = rows.reduce((a, r) => a + (r.layer.op === "QUANTIZE" ? 0 : r.bench.macs), 0);
    const ref = rows.reduce((a, r) => a + r.bench.refInstructions, 0);
    const opt = rows.reduce((a, r) => a + r.bench.optInstructions, 0);
    const withCmsis = rows.filter((r) => r.cmsis?.instructions != null);
    const cmsis = withCmsis.reduce((a, r) => a + r.cmsis!.instructions!, 0);
    const cmsisMacs = withCmsis.reduce((a, r) => a + r.bench.macs, 0);
    const optSame = withCmsis.reduce((a, r) => a + r.bench.optInstructions, 0);
    return [
      name,
      String(rows.length),
      fmtInt(macs),
      fmtInt(ref),
      perMac(ref, macs),
      fmtInt(opt),
      perMac(opt, macs),
      withCmsis.length ? fmtInt(cmsis) : "-",
      withCmsis.length ? perMac(cmsis, cmsisMacs) : "-",
      withCmsis.length ? fmtInt(optSame) : "-",
      withCmsis.length ? `${(cmsis / optSame).toFixed(2)}x` : "-",
    ];
  });
  return [title, formatTable(header, body)].join("\n");
}

function groupBy(rows: LayerFigures[], key: (r: LayerFigures) => string): [string, LayerFigures[]][] {
  const m = new Map<string, LayerFigures[]>();
  for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
  return [...m];
}

async function kernelFigures(board: "mps2-an386" | "mps3-an547", set: "dsp" | "mve"): Promise<LayerFigures[]> {
  const bench = await benchKernels(board, set);
  const byName = new Map(bench.rows.map((r) => [r.layer, r]));
  return modelLayers().map((layer) => {
    const row = byName.get(layer.name);
    if (!row) throw new Error(`${board}: the bench firmware measured no layer ${layer.name}`);
    return { layer, bench: row, cmsis: CMSIS_NN_ANCHORS[board][layer.name] };
  });
}

/** Instructions of one inference on mps2-an386: tinyrig run in performance mode, one window of 3 inferences; the
 * median latency is virtual time at 2^3 ns per instruction (the board's icountShift), to the timer's microsecond. */
async function inferenceInstructions(args: string[]): Promise<{ instructions: number; latencyUs: number; command: string }> {
  const db = mkdtempSync(path.join(tmpdir(), "tinyrig-goals-"));
  const argv = ["bin/tinyrig-dev.js", "run", "--board", "mps2-an386", "--mode", "performance", "--windows", "1", "--iterations", "3", ...args];
  try {
    const r = await execa("node", [...argv, "--db", path.join(db, "goals.db"), "--json"], { cwd: ROOT, all: true, reject: false });
    const json = r.stdout.slice(r.stdout.lastIndexOf("\n[") + 1);
    let runs: { status: string; performance?: { medianLatencyUs: number } }[];
    try {
      runs = JSON.parse(json.slice(0, json.lastIndexOf("]") + 1));
    } catch {
      throw new Error(`tinyrig ${argv.slice(1).join(" ")} printed no result (exit ${r.exitCode}):\n${r.all}`);
    }
    const perf = runs[0]?.performance;
    if (r.exitCode !== 0 || runs[0]?.status !== "completed" || !perf) throw new Error(`tinyrig ${argv.slice(1).join(" ")} did not complete:\n${r.all}`);
    return { instructions: (perf.medianLatencyUs * 1000) / 8, latencyUs: perf.medianLatencyUs, command: `node ${argv.join(" ")}` };
  } finally {
    rmSync(db, { recursive: true, force: true });
  }
}

/** A dataset folder of one deterministic random input for a model (instruction counts barely depend on the data). */
function syntheticDataset(modelFile: string): { dir: string; transform: string } {
  const m = loadTflite(new Uint8Array(readFileSync(modelFile)));
  const input = m.tensors[m.inputs[0]!]!,
    output = m.tensors[m.outputs[0]!]!;
  const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-goals-data-"));
  const rng = new Prng(14);
  let bytes: Uint8Array, transform: string;
  if (input.type === "float32") {
    const f = new Float32Array(input.elements).map(() => rng.uniform(-1, 1));
    bytes = new Uint8Array(f.buffer);
    transform = "raw";
  } else {
    bytes = new Uint8Array(input.elements).map(() => rng.int(0, 255));
    transform = "int8";
  }
  writeFileSync(path.join(dir, "input_0000.bin"), bytes);
  writeFileSync(path.join(dir, "y_labels.csv"), `input_0000.bin,${output.elements},0\n`);
  return { dir, transform };
}

/** A model's pointwise (1x1 CONV_2D) output channels, and those whose output is a constant the M4's 1x1 kernel
 * (conv_1x1_s8_dsp.c) requantises once from the bias instead of computing: all-zero weights (pruned) or multiplier 0. */
function constantPointwiseChannels(modelFile: string): { channels: number; constant: number } {
  const m = loadTflite(new Uint8Array(readFileSync(modelFile)));
  let channels = 0,
    constant = 0;
  for (const op of m.operators) {
    if (op.name !== "CONV_2D") continue;
    const [input, weights] = op.inputs.map((t) => m.tensors[t]!);
    const [cout, kh, kw, cin] = weights!.shape;
    if (kh !== 1 || kw !== 1 || !weights!.data) continue;
    const so = m.tensors[op.outputs[0]!]!.quantization?.scale[0] ?? 1;
    const scales = weights!.quantization?.scale ?? [];
    for (let c = 0; c < cout!; c++) {
      channels++;
      const row = weights!.data.subarray(c * cin!, (c + 1) * cin!);
      const sw = scales.length > 1 ? scales[c]! : (scales[0] ?? 0);
      if (row.every((b) => b === 0) || quantizeMultiplier(((input!.quantization?.scale[0] ?? 0) * sw) / so).multiplier === 0) constant++;
    }
  }
  return { channels, constant };
}

/** The channels a model's CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED requantise, and those outside requant_fast.h's
 * fast forms (multiplier 0 at any shift, or shift -31..-2: tr_rq_prepare's conditions, restated). */
function requantCoverage(modelFile: string): { channels: number; slow: number; slowShifts: Set<number> } {
  const m = loadTflite(new Uint8Array(readFileSync(modelFile)));
  let channels = 0,
    slow = 0;
  const slowShifts = new Set<number>();
  for (const op of m.operators) {
    if (!["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"].includes(op.name)) continue;
    const [input, weights] = op.inputs.map((t) => m.tensors[t]!);
    const output = m.tensors[op.outputs[0]!]!;
    const si = input!.quantization?.scale[0] ?? 0,
      so = output.quantization?.scale[0] ?? 1;
    for (const sw of weights!.quantization?.scale ?? []) {
      const q = quantizeMultiplier((si * sw) / so);
      channels++;
      if (q.multiplier !== 0 && (q.shift > -2 || q.shift < -31)) {
        slow++;
        slowShifts.add(q.shift);
      }
    }
  }
  return { channels, slow, slowShifts };
}

const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let mlperf: string | undefined;
  let inference = true;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--mlperf" && args[i + 1]) mlperf = path.resolve(args[++i]!);
    else if (args[i] === "--no-inference") inference = false;
    else {
      console.error("usage: npx tsx bench/goals.ts [--mlperf <checkout of github.com/mlcommons/tiny>] [--no-inference]");
      process.exit(2);
    }
  }
  if (mlperf) {
    for (const [id, o] of Object.entries(OFFICIAL)) {
      if (!existsSync(path.join(mlperf, o.file))) {
        console.error(`--mlperf ${mlperf}: ${id}'s model ${o.file} is missing (a checkout of github.com/mlcommons/tiny has it)`);
        process.exit(2);
      }
    }
  }
  if (readFileSync(MODEL_LAYERS_HEADER, "utf8") !== modelLayersHeader(modelLayers())) {
    console.error(`${MODEL_LAYERS_HEADER} is stale: npx tsx bench/model-layers.ts --write`);
    process.exit(2);
  }

  console.log("Issue 14's speed goals. tinyrig's figures are measured now: guest instructions counted exactly by tinyrig's QEMU");
  console.log("plugin (qemu-system-arm, emulated boards: instructions, not cycles). CMSIS-NN: bench/cmsis-nn-anchors.ts, transcribed");
  console.log("from ../shared/reference/kernel-anchors.md (measured by us, same layers, CPUs, compiler and counting).");
  const lines: string[] = [];
  const goals: string[] = [];
  const boards = [
    ["mps2-an386", "dsp"],
    ["mps3-an547", "mve"],
  ] as const;
  const figures = new Map<string, LayerFigures[]>();
  for (const [board, set] of boards) {
    const rows = await kernelFigures(board, set);
    figures.set(board, rows);
    lines.push("", layerTable(board, set, rows));
    lines.push(
      "",
      sumTable(
        `Per model, ${board} (sum over the layers above; CMSIS-NN over the layers it has a kernel for)`,
        set,
        groupBy(rows, (r) => r.layer.model),
      ),
    );
    lines.push(
      "",
      sumTable(
        `Per operator, ${board}`,
        set,
        groupBy(rows, (r) => kind(r.layer)),
      ),
    );
  }
  console.log(lines.join("\n"));

  // M4 whole inference against X-CUBE-AI
  console.log("");
  if (inference) {
    const header = ["model", "ran", "instructions/inference", "X-CUBE-AI cycles", "goal (0.75x)", "ratio", "goal"];
    const body: string[][] = [];
    const commands: string[] = [];
    const failures: string[] = [];
    for (const [id, o] of Object.entries(OFFICIAL)) {
      const goal = M4_GOAL_FRACTION * X_CUBE_AI[id]!.cycles;
      let r: Awaited<ReturnType<typeof inferenceInstructions>> | undefined;
      let ran: string;
      let failure: string | undefined;
      if (mlperf) {
        const file = path.join(mlperf, o.file);
        const data = syntheticDataset(file);
        ran = `official ${path.basename(o.file)} (synthetic input)`;
        try {
          r = await inferenceInstructions(["--model", file, "--dataset", data.dir, "--input-transform", data.transform]);
        } catch (e) {
          // e.g. a model tinyrig's runtime cannot run yet: reported, never counted as a figure
          failure = (e as Error).message;
          ran += ": run failed";
        } finally {
          rmSync(data.dir, { recursive: true, force: true });
        }
      } else if (o.workload) {
        r = await inferenceInstructions(["--workload", o.workload]);
        ran = `tinyrig's ${o.workload} (same architecture, not the official .tflite)`;
      } else {
        ran = "no tinyrig copy of this model: pass --mlperf <checkout>";
      }
      if (failure) failures.push(`${id}: ${failure.split("\n").find((l) => l.includes("✗")) ?? failure.split("\n")[0]}`);
      if (r) commands.push(r.command);
      body.push([
        id,
        ran,
        r ? fmtInt(r.instructions) : "not measured",
        fmtInt(X_CUBE_AI[id]!.cycles),
        fmtInt(goal),
        r ? `${(r.instructions / X_CUBE_AI[id]!.cycles).toFixed(2)}x` : "-",
        r ? verdict(r.instructions <= goal) : "FAIL (not measured)",
      ]);
      goals.push(`M4 ${id}: instructions per inference <= 0.75x X-CUBE-AI's ${fmtInt(X_CUBE_AI[id]!.cycles)} cycles: ${body.at(-1)![6]}`);
    }
    console.log("Whole inference on mps2-an386 (Cortex-M4, dsp kernels; virtual time under -icount shift=3 / 8 ns per instruction,");
    console.log("to the device timer's microsecond) against ST X-CUBE-AI on NUCLEO-L4R5ZI (MLPerf Tiny v1.3, published cycles)");
    console.log(formatTable(header, body, 2));
    for (const c of commands) console.log(`  ${c}`);
    if (mlperf) {
      // the 1x1 kernel's shortcut for constant channels is exact but data-dependent: say how much of each model it covers
      const counts = Object.entries(OFFICIAL).map(([id, o]) => [id, constantPointwiseChannels(path.join(mlperf, o.file))] as const);
      console.log(
        `Constant pointwise channels (all-zero weights or multiplier 0; the M4 1x1 kernel requantises their bias once instead of ` +
          `computing them, exactly; -DTR_CONV_1X1_COMPUTE_CONSTANT_CHANNELS turns that off): ` +
          counts.map(([id, c]) => `${id}01 ${c.constant} of ${c.channels}`).join(", "),
      );
    }
    for (const f of failures) console.log(`  failed: ${f.length > 300 ? `${f.slice(0, 300)}...` : f}`);
  } else {
    goals.push("M4 whole inference vs X-CUBE-AI: not measured (--no-inference)");
  }

  // depthwise on the M4
  const dw = figures.get("mps2-an386")!.filter((r) => r.layer.op === "DEPTHWISE");
  const over = dw.filter((r) => r.bench.optInstructions / r.bench.macs > DEPTHWISE_GOAL);
  const dwAll = dw.reduce((a, r) => a + r.bench.optInstructions, 0) / dw.reduce((a, r) => a + r.bench.macs, 0);
  goals.push(
    `M4 depthwise <= ${DEPTHWISE_GOAL} instructions/MAC on every layer: ${verdict(over.length === 0)} (all ${dw.length} layers together ${dwAll.toFixed(2)}; ` +
      `range ${Math.min(...dw.map((r) => r.bench.optInstructions / r.bench.macs)).toFixed(2)}-${Math.max(...dw.map((r) => r.bench.optInstructions / r.bench.macs)).toFixed(2)}` +
      `${over.length ? `; above: ${over.map((r) => r.layer.name).join(", ")}` : ""})`,
  );

  // requantisation coverage
  const files = mlperf
    ? Object.entries(OFFICIAL).map(([id, o]) => [`official ${id}01`, path.join(mlperf, o.file)] as const)
    : Object.entries(BENCH_MODELS).map(([id, w]) => [`tinyrig's ${id}`, path.join(ROOT, "workloads", w, "model.tflite")] as const);
  let slowTotal = 0;
  const parts: string[] = [];
  for (const [name, file] of files) {
    const c = requantCoverage(file);
    slowTotal += c.slow;
    parts.push(`${name}: ${c.slow} of ${c.channels} channels slow${c.slow ? ` (shifts ${[...c.slowShifts].join(", ")})` : ""}`);
  }
  goals.push(
    `requantisation fast path covers every channel's shift: ${verdict(slowTotal === 0)} (${parts.join("; ")}${mlperf ? "" : "; not the official models: pass --mlperf"})`,
  );

  // M55 against CMSIS-NN, per layer
  const m55 = figures.get("mps3-an547")!.filter((r) => r.cmsis?.instructions != null);
  const behind = m55.filter((r) => r.bench.optInstructions >= r.cmsis!.instructions!);
  goals.push(
    `M55 fewer instructions than CMSIS-NN on every layer: ${verdict(behind.length === 0)} (${m55.length - behind.length} of ${m55.length} layers` +
      `${behind.length ? `; CMSIS-NN ahead on ${behind.map((r) => `${r.layer.name} ${(r.cmsis!.instructions! / r.bench.optInstructions).toFixed(2)}x`).join(", ")}` : ""};` +
      ` pooling and softmax are not in the kernel bench)`,
  );

  const different = [...figures].flatMap(([board, rows]) => rows.filter((r) => !r.bench.same).map((r) => `${board} ${r.layer.name}`));
  goals.push(
    `optimised kernels byte for byte equal to the reference on every layer: ${verdict(different.length === 0)}${different.length ? ` (differ: ${different.join(", ")})` : ""}`,
  );

  console.log("");
  console.log("Goals (issue 14, section 3):");
  for (const g of goals) console.log(`  ${g}`);
  if (different.length) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();

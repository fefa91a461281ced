// Where a gate's baseline and candidate runs come from: a bundle (read into a private database), a result database,
// a campaign in the database named by --db, or the baselines recorded there (tinyrig baseline set).
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseBoardText } from "../boards/load.ts";
import { EXIT, TinyrigError } from "../errors.ts";
import { importBundle } from "../store/bundle.ts";
import { ResultStore, type RunRow } from "../store/store.ts";
import { streamResult } from "../store/streams.ts";
import type { MeasuredRun } from "./checks.ts";
import type { RunSource } from "./compare.ts";

/** A --baseline or --candidate that names nothing usable: a usage error (exit 2), found before any comparison. */
export class GateInputError extends TinyrigError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = "GateInputError";
  }
}

export interface OpenSource extends RunSource {
  close(): void;
}

const CAMPAIGN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * `spec`: a bundle file, a database file, or a campaign in `db`; undefined: the baselines recorded in `db` (baseline)
 * or its newest campaign (candidate). A spec that names nothing is a usage error (exit 2), before any comparison.
 */
export async function openSource(spec: string | undefined, db: string, role: "baseline" | "candidate", exclude?: string): Promise<OpenSource> {
  const option = `--${role}`;
  if (spec !== undefined && existsSync(spec) && statSync(spec).isFile()) {
    const kind = fileKind(spec);
    if (kind === "bundle") return fromBundle(spec);
    if (kind === "database") {
      const store = ResultStore.open(spec, { readOnly: true });
      const runs = role === "baseline" ? store.baselineRuns() : store.listRuns();
      if (!runs.length) {
        store.close();
        throw new GateInputError(
          `${option} ${spec}: ${role === "baseline" ? "no baselines recorded in this database (tinyrig baseline set)" : "no runs in this database"}`,
        );
      }
      return fromStore(store, `${path.resolve(spec)}${role === "baseline" ? " (recorded baselines)" : ""}`, runs);
    }
    throw new GateInputError(`${option} ${spec}: neither a tinyrig bundle nor a result database`);
  }
  if (spec !== undefined && !CAMPAIGN.test(spec)) throw new GateInputError(`${option} ${spec}: no such file, and not a campaign id`);
  if (!existsSync(db)) throw new GateInputError(`${option}${spec ? ` ${spec}` : ""}: no result database ${path.resolve(db)} (--db)`);
  const store = ResultStore.open(db, { readOnly: true });
  try {
    if (spec === undefined && role === "baseline") {
      const runs = store.baselineRuns();
      if (!runs.length)
        throw new GateInputError(`no baselines recorded in ${store.file}: record them with tinyrig baseline set <campaign|run ids>, or name a ${option}`);
      return fromStore(store, `${store.file} (recorded baselines)`, runs);
    }
    const campaign = spec ?? store.campaigns().find((c) => c !== exclude);
    if (campaign === undefined) throw new GateInputError(`no campaign in ${store.file} to take as the ${role}: name one with ${option}`);
    const runs = store.listRuns({ campaign });
    if (!runs.length) throw new GateInputError(`${option} ${campaign}: no such file, and no runs of campaign ${campaign} in ${store.file}`);
    return fromStore(store, `campaign ${campaign}`, runs);
  } catch (err) {
    store.close();
    throw err;
  }
}

/** Runs already stored (`run --gate`: the runs just measured). */
export function storedRuns(store: ResultStore, ids: number[], label: string): RunSource {
  return fromStore(store, label, ids.map((id) => store.getRun(id)!).filter(Boolean));
}

async function fromBundle(file: string): Promise<OpenSource> {
  const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-gate-"));
  try {
    const store = ResultStore.open(path.join(dir, "bundle.db"));
    await importBundle(store, file);
    const source = fromStore(store, path.resolve(file), store.listRuns());
    return { ...source, close: () => (source.close(), rmSync(dir, { recursive: true, force: true })) };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function fromStore(store: ResultStore, label: string, runs: RunRow[]): OpenSource {
  return { label, runs, measured: (run) => measuredRun(store, run), close: () => store.close() };
}

/** What the checks read of a stored run. */
export function measuredRun(store: ResultStore, run: RunRow): MeasuredRun {
  const windows = store.windows(run.id);
  const summary = run.summary ?? {};
  const accuracy =
    summary.metric === "top1" || summary.metric === "auc" ? { metric: summary.metric as "top1" | "auc", value: Number(summary.value) } : undefined;
  const bitExact = summary.bitExact as MeasuredRun["bitExact"];
  return {
    emulated: run.boardKind === "emulated" || run.simulated,
    icountShift: icountShift(store, run),
    windows: windows.map((w) => ({ latencyUs: w.latencyUs, iterations: w.iterations, energyPerInferenceUj: w.energyPerInferenceUj })),
    energyKind: windows.find((w) => w.energyKind)?.energyKind ?? null,
    inferences: run.mode === "accuracy" ? store.inferences(run.id).map((i) => ({ inputIndex: i.inputIndex, label: i.label, predicted: i.predicted })) : [],
    accuracy,
    bitExact,
    memory: { flash: run.firmwareBytes?.flash ?? null, ram: run.firmwareBytes?.ram ?? null, arena: run.device.arenaUsedBytes },
    stream: streamOf(store, run),
  };
}

/** A stream run's stored score (sww01), undefined for any other run. */
function streamOf(store: ResultStore, run: RunRow): MeasuredRun["stream"] {
  if (run.summary?.metric !== "sww") return undefined;
  const row = streamResult(store, run.id)?.row;
  if (!row) return undefined;
  return {
    name: row.stream,
    wavSha256: row.wavSha256,
    rules: row.rules,
    truePositives: row.truePositives,
    falseNegatives: row.falseNegatives,
    falsePositives: row.falsePositives,
    dutyCycle: row.dutyCycle,
  };
}

/** The emulator's -icount shift as the run's stored board file says; undefined when it does not parse today. */
function icountShift(store: ResultStore, run: RunRow): number | undefined {
  if (run.boardKind !== "emulated") return undefined;
  try {
    return parseBoardText(store.boardText(run.id), `${run.board}.yaml`).console.emulator?.qemu?.icountShift;
  } catch {
    return undefined;
  }
}

function fileKind(file: string): "bundle" | "database" | "other" {
  const head = Buffer.alloc(16);
  const fd = openSync(file, "r");
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return "bundle";
  return head.toString("latin1") === "SQLite format 3\0" ? "database" : "other";
}

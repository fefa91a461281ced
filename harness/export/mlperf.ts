// An MLPerf Tiny submission tree from stored runs, in memory: which runs qualify (qualify.ts), then the files MLPerf
// Tiny's submission checker and host runner use (../shared/reference/mlperf-submission.md §2, §5, §6, §10). Pure: the
// command loads runs and board files and writes the tree (writer.ts).
import { datasetDirOf } from "../store/dataset-source.ts";
import type { BoardDefinition } from "../boards/schema.ts";
import { median } from "../modes/stats.ts";
import type { InferenceRow, RunRow, WindowRow } from "../store/store.ts";
import type { StreamDetectionRow, StreamRow } from "../store/streams.ts";
import {
  accuracyRule,
  emulation,
  formatMetric,
  MLPERF_BENCHMARKS,
  MLPERF_STREAM_BENCHMARKS,
  runRules,
  streamRunRules,
  type CommittedStream,
  type Division,
  type MlperfBenchmark,
  type MlperfStreamBenchmark,
  type QualifyOptions,
  type Round,
} from "./qualify.ts";

export interface ExportRequest extends QualifyOptions {
  submitter: string;
  round: Round;
}

/** A stored run with its windows (performance, energy) as selection reads it. */
export interface CandidateRun {
  run: RunRow;
  windows: WindowRow[];
  /** A stream run's stored score and detections (harness/store/streams.ts); absent for clip runs. */
  stream?: StoredStreamResult;
}

/** One benchmark of one system, with the runs that give its three tests. */
export interface ExportEntry {
  system: string;
  board: string;
  workload: string;
  benchmark: MlperfBenchmark;
  performance: CandidateRun;
  accuracy: RunRow;
  /** An energy-mode run, or the performance run itself when it measured (or modelled) energy in its windows. */
  energy: CandidateRun | null;
}

export interface StoredStreamResult {
  row: StreamRow;
  detections: StreamDetectionRow[];
}

/** One streaming benchmark of one system: a single run on the scored stream gives everything (MLPerf runs sww once). */
export interface StreamExportEntry {
  system: string;
  board: string;
  workload: string;
  benchmark: MlperfStreamBenchmark;
  run: RunRow;
  stream: StoredStreamResult;
}

export interface ExportPlan {
  entries: ExportEntry[];
  streams: StreamExportEntry[];
  /** Why a workload (or board and workload) is not in the submission. */
  leftOut: string[];
}

/**
 * Per board and MLPerf workload: the newest qualifying performance run, the newest qualifying accuracy run of the
 * same firmware, and energy where a qualifying run has it; for a streaming workload the newest qualifying run on its
 * committed scored stream. `mlperfIds`: workload id -> the runner's model id; `scoredStreams`: streaming workload id ->
 * its scored stream as the manifest commits it.
 */
export function planExport(
  candidates: CandidateRun[],
  mlperfIds: ReadonlyMap<string, string>,
  req: ExportRequest,
  scoredStreams: ReadonlyMap<string, CommittedStream> = new Map(),
): ExportPlan {
  const leftOut: string[] = [];
  const entries: ExportEntry[] = [];
  const streams: StreamExportEntry[] = [];
  const groups = new Map<string, CandidateRun[]>();
  for (const c of candidates) {
    const key = `${c.run.board}\u0000${c.run.workload}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const noBenchmark = new Set<string>();
  for (const [key, runs] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const [board, workload] = key.split("\u0000") as [string, string];
    const modelId = mlperfIds.get(workload);
    const streamBenchmark = modelId ? MLPERF_STREAM_BENCHMARKS[modelId] : undefined;
    if (streamBenchmark?.rounds.includes(req.round)) {
      const judged = [...runs]
        .sort((a, b) => b.run.id - a.run.id)
        .map((c) => ({ c, reasons: streamRunRules(c.run, c.stream?.row, streamBenchmark, scoredStreams.get(workload), req) }));
      const chosen = judged.find((j) => j.reasons.length === 0)?.c;
      if (chosen) streams.push({ system: systemName(board), board, workload, benchmark: streamBenchmark, run: chosen.run, stream: chosen.stream! });
      else
        leftOut.push(
          `${board} ${workload}: left out, no qualifying stream run (${judged.map((j) => `run ${j.c.run.id}: ${j.reasons.join("; ")}`).join(" | ")})`,
        );
      continue;
    }
    const benchmark = modelId ? MLPERF_BENCHMARKS[modelId] : undefined;
    if (!benchmark || !benchmark.rounds.includes(req.round)) {
      if (!noBenchmark.has(workload))
        leftOut.push(`${workload}: left out, MLPerf Tiny ${req.round} has no benchmark for it (model id ${modelId ?? "unknown"})`);
      noBenchmark.add(workload);
      continue;
    }
    const where = `${board} ${workload}`;
    const newestFirst = [...runs].sort((a, b) => b.run.id - a.run.id);
    const judged = newestFirst.map((c) => ({ c, reasons: runRules(c.run, windowSeconds(c.windows), req) }));
    const performance = judged.find((j) => j.c.run.mode === "performance" && j.reasons.length === 0)?.c;
    // Accuracy: of the performance run's firmware (so both measure the same build), over the full test set, and in the
    // closed division at the target.
    const accuracyJudged = judged
      .filter((j) => j.c.run.mode === "accuracy")
      .map((j) => ({ ...j, reasons: [...j.reasons, ...accuracyRule(benchmark, Number(j.c.run.summary?.value), req.division)] }))
      .map((j) =>
        performance && j.c.run.firmwareSha256 !== performance.run.firmwareSha256
          ? { ...j, reasons: [...j.reasons, `firmware ${j.c.run.firmwareSha256?.slice(0, 12) ?? "?"} is not performance run ${performance.run.id}'s`] }
          : j,
      );
    const accuracy = accuracyJudged.find((j) => j.reasons.length === 0)?.c.run;
    if (!performance || !accuracy) {
      const why = [
        performance ? "" : `no qualifying performance run (${explain(judged, "performance")})`,
        accuracy ? "" : `no qualifying accuracy run (${explain(accuracyJudged, "accuracy")})`,
      ].filter(Boolean);
      leftOut.push(`${where}: left out, ${why.join("; ")}`);
      continue;
    }
    const energyRun = judged.find((j) => j.c.run.mode === "energy" && j.reasons.length === 0)?.c;
    const energy = energyRun ?? (hasWindowEnergy(performance) ? performance : null);
    if (!energy) leftOut.push(`${where}: energy left out (no qualifying energy figures); performance and accuracy exported`);
    entries.push({ system: systemName(board), board, workload, benchmark, performance, accuracy, energy });
  }
  return { entries, streams, leftOut };
}

function explain(judged: { c: CandidateRun; reasons: string[] }[], mode: string): string {
  return (
    judged
      .filter((j) => j.c.run.mode === mode)
      .map((j) => `run ${j.c.run.id}: ${j.reasons.join("; ")}`)
      .join(" | ") || `no ${mode} run`
  );
}

/** The device time of each window, s: the device's timestamps where it has them, else latency x iterations. */
export function windowSeconds(windows: WindowRow[]): number[] {
  return windows.map((w) => (Number.isFinite(w.t1Us! - w.t0Us!) ? w.t1Us! - w.t0Us! : w.latencyUs * w.iterations) / 1e6);
}

function hasWindowEnergy(c: CandidateRun): boolean {
  return Number.isFinite(Number(c.run.summary?.medianEnergyPerInferenceUj)) && c.windows.every((w) => w.energyPerInferenceUj !== null);
}

/** A system folder's name: the board's name (lower-case letters, digits, '.', '_', '-', as board names are). */
export function systemName(board: string): string {
  return board;
}

/** What the tree needs beyond the plan: each system's board file, each accuracy run's inferences. */
export interface ExportData {
  boards: ReadonlyMap<string, BoardDefinition>;
  inferences: ReadonlyMap<number, InferenceRow[]>;
}

/** Relative path (under the submission root) -> file text. Folders exist only through their files: none is empty. */
export type FileTree = Map<string, string>;

export function renderSubmission(plan: ExportPlan, data: ExportData, req: ExportRequest): FileTree {
  const files: FileTree = new Map();
  const root = `${req.division}/${req.submitter}`;
  const systems = new Map<string, { board: string; entries: ExportEntry[]; streams: StreamExportEntry[] }>();
  const systemOf = (e: { system: string; board: string }) => {
    const s = systems.get(e.system) ?? { board: e.board, entries: [], streams: [] };
    systems.set(e.system, s);
    return s;
  };
  for (const e of plan.entries) systemOf(e).entries.push(e);
  for (const e of plan.streams) systemOf(e).streams.push(e);
  for (const [system, { board: boardName, entries, streams }] of systems) {
    const board = data.boards.get(boardName);
    if (!board) throw new Error(`no board file for ${boardName}`);
    const runs = [...entries.flatMap((e) => [e.performance.run, e.accuracy]), ...streams.map((e) => e.run)];
    const measured = [...runs, ...entries.flatMap((e) => (e.energy ? [e.energy.run] : []))];
    files.set(`${root}/systems/${system}.json`, JSON.stringify(systemDescription(board, runs, measured, req), null, 2) + "\n");
    for (const e of streams) {
      // MLPerf's checker reads energy/results.txt when the folder exists, else performance/results.txt
      const test = e.stream.row.energyUj !== null ? "energy" : "performance";
      for (const [name, text] of Object.entries(streamFiles(e))) files.set(`${root}/results/${system}/${e.benchmark.folder}/${test}/${name}`, text);
    }
    for (const e of entries) {
      const base = `${root}/results/${system}/${e.benchmark.folder}`;
      const inferences = data.inferences.get(e.accuracy.id);
      if (!inferences) throw new Error(`run ${e.accuracy.id}: its inferences were not loaded`);
      // Windows name their inputs by index; the accuracy run over the same dataset has the files' names.
      const inputs: string[] = [];
      if (e.accuracy.datasetSha256 === e.performance.run.datasetSha256) for (const i of inferences) inputs[i.inputIndex] = i.file;
      for (const [name, text] of Object.entries(performanceFiles(e, inputs))) files.set(`${base}/performance/${name}`, text);
      for (const [name, text] of Object.entries(accuracyFiles(e, inferences))) files.set(`${base}/accuracy/${name}`, text);
      if (e.energy) for (const [name, text] of Object.entries(energyFiles(e.energy, e, inputs))) files.set(`${base}/energy/${name}`, text);
    }
  }
  files.set(`${root}/code/README.md`, codeReadme(plan, req));
  return files;
}

/** What the figures are, for the system notes: emulated (QEMU), virtual time; modelled energy. */
export function emulationNote(board: BoardDefinition, runs: RunRow[]): string | null {
  const emulated = runs.some((r) => emulation(r).emulated);
  const modelled = runs.some((r) => emulation(r).modelled);
  const parts = [
    emulated ? `emulated (${board.console.emulator?.qemu ? "QEMU" : "simulated device"}), virtual time` : "",
    modelled ? "modelled energy" : "",
  ].filter(Boolean);
  return parts.length ? parts.join("; ") : null;
}

/** `runs`: the runs whose firmware and software the notes name; `measured`: every run a figure comes from. */
function systemDescription(board: BoardDefinition, runs: RunRow[], measured: RunRow[], req: ExportRequest): Record<string, string> {
  const distinct = (f: (r: RunRow) => string | null) => [...new Set(runs.map(f).filter((v): v is string => Boolean(v)))].join("; ");
  const note = emulationNote(board, measured);
  const emulated = board.kind === "emulated" || runs.some((r) => emulation(r).emulated);
  const cpu = board.cpu as { arch?: string; core?: string; fpu?: string; clockHz?: number };
  const mem = board.memory as { flash: { size: number }; ram: { size: number } };
  const hardwareNotes = [note ? `${note}.` : "", board.notes ?? "", `Board file sha256 ${board.fileSha256}.`].filter(Boolean).join(" ");
  return {
    Submitter: req.submitter,
    Division: req.division === "closed" ? "Closed" : "Open",
    // Available: hardware anyone can buy. An emulated board is research, development or internal (RDI).
    Status: emulated ? "RDI" : "Available",
    "Board Name": board.title ?? board.name,
    "Board Memory capacity (not including SoC, processor, or accelerator)": "",
    "Board Memory type": "",
    "Board storage capacity": "",
    "Board storage type": "",
    "SoC Name": board.vendor ?? "",
    "SoC Memory capacity (not including processor or accelerator)": "",
    "SoC Memory type": "",
    "SoC storage capacity": "",
    "SoC storage type": "",
    "Processor(s) Name": [cpu.core, cpu.fpu ? `FPU ${cpu.fpu}` : ""].filter(Boolean).join(", "),
    "Processor(s) Frequencies": cpu.clockHz ? `${cpu.clockHz / 1e6} MHz${emulated ? " (emulated clock)" : ""}` : "",
    "Processor memory type and capacity": `RAM ${kib(mem.ram.size)}`,
    "Processor storage type and capacity": `Flash ${kib(mem.flash.size)}`,
    Accelerator: "",
    "Accelerator(s) Frequencies": "",
    "Accelerator memory type and capacity": "",
    "Accelerator storage type and capacity": "",
    "Hardware Notes": hardwareNotes,
    "Inference Framework": distinct((r) => `${r.tinyrigVersion} runtime${r.kernels ? `, ${r.kernels} kernels` : ""}`),
    "Software Libraries": distinct((r) => (r.kernels ? `${r.kernels} kernels` : null)),
    "Operating System": "none (bare metal)",
    "Other Software Stack": "",
    "Software Notes": [
      note ? `${note}.` : "",
      `Firmware sha256 ${distinct((r) => r.firmwareSha256)}.`,
      `Exported from tinyrig runs ${runs.map((r) => r.id).join(", ")}.`,
    ]
      .filter(Boolean)
      .join(" "),
    "Quantization Method": "int8 (TFLite post-training quantisation)",
    "Training framework (open division)": "",
    "ML Model Compiler(s)": "",
    "General Compiler(s)": distinct((r) => r.toolchain),
    "Other Software": "",
    "Training and Quantization Notes": "",
  };
}

function kib(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/** The runner's line prefix, `MMDD.HHMMSS ulp-mlperf: `, from when the run ended (UTC). */
export function runnerPrefix(iso: string | null): string {
  const d = new Date(iso ?? 0);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}.${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())} ulp-mlperf: `;
}

const RULE = "---------------------------------------------------------";

function logHeader(run: RunRow, mode: "a" | "p" | "e"): string[] {
  return [
    `tinyrig ${run.tinyrigVersion}: run ${run.id} (${run.board}, ${run.workload}, ${run.mode}), exported in the MLPerf Tiny host runner's format, mode ${mode}`,
    `Device name retrieved: ${run.device.name ?? "unknown"}`,
    `Device model retrieved: ${run.device.modelId ?? "unknown"}`,
    `Device profile retrieved: ${run.device.profile ?? "unknown"}`,
    `Firmware sha256: ${run.firmwareSha256 ?? "unknown"}; dataset ${run.datasetSource ?? "unknown"} sha256 ${run.datasetSha256 ?? "unknown"}`,
  ];
}

function fileOf(inputs: readonly string[] | undefined, index: number): string {
  return inputs?.[index] ?? `input ${index}`;
}

function performanceFiles(e: ExportEntry, inputs: readonly string[] | undefined): Record<string, string> {
  const { run, windows } = e.performance;
  const prefix = runnerPrefix(run.endedAt);
  const results: string[] = [];
  const log = logHeader(run, "p");
  windows.forEach((w, i) => {
    const seconds = windowSeconds([w])[0]!;
    const throughput = w.iterations / seconds;
    results.push(
      `Performance results for window ${i + 1}`,
      `    # Inferences : ${w.iterations}`,
      `    Runtime: ${seconds} sec.`,
      `    Throughput: ${throughput} inf./sec.`,
    );
    if (seconds > 10) results.push("    Runtime requirements have been met.");
    log.push(`Running inference with ${w.warmup}/${w.iterations} (warmup/measured) iterations on ${fileOf(inputs, w.inputIndex)}`);
    log.push(
      `${prefix}Performance results for window ${i + 1}:`,
      `${prefix}  # Inferences : ${String(w.iterations).padStart(13)}`,
      `${prefix}  Runtime      : ${seconds.toFixed(3).padStart(10)} sec.`,
      `${prefix}  Throughput   : ${throughput.toFixed(3).padStart(10)} inf./sec.`,
    );
  });
  const med = median(windows.map((w) => w.iterations / windowSeconds([w])[0]!));
  results.push(`${prefix}${RULE}`, `${prefix}Median throughput is ${med.toFixed(3).padStart(10)} inf./sec.`, `${prefix}${RULE}`);
  log.push(...results.slice(-3), "Session exported by tinyrig export mlperf");
  const json = windows.map((w) => ({
    file: fileOf(inputs, w.inputIndex),
    mode: "p",
    infer: {
      start_time: w.t0Us,
      end_time: w.t1Us,
      elapsed_time: w.t1Us! - w.t0Us!,
      total_inferences: w.iterations + w.warmup,
      iterations: w.iterations,
      warmups: w.warmup,
      throughput: w.iterations / windowSeconds([w])[0]!,
    },
  }));
  return { "results.txt": lines(results), "log.txt": lines(log), "results.json": JSON.stringify(json, null, 2) + "\n" };
}

function accuracyFiles(e: ExportEntry, inferences: InferenceRow[]): Record<string, string> {
  const run = e.accuracy;
  const prefix = runnerPrefix(run.endedAt);
  const value = Number(run.summary!.value);
  // Only the figure tinyrig measured: the runner also writes the other metric's line (AUC for classifiers, a
  // threshold-scan "Top 1%" for ad), which tinyrig does not compute, so it is not made up here.
  const results = [e.benchmark.metric === "auc" ? `${prefix}AUC = ${value.toFixed(3)}` : `${prefix}Top 1% = ${(value * 100).toFixed(1)}`];
  const log = [
    ...logHeader(run, "a"),
    `Running inference with 0/1 (warmup/measured) iterations on each of ${inferences.length} inputs`,
    `Measured ${formatMetric(e.benchmark, value)}`,
    ...results,
    "Session exported by tinyrig export mlperf",
  ];
  const json = inferences.map((i) => ({
    file: i.file,
    class: i.label,
    mode: "a",
    infer: { results: i.outputs, elapsed_time: i.latencyUs ?? null, iterations: 1, warmups: 0 },
  }));
  return { "results.txt": lines(results), "log.txt": lines(log), "results.json": JSON.stringify(json, null, 2) + "\n" };
}

function energyFiles(c: CandidateRun, e: ExportEntry, inputs: readonly string[] | undefined): Record<string, string> {
  const { run, windows } = c;
  const results = ["Power Edition Output"];
  windows.forEach((w, t) => {
    const seconds = windowSeconds([w])[0]!;
    const totalUj = w.energyUj ?? w.energyPerInferenceUj! * w.iterations;
    results.push(
      `Energy data for trial ${t}`,
      `  Elapsed time  : ${seconds}${seconds < 10 ? "  <<<< below minimum duration" : ""}`,
      `  Inferences    : ${w.iterations}`,
      `  Power         : ${(totalUj / seconds / 1000).toFixed(4)} mW.`,
      `  Total Energy  : ${totalUj.toFixed(3)} uJ`,
      `  Energy/Inf    : ${w.energyPerInferenceUj!.toFixed(3)} uJ/inf`,
    );
  });
  results.push(RULE, `Median energy cost is ${median(windows.map((w) => w.energyPerInferenceUj!)).toFixed(4)} uJ/inf.`, RULE);
  const kind = windows.some((w) => w.energyKind === "modelled") ? "modelled" : "measured";
  const log = [
    ...logHeader(run, "e"),
    `Energy ${kind} by ${windows[0]?.monitor ?? run.settings.meter ?? "unknown monitor"}${run.id === e.performance.run.id ? ", in the performance run's windows" : ""}`,
    ...results,
    "Session exported by tinyrig export mlperf",
  ];
  const json = windows.map((w) => ({
    file: fileOf(inputs, w.inputIndex),
    mode: "e",
    infer: { start_time: w.t0Us, end_time: w.t1Us, elapsed_time: w.t1Us! - w.t0Us!, iterations: w.iterations, warmups: w.warmup },
    energy: { total_uj: w.energyUj, per_inference_uj: w.energyPerInferenceUj, kind: w.energyKind, monitor: w.monitor },
  }));
  return { "results.txt": lines(results), "log.txt": lines(log), "results.json": JSON.stringify(json, null, 2) + "\n" };
}

/** Stream time of one hop, s: MLPerf's frame period (512 samples at 16 kHz). */
const HOP_PERIOD_S = 512 / 16000;

/**
 * A stream run in the runner's energy-mode results (streaming-wakeword.md §8): one trial over the whole stream, then
 * the accuracy, duty-cycle, period and throughput lines the checker reads. Without energy, the same lines with no
 * energy block (performance/). Duty cycle and throughput cover every hop (MLPerf's interface board sees only the
 * first 100 frames, quirk Q2); fixed-point numbers, as the checker's patterns cannot read exponents (Q15).
 */
function streamFiles(e: StreamExportEntry): Record<string, string> {
  const { run } = e;
  const s = e.stream.row;
  const energy = s.energyUj !== null && s.powerMw !== null;
  const results: string[] = [];
  if (energy) {
    results.push(
      "Power Edition Output",
      "Energy data for trial 0",
      `  Elapsed time  : ${s.lengthS}`,
      "  Inferences    : 1",
      `  Power         : ${s.powerMw!.toFixed(4)} mW.`,
      `  Total Energy  : ${s.energyUj!.toFixed(3)} uJ`,
      `  Energy/Inf    : ${s.energyUj!.toFixed(3)} uJ/inf`,
      RULE,
      `Median energy cost is ${s.energyUj!.toFixed(4)} uJ/inf.`,
      RULE,
    );
  }
  results.push(
    `Accuracy: ${s.truePositives} True positives, ${s.falseNegatives} False negatives, ${s.falsePositives} False positives`,
    `Average duty cycle: ${s.dutyCycle.toFixed(6)}`,
    `Average period: ${HOP_PERIOD_S.toFixed(6)} s`,
    `Estimated throughput: ${s.throughputPerS.toFixed(3)} inf./sec.`,
  );
  const log = [
    ...logHeader(run, energy ? "e" : "p"),
    `Stream ${s.stream} (wav sha256 ${s.wavSha256}), ${s.lengthS} s, ${s.hops} hops, ${s.mode} model; ${s.timeBase}`,
    `Scoring: a detection within a window's [start, end + ${s.rules.tpExtensionS} s] is a true positive, the rest debounced for ${s.rules.debounceS} s`,
    `Duty cycle and throughput over all ${s.hops} hops: mean processing ${s.meanProcessingUs.toFixed(1)} us (min ${s.minProcessingUs}, max ${s.maxProcessingUs})`,
    ...(energy ? [`Energy ${s.energyKind ?? "unknown"}${s.energySource ? ` (${s.energySource})` : ""}`] : []),
    ...(s.bitExact ? [`Host check: features ${s.bitExact.features}/${s.bitExact.hops}, outputs ${s.bitExact.outputs}/${s.bitExact.hops} hops bit-exact`] : []),
    ...results,
    "Session exported by tinyrig export mlperf",
  ];
  const json = [
    {
      file: s.stream,
      mode: energy ? "e" : "p",
      infer: { detections: e.stream.detections.map((d) => d.timeS), elapsed_time: s.lengthS * 1e6, iterations: 1, warmups: 0 },
      dutycycle: { duty_cycle: s.dutyCycle, period: HOP_PERIOD_S, processing_time: s.meanProcessingUs / 1e6 },
      ...(energy ? { energy: { total_uj: s.energyUj, power_mw: s.powerMw, kind: s.energyKind, source: s.energySource } } : {}),
    },
  ];
  return { "results.txt": lines(results), "log.txt": lines(log), "results.json": JSON.stringify(json, null, 2) + "\n" };
}

function codeReadme(plan: ExportPlan, req: ExportRequest): string {
  const out = [
    `# How these results were produced`,
    ``,
    `Measured with tinyrig (hardware-in-the-loop TinyML benchmark harness), exported with`,
    `\`tinyrig export mlperf --submitter ${req.submitter} --division ${req.division} --round ${req.round}${req.allowEmulated ? " --allow-emulated" : ""}\`.`,
    ``,
    `To reproduce a result: check out the tinyrig version named below, then on the same board file run`,
    ``,
    "```",
  ];
  for (const e of plan.entries) out.push(reproduceCommand(e));
  for (const e of plan.streams)
    out.push(`./tinyrig run --board ${e.board} --workload ${e.workload} --stream ${e.stream.row.stream} --tp-extension ${e.stream.row.rules.tpExtensionS}`);
  out.push(
    "```",
    "",
    "(performance, accuracy over the full test set, and energy where the board can measure or model it), then this export.",
    "",
    ...markdownTable(
      ["system", "benchmark", "performance run", "accuracy run", "energy run", "tinyrig", "firmware sha256", "dataset"],
      plan.entries.map((e) => {
        const p = e.performance.run;
        return [
          e.system,
          e.benchmark.folder,
          String(p.id),
          String(e.accuracy.id),
          e.energy ? String(e.energy.run.id) : "none",
          p.tinyrigVersion,
          p.firmwareSha256 ?? "?",
          `${e.accuracy.datasetSource} ${e.accuracy.datasetSha256}`,
        ];
      }),
    ),
  );
  if (plan.streams.length) {
    out.push(
      "",
      "Streaming benchmarks (one run on the scored stream gives accuracy, duty cycle, throughput and energy):",
      "",
      ...markdownTable(
        ["system", "benchmark", "run", "stream", "stream sha256", "TP", "FN", "FP", "tinyrig", "firmware sha256"],
        plan.streams.map((e) => {
          const s = e.stream.row;
          return [
            e.system,
            e.benchmark.folder,
            String(e.run.id),
            s.stream,
            s.wavSha256,
            ...[s.truePositives, s.falseNegatives, s.falsePositives].map(String),
            e.run.tinyrigVersion,
            e.run.firmwareSha256 ?? "?",
          ];
        }),
      ),
    );
  }
  if (plan.leftOut.length) out.push("", "Left out:", "", ...plan.leftOut.map((l) => `- ${l}`));
  return lines(out);
}

/** The run command that measures the same way: the board, the workload, the stored window length, the dataset. */
function reproduceCommand(e: ExportEntry): string {
  const seconds = Number(e.performance.run.settings.minWindowSeconds);
  const dataset = [e.performance.run, e.accuracy].map((r) => datasetDirOf(r.datasetSource)).find((d) => d !== undefined);
  return `./tinyrig run --board ${e.board} --workload ${e.workload} --windows 5 --min-window-seconds ${Number.isFinite(seconds) ? seconds : 10}${dataset ? ` --dataset ${dataset}` : ""}`;
}

function markdownTable(header: string[], rows: string[][]): string[] {
  return [header, header.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`);
}

function lines(ls: string[]): string {
  return ls.join("\n") + "\n";
}

export type { Division, Round };

// The leaderboard's data, read once from the store: systems (MLPerf Tiny's row: board, processor, clock,
// framework/kernels, model variant, emulated or physical) with a headline cell per workload and metric, published
// results beside them, every run per board, and latency per campaign for the trends.
//
// Headline rule: a cell holds the newest run of that system and workload whose validity class is "headline"
// (harness/store/validity.ts); partial, exploratory and failed runs appear only on the board pages, marked.
import { createHash } from "node:crypto";
import { parse as parseYaml } from "yaml";
import type { RunRow } from "../store/store.ts";
import type { ResultStore } from "../store/store.ts";
import { publishedResults, type PublishedRow } from "../store/published.ts";
import { DEFAULT_GATE_RULES } from "../gate/rules.ts";
import { campaignTrend } from "../report/trend.ts";
import { boardFiles, inferenceStats, runProvenance, windowsByRun, type InferenceStats, type RunProvenance, type SiteWindow } from "../store/site-data.ts";
import type { Workload } from "../workloads/registry.ts";

export type Metric = "latency" | "energy" | "accuracy";
export const METRICS: { id: Metric; title: string }[] = [
  { id: "latency", title: "latency (ms)" },
  { id: "energy", title: "energy (µJ/inf.)" },
  { id: "accuracy", title: "accuracy" },
];

export const EMULATED_QEMU = "emulated (QEMU), virtual time";
export const EMULATED_PTY = "emulated device behind a serial port, its time";
/** An accuracy figure from an emulated board: the outputs are the firmware's, no time is in it. */
export const EMULATED_OUTPUTS = "emulated (QEMU) device's outputs";
export const MODELLED_ENERGY = "modelled energy";
export const PUBLISHED = "published, not measured here";

export interface Cell {
  /** The figure in its unit (ms, µJ, accuracy as a fraction of 1 or AUC). */
  value: number;
  text: string;
  /** What the figure is not: "emulated (QEMU), virtual time", "modelled energy", "published, not measured here". */
  marks: string[];
  runId?: number;
}

export interface WorkloadGroup {
  /** tinyrig's workload id, or the MLPerf benchmark name of a published result tinyrig has no workload for. */
  id: string;
  mlperf: string | null;
  slug: string;
}

export interface SystemRow {
  key: string;
  source: "measured" | "published";
  board: string;
  /** The board's page (measured systems). */
  boardSlug: string | null;
  processor: string;
  clock: string;
  framework: string;
  variant: string;
  kind: "emulated" | "physical";
  kindLabel: string;
  family: string;
  division: string;
  /** Published rows: who submitted it and from which file and line. */
  note: string | null;
  cells: Map<string, Partial<Record<Metric, Cell>>>;
  /** Per workload, the measured model's size and MACs (measured systems, from the workload row the run stored). */
  model: Map<string, { bytes: number; macs: number | null }>;
}

export interface BoardInfo {
  name: string;
  slug: string;
  title: string;
  vendor: string;
  processor: string;
  clock: string;
  kind: "emulated" | "physical";
  family: string;
  fileSha256s: string[];
  runs: RunRow[];
}

export interface TrendPoint {
  workload: string;
  system: string;
  campaign: string;
  /** The campaign's place in time: the order of its first run. */
  order: number;
  ms: number;
  runId: number;
  validity: string;
  emulated: boolean;
  /** What the regression gate's rules found regressed against the campaign before (harness/report/trend.ts); empty:
   * nothing, or not judged (a run that is not a valid, comparable result). */
  regressions: string[];
}

export interface SiteModel {
  dbFile: string;
  groups: WorkloadGroup[];
  systems: SystemRow[];
  boards: BoardInfo[];
  published: PublishedRow[];
  trends: TrendPoint[];
  /** Completed runs without a campaign, which the trends leave out. */
  runsWithoutCampaign: number;
  windows: Map<number, SiteWindow[]>;
  inferences: Map<number, InferenceStats>;
  provenance: Map<number, RunProvenance>;
}

/** MLPerf Tiny's benchmark names (ad01, ic01, ic02, kws01, vww01, sww01). */
const MLPERF_BENCHMARK = /^(ad|ic|kws|vww|sww)\d+$/;

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** A file name for any text: safe names stay as they are, anything else is made safe and told apart by a hash. */
export function slug(name: string): string {
  if (/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name)) return name;
  const safe = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 48);
  return `${safe || "x"}-${createHash("sha256").update(name).digest("hex").slice(0, 10)}`;
}

/** A board's family: its name up to the first separator (mps2-an386 -> mps2, NUCLEO_L4R5ZI-P -> nucleo). */
export function family(board: string): string {
  return board.toLowerCase().split(/[-_ ./]/)[0] || board.toLowerCase();
}

export function emulationLabel(r: Pick<RunRow, "boardKind" | "simulated">): string | null {
  if (r.boardKind === "emulated") return EMULATED_QEMU;
  return r.simulated ? EMULATED_PTY : null;
}

/** How a run's figures are marked: accuracy from an emulator is its outputs, anything timed is its time. */
export function runMarks(r: Pick<RunRow, "boardKind" | "simulated" | "mode" | "modelled">): string[] {
  const emulated = emulationLabel(r);
  const marks = emulated ? [r.mode === "accuracy" ? EMULATED_OUTPUTS : emulated] : [];
  return r.modelled ? [...marks, MODELLED_ENERGY] : marks;
}

interface BoardFacts {
  title: string;
  vendor: string;
  processor: string;
  clock: string;
}

/** What the site shows of a board file (as the run stored it); a file it cannot read says so instead of failing. */
function boardFacts(yaml: string | undefined, name: string): BoardFacts {
  let doc: Record<string, unknown> = {};
  try {
    const parsed = yaml === undefined ? undefined : parseYaml(yaml);
    if (parsed && typeof parsed === "object") doc = parsed as Record<string, unknown>;
  } catch {
    // an unreadable stored file: the facts below say "unknown"
  }
  const cpu = (doc.cpu ?? {}) as Record<string, unknown>;
  const hz = num(cpu.clockHz);
  return {
    title: typeof doc.title === "string" ? doc.title : name,
    vendor: typeof doc.vendor === "string" ? doc.vendor : "",
    processor: [cpu.core, cpu.fpu && `FPU ${String(cpu.fpu)}`].filter((x) => typeof x === "string" && x).join(", ") || String(cpu.arch ?? "unknown"),
    clock: hz ? `${(hz / 1e6).toLocaleString("en", { maximumFractionDigits: 3 })} MHz` : "unknown",
  };
}

function accuracyCell(metric: string, value: number, marks: string[], runId?: number): Cell {
  return { value, text: metric === "auc" ? `AUC ${value.toFixed(4)}` : `${(value * 100).toFixed(2)} %`, marks, runId };
}

export function buildModel(store: ResultStore, workloads: Workload[]): SiteModel {
  const runs = store.listRuns();
  const provenance = runProvenance(store);
  const files = new Map(boardFiles(store).map((b) => [b.sha256, b]));
  const facts = new Map<string, BoardFacts>();
  const factsOf = (r: RunRow) => {
    const sha = provenance.get(r.id)?.boardSha256 ?? "";
    let f = facts.get(sha);
    if (!f) facts.set(sha, (f = boardFacts(files.get(sha)?.yaml, r.board)));
    return f;
  };

  // Boards: every run, newest first (listRuns' order); facts from the newest run's board file.
  const boards = new Map<string, BoardInfo>();
  for (const r of runs) {
    let b = boards.get(r.board);
    if (!b) {
      const f = factsOf(r);
      boards.set(r.board, (b = { name: r.board, slug: slug(r.board), ...f, kind: r.boardKind, family: family(r.board), fileSha256s: [], runs: [] }));
    }
    const sha = provenance.get(r.id)?.boardSha256;
    if (sha && !b.fileSha256s.includes(sha)) b.fileSha256s.push(sha);
    b.runs.push(r);
  }

  // Systems and their headline cells.
  const systems = new Map<string, SystemRow>();
  // the model id a workload's firmware reports names an MLPerf Tiny benchmark only for MLPerf's own (vibration's vib01 does not)
  const mlperfOf = new Map(workloads.map((w) => [w.id, MLPERF_BENCHMARK.test(w.manifest.mlperfModelId) ? w.manifest.mlperfModelId : null]));
  const groups = new Map<string, WorkloadGroup>();
  const group = (id: string, mlperf: string | null) => {
    if (!groups.has(id)) groups.set(id, { id, mlperf, slug: slug(id) });
    return id;
  };
  const headlines = runs.filter((r) => r.status === "completed" && r.validity.class === "headline").sort((a, b) => a.id - b.id);
  for (const r of runs.filter((x) => x.status === "completed" && x.summary?.metric !== "sww")) {
    const emulated = emulationLabel(r);
    const key = `${r.board}\0${r.kernels ?? ""}\0${r.variant ?? ""}\0${emulated ?? ""}`;
    if (systems.has(key)) continue;
    const f = factsOf(r);
    systems.set(key, {
      key,
      source: "measured",
      board: r.board,
      boardSlug: slug(r.board),
      processor: f.processor,
      clock: f.clock,
      framework: `tinyrig runtime, ${r.kernels ?? "unknown"} kernels`,
      variant: r.variant ?? "reference model",
      kind: emulated ? "emulated" : "physical",
      kindLabel: emulated ?? "physical, measured",
      family: family(r.board),
      division: r.variant ? "open" : "closed",
      note: null,
      cells: new Map(),
      model: new Map(),
    });
  }
  // newest last: each later headline replaces the cell
  for (const r of headlines) {
    if (r.summary?.metric === "sww") continue;
    const emulated = emulationLabel(r);
    const sys = systems.get(`${r.board}\0${r.kernels ?? ""}\0${r.variant ?? ""}\0${emulated ?? ""}`);
    if (!sys) continue;
    const g = group(r.workload, mlperfOf.get(r.workload) ?? null);
    const cells = sys.cells.get(g) ?? {};
    sys.cells.set(g, cells);
    const base = emulated ? [emulated] : [];
    const s = r.summary!;
    const latency = num(s.medianLatencyUs);
    if (r.mode === "performance" && latency !== undefined)
      cells.latency = { value: latency / 1000, text: (latency / 1000).toFixed(3), marks: base, runId: r.id };
    const energy = num(s.medianEnergyPerInferenceUj);
    if (energy !== undefined)
      cells.energy = { value: energy, text: energy.toFixed(2), marks: [...base, ...(r.modelled ? [MODELLED_ENERGY] : [])], runId: r.id };
    const value = num(s.value);
    if (r.mode === "accuracy" && value !== undefined) cells.accuracy = accuracyCell(String(s.metric), value, runMarks(r), r.id);
    const p = provenance.get(r.id);
    if (p) sys.model.set(g, { bytes: p.modelBytes, macs: p.macs });
  }

  // Published results: a row per (submitter, division, system, model used), as the MLPerf results table has them.
  const published = publishedResults(store);
  const workloadOf = new Map([...mlperfOf].flatMap(([id, m]) => (m ? [[m, id] as const] : [])));
  for (const p of published) {
    const key = `published\0${p.organization}\0${p.division}\0${p.systemDesc}\0${p.division === "open" ? p.model : ""}`;
    let sys = systems.get(key);
    if (!sys) {
      systems.set(
        key,
        (sys = {
          key,
          source: "published",
          board: p.boardName,
          boardSlug: null,
          processor: p.hostProcessor || "unknown",
          clock: p.hostFrequency || "unknown",
          framework: [p.inferenceFramework, p.softwareLibraries].filter(Boolean).join(", ") || "unknown",
          variant: p.division === "open" ? p.model : "reference model",
          kind: "physical",
          kindLabel: PUBLISHED,
          family: family(p.boardName),
          division: p.division,
          note: `${p.organization}, ${p.systemDesc} (${p.availability}), from ${p.sourceFile}`,
          cells: new Map(),
          model: new Map(),
        }),
      );
    }
    const g = group(workloadOf.get(p.mlperfModel) ?? p.mlperfModel, p.mlperfModel);
    const cells = sys.cells.get(g) ?? {};
    sys.cells.set(g, cells);
    const marks = [PUBLISHED];
    cells.latency = { value: 1000 / p.throughput, text: (1000 / p.throughput).toFixed(3), marks };
    if (p.power !== null && p.powerUnit === "uJ/inf.") cells.energy = { value: p.power, text: p.power.toFixed(2), marks };
    if (p.accuracy !== null && !p.mlperfModel.startsWith("sww")) {
      // the checker's Accuracy is Top-1 in % for every benchmark but ad, whose figure is the AUC
      cells.accuracy = p.mlperfModel.startsWith("ad") ? accuracyCell("auc", p.accuracy, marks) : accuracyCell("top1", p.accuracy / 100, marks);
    }
  }

  // tinyrig's workloads first, then benchmarks only published results have
  const sortedGroups = [...groups.values()].sort((a, b) => Number(!mlperfOf.has(a.id)) - Number(!mlperfOf.has(b.id)) || a.id.localeCompare(b.id));
  const systemList = [...systems.values()].sort(
    (a, b) =>
      (a.source === b.source ? 0 : a.source === "measured" ? -1 : 1) ||
      a.board.localeCompare(b.board) ||
      a.variant.localeCompare(b.variant) ||
      a.framework.localeCompare(b.framework),
  );

  // Trends: per system and workload, the newest completed performance run of each campaign (headline or not, marked).
  const campaignOrder = new Map<string, number>();
  for (const r of [...runs].sort((a, b) => a.id - b.id))
    if (r.campaign !== null && !campaignOrder.has(r.campaign)) campaignOrder.set(r.campaign, campaignOrder.size);
  const trend = new Map<string, TrendPoint>();
  // the nightly gate's verdicts, campaign against campaign, by run (latency only: the trends chart latency)
  const judged = new Map(campaignTrend(store, DEFAULT_GATE_RULES, ["performance"]).map((p) => [p.run, p.regressions] as const));
  let runsWithoutCampaign = 0;
  for (const r of runs) {
    if (r.status !== "completed") continue;
    if (r.campaign === null) {
      runsWithoutCampaign++;
      continue;
    }
    const latency = num(r.summary?.medianLatencyUs);
    if (r.mode !== "performance" || latency === undefined) continue;
    const emulated = emulationLabel(r);
    const system = `${r.board}, ${r.kernels ?? "unknown"} kernels${r.variant ? `, ${r.variant}` : ""}${emulated ? ` [${emulated}]` : ""}`;
    const k = `${r.workload}\0${system}\0${r.campaign}`;
    if ((trend.get(k)?.runId ?? -1) > r.id) continue;
    trend.set(k, {
      workload: r.workload,
      system,
      campaign: r.campaign,
      order: campaignOrder.get(r.campaign)!,
      ms: latency / 1000,
      runId: r.id,
      validity: r.validity.class,
      emulated: emulated !== null,
      regressions: judged.get(r.id) ?? [],
    });
  }

  return {
    dbFile: store.file,
    groups: sortedGroups,
    systems: systemList,
    boards: [...boards.values()].sort((a, b) => a.name.localeCompare(b.name)),
    published,
    trends: [...trend.values()].sort((a, b) => a.workload.localeCompare(b.workload) || a.system.localeCompare(b.system) || a.order - b.order),
    runsWithoutCampaign,
    windows: windowsByRun(store),
    inferences: inferenceStats(store),
    provenance,
  };
}

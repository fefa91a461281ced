// `tinyrig publish DIR` (and `tinyrig report --site DIR`): the leaderboard as a static site that works from file://
// and any static host. Pages, charts (SVG rendered here, with their Vega-Lite specs), one stylesheet, one script.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TopLevelSpec } from "vega-lite";
import { markFront } from "../report/pareto.ts";
import { renderSvg } from "../report/render.ts";
import type { ResultStore } from "../store/store.ts";
import { listWorkloads, type Workload } from "../workloads/registry.ts";
import { SITE_CSS, SITE_JS } from "./assets.ts";
import { paretoChart, trendChart, type ParetoChartPoint } from "./charts.ts";
import { buildModel, slug, type SiteModel, type SystemRow, type WorkloadGroup } from "./model.ts";
import { boardHref, boardPage, boardsPage, indexPage, trendsPage, workloadHref, workloadPage, type ChartFile } from "./pages.ts";

export interface SiteOptions {
  store: ResultStore;
  outDir: string;
  /** Whose manifests name the MLPerf benchmark of each workload (default: the configured workloads). */
  workloads?: Workload[];
  /** The time the pages say they were written (default: now). */
  now?: Date;
}

export interface SiteSummary {
  index: string;
  pages: number;
  charts: number;
}

/** The cost axes of a workload's Pareto charts, each read from a system's row. */
const COSTS: { id: string; title: string; cost: (s: SystemRow, g: WorkloadGroup) => { value: number; kind: string } | undefined }[] = [
  { id: "latency", title: "latency, ms per inference", cost: (s, g) => figureOf(s, g, "latency") },
  { id: "energy", title: "energy, µJ per inference", cost: (s, g) => figureOf(s, g, "energy") },
  { id: "model-bytes", title: "model size, bytes", cost: (s, g) => (s.model.get(g.id) ? { value: s.model.get(g.id)!.bytes, kind: s.kindLabel } : undefined) },
  { id: "macs", title: "MACs per inference", cost: (s, g) => (s.model.get(g.id)?.macs ? { value: s.model.get(g.id)!.macs!, kind: s.kindLabel } : undefined) },
];

function figureOf(s: SystemRow, g: WorkloadGroup, metric: "latency" | "energy"): { value: number; kind: string } | undefined {
  const c = s.cells.get(g.id)?.[metric];
  return c ? { value: c.value, kind: c.marks.length ? c.marks.join("; ") : s.kindLabel } : undefined;
}

function systemLabel(s: SystemRow): string {
  const label = `${s.board}${s.variant === "reference model" ? "" : ` ${s.variant}`}`;
  return label.length > 48 ? `${label.slice(0, 47)}…` : label;
}

export async function writeSite({ store, outDir, workloads, now = new Date() }: SiteOptions): Promise<SiteSummary> {
  const chartDir = path.join(outDir, "charts");
  try {
    mkdirSync(chartDir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      `${path.resolve(outDir)}: cannot write the site there (${code}${code === "EEXIST" || code === "ENOTDIR" ? ": a file is in the way, name a folder" : ""})`,
    );
  }
  removeOldSite(outDir);
  const model = buildModel(store, workloads ?? listWorkloads());
  const generatedAt = now.toISOString();
  const write = (name: string, text: string) => writeFileSync(path.join(outDir, name), text);
  let charts = 0;
  const chart = async (name: string, spec: TopLevelSpec | undefined, description: string): Promise<ChartFile | undefined> => {
    if (!spec) return undefined;
    writeFileSync(path.join(chartDir, `${name}.vl.json`), JSON.stringify(spec, null, 1));
    writeFileSync(path.join(chartDir, `${name}.svg`), await renderSvg(spec));
    charts++;
    const t = (spec as { title?: { text?: string } }).title;
    return { name, title: t?.text ?? name, description };
  };

  write("site.css", SITE_CSS);
  write("site.js", SITE_JS);
  write("index.html", indexPage(model, generatedAt));
  let pages = 1;
  for (const g of model.groups) {
    const files: ChartFile[] = [];
    for (const c of COSTS) {
      const points = paretoPoints(model, g, c.cost);
      const file = await chart(
        `${g.slug}-accuracy-vs-${c.id}`,
        paretoChart(`${g.id}: accuracy against ${c.title}`, c.title, points),
        `${g.id}: accuracy against ${c.title} for ${points.length} systems; the table above holds the same figures`,
      );
      if (file) files.push(file);
    }
    write(workloadHref(g), workloadPage(model, g, files, generatedAt));
    pages++;
  }
  for (const b of model.boards) {
    write(boardHref(b.slug), boardPage(model, b, generatedAt));
    pages++;
  }
  write("boards.html", boardsPage(model, generatedAt));
  const trendCharts = new Map<string, ChartFile>();
  for (const workload of new Set(model.trends.map((t) => t.workload))) {
    const points = model.trends.filter((t) => t.workload === workload);
    const file = await chart(
      `${slug(workload)}-trend`,
      trendChart(`${workload}: latency per campaign`, points),
      `${workload}: latency of each system per campaign; the table below holds the same figures`,
    );
    if (file) trendCharts.set(workload, file);
  }
  write("trends.html", trendsPage(model, trendCharts, generatedAt));
  pages += 2;
  write(MARKER, "tinyrig publish wrote this folder's pages and charts; it replaces them when it writes here again\n");
  return { index: path.join(outDir, "index.html"), pages, charts };
}

const MARKER = ".tinyrig-site";
/** The names the site writes: rewriting a folder removes its old pages (a board no longer stored) and nothing else. */
const OWN_PAGE = /^(index|boards|trends|site|board-.+|workload-.+)\.(html|css|js)$/;
const OWN_CHART = /\.(svg|vl\.json)$/;

/** Removes what an earlier `tinyrig publish` wrote in this folder (it left its marker there); other files stay. */
function removeOldSite(outDir: string): void {
  if (!existsSync(path.join(outDir, MARKER))) return;
  for (const f of readdirSync(outDir)) if (OWN_PAGE.test(f)) rmSync(path.join(outDir, f));
  const charts = path.join(outDir, "charts");
  if (existsSync(charts)) for (const f of readdirSync(charts)) if (OWN_CHART.test(f)) rmSync(path.join(charts, f));
}

function paretoPoints(model: SiteModel, g: WorkloadGroup, cost: (typeof COSTS)[number]["cost"]): ParetoChartPoint[] {
  const points = model.systems.flatMap((s) => {
    const accuracy = s.cells.get(g.id)?.accuracy;
    const c = cost(s, g);
    if (!accuracy || !c || !(c.value > 0)) return [];
    return [{ workload: g.id, measure: "", source: "", label: systemLabel(s), cost: c.value, accuracy: accuracy.value, kind: c.kind }];
  });
  return markFront(points).map(({ label, cost: x, accuracy, kind, front }) => ({ label, cost: x, accuracy, kind, front }));
}

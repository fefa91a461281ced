// The site's pages as HTML text. Everything from the store or an imported file goes through esc(); pages load only
// site.css, site.js and the site's own SVGs, which the Content-Security-Policy below allows and nothing else.
import path from "node:path";
import { esc, named } from "../report/report.ts";
import { formatRunFigure } from "../store/summary.ts";
import type { RunRow } from "../store/store.ts";
import {
  EMULATED_OUTPUTS,
  EMULATED_PTY,
  EMULATED_QEMU,
  emulationLabel,
  METRICS,
  MODELLED_ENERGY,
  PUBLISHED,
  type BoardInfo,
  type Cell,
  type SiteModel,
  type SystemRow,
  type TrendPoint,
  type WorkloadGroup,
  runMarks,
} from "./model.ts";

export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'";

/** A chart written beside the pages: its SVG, its Vega-Lite spec and what it shows. */
export interface ChartFile {
  name: string;
  title: string;
  description: string;
}

const SHORT_MARK: Record<string, string> = {
  [EMULATED_QEMU]: "emulated",
  [EMULATED_PTY]: "emulated",
  [EMULATED_OUTPUTS]: "emulated",
  [MODELLED_ENERGY]: "modelled",
  [PUBLISHED]: "published",
};

export const boardHref = (slug: string) => `board-${slug}.html`;
export const workloadHref = (g: WorkloadGroup) => `workload-${g.slug}.html`;

function marks(list: string[]): string {
  return list.map((m) => `<span class="mark" title="${esc(m)}">${esc(SHORT_MARK[m] ?? m)}</span>`).join("");
}

function layout(title: string, model: SiteModel, generatedAt: string, body: string): string {
  const nav = [
    `<a href="index.html">Leaderboard</a>`,
    ...model.groups.map((g) => `<a href="${esc(workloadHref(g))}">${esc(g.id)}</a>`),
    `<a href="trends.html">Trends</a>`,
    `<a href="boards.html">Boards</a>`,
  ].join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)} · tinyrig</title>
<link rel="stylesheet" href="site.css">
<script src="site.js" defer></script>
</head>
<body>
<header><nav aria-label="site">${nav}</nav></header>
<main>
${body}
</main>
<footer>Written by tinyrig at ${esc(generatedAt)} from the result database <code>${esc(path.basename(model.dbFile))}</code>. A static site: no request leaves it.</footer>
</body>
</html>
`;
}

function cell(c: Cell | undefined): string {
  if (!c) return `<td class="n" data-v="">–</td>`;
  return `<td class="n" data-v="${c.value}">${esc(c.text)}${marks(c.marks)}</td>`;
}

const SYSTEM_COLUMNS = ["board", "processor", "clock", "framework / kernels", "model", "emulated or physical", "division"];

function systemCells(s: SystemRow): string {
  const board = s.boardSlug ? `<a href="${esc(boardHref(s.boardSlug))}">${esc(s.board)}</a>` : esc(s.board);
  const note = s.note ? `<br><small>${esc(s.note)}</small>` : "";
  return (
    `<th scope="row" data-v="${esc(s.board)}">${board}${note}</th><td data-v="${esc(s.processor)}">${esc(s.processor)}</td><td data-v="${esc(s.clock)}">${esc(s.clock)}</td>` +
    `<td data-v="${esc(s.framework)}">${esc(s.framework)}</td><td data-v="${esc(s.variant)}">${esc(s.variant)}</td><td data-v="${esc(s.kindLabel)}">${esc(s.kindLabel)}</td><td data-v="${esc(s.division)}">${esc(s.division)}</td>`
  );
}

function rowAttributes(s: SystemRow): string {
  return `data-division="${esc(s.division)}" data-kind="${s.kind}" data-family="${esc(s.family)}" data-source="${s.source}"`;
}

/** The leaderboard table: system columns, then latency, energy and accuracy per workload (MLPerf Tiny's shape). */
function leaderboardTable(id: string, caption: string, systems: SystemRow[], groups: WorkloadGroup[]): string {
  const sysHead = SYSTEM_COLUMNS.map(
    (c, i) => `<th scope="col" rowspan="2" data-col="${i}" data-type="text"><button type="button">${esc(c)}</button></th>`,
  ).join("");
  const groupHead = groups
    .map(
      (g) => `<th scope="colgroup" colspan="${METRICS.length}">${esc(g.id)}${g.mlperf && g.mlperf !== g.id ? ` <small>(${esc(g.mlperf)})</small>` : ""}</th>`,
    )
    .join("");
  const metricHead = groups
    .flatMap((g, gi) =>
      METRICS.map(
        (m, mi) =>
          `<th scope="col" data-col="${SYSTEM_COLUMNS.length + gi * METRICS.length + mi}" data-type="num" data-metric="${m.id}" data-group="${esc(g.id)}"><button type="button">${esc(m.title)}</button></th>`,
      ),
    )
    .join("");
  const colgroups = `<colgroup span="${SYSTEM_COLUMNS.length}"></colgroup>${groups.map(() => `<colgroup span="${METRICS.length}"></colgroup>`).join("")}`;
  const body = systems
    .map((s) => `<tr ${rowAttributes(s)}>${systemCells(s)}${groups.flatMap((g) => METRICS.map((m) => cell(s.cells.get(g.id)?.[m.id]))).join("")}</tr>`)
    .join("\n");
  return `<div class="scroll"><table id="${id}" data-sortable>
<caption>${caption}</caption>
${colgroups}
<thead><tr>${sysHead}${groupHead}</tr>
<tr>${metricHead}</tr></thead>
<tbody>
${body}
</tbody>
</table></div>
<p id="${id}-status" role="status" aria-live="polite"></p>`;
}

function select(table: string, attr: string, label: string, values: string[]): string {
  const options = [...new Set(values)]
    .sort()
    .map((v) => `<option value="${esc(v)}">${esc(v)}</option>`)
    .join("");
  return `<label>${esc(label)}<select data-table="${table}" data-filter="${attr}" id="filter-${attr}"><option value="">all</option>${options}</select></label>`;
}

const NOTE = `<p class="note">A figure marked <span class="mark">emulated</span> comes from a QEMU board under <code>-icount</code>: ${esc(EMULATED_QEMU)}, deterministic, not a measurement of silicon (an accuracy: the emulated device's outputs). Energy marked <span class="mark">modelled</span> comes from the board file's power model, never from a meter. Rows marked <span class="mark">published</span> are MLPerf Tiny results ${esc(PUBLISHED)}, imported from the submission checker's CSV.</p>`;

export function indexPage(model: SiteModel, generatedAt: string): string {
  const groups = model.groups;
  const body = `<h1>tinyrig leaderboard</h1>
<p class="lede">One row per system (board, processor, clock, framework and kernels, model, emulated or physical), one column group per workload, as MLPerf Tiny's results table has them. A cell is the newest <em>valid, complete</em> run of that system and workload (5 windows of at least 10 s, the full committed test set); partial runs are not headlines and appear only on the board pages, marked. tinyrig's own rows are not submissions: their division says which model they ran (closed: the reference model; open: a variant).</p>
${NOTE}
<div class="filters" role="group" aria-label="filters">
${select(
  "leaderboard",
  "division",
  "division",
  model.systems.map((s) => s.division),
)}
${select(
  "leaderboard",
  "kind",
  "emulated or physical",
  model.systems.map((s) => s.kind),
)}
${select(
  "leaderboard",
  "family",
  "board family",
  model.systems.map((s) => s.family),
)}
${select(
  "leaderboard",
  "source",
  "source",
  model.systems.map((s) => s.source),
)}
</div>
${model.systems.length ? leaderboardTable("leaderboard", "Leaderboard: latency (ms per inference, median of 5 windows), energy (µJ per inference) and accuracy per workload", model.systems, groups) : "<p>No runs stored yet.</p>"}`;
  return layout("Leaderboard", model, generatedAt, body);
}

function chartFigure(c: ChartFile): string {
  return `<figure><img src="charts/${esc(c.name)}.svg" alt="${esc(c.description)}"><figcaption>${esc(c.title)} (<a href="charts/${esc(c.name)}.vl.json">Vega-Lite spec</a>)</figcaption></figure>`;
}

export function workloadPage(model: SiteModel, g: WorkloadGroup, charts: ChartFile[], generatedAt: string): string {
  const systems = model.systems.filter((s) => s.cells.has(g.id));
  const sizeRows = systems.filter((s) => s.model.has(g.id));
  const sizes = sizeRows.length
    ? `<div class="scroll"><table id="models" data-sortable><caption>The model each system measured (from the workload row its runs stored)</caption>
<thead><tr><th scope="col" data-col="0" data-type="text"><button type="button">board</button></th><th scope="col" data-col="1" data-type="text"><button type="button">model</button></th><th scope="col" data-col="2" data-type="num"><button type="button">model bytes</button></th><th scope="col" data-col="3" data-type="num"><button type="button">MACs</button></th></tr></thead>
<tbody>${sizeRows
        .map((s) => {
          const m = s.model.get(g.id)!;
          return `<tr><th scope="row" data-v="${esc(s.board)}">${esc(s.board)}</th><td data-v="${esc(s.variant)}">${esc(s.variant)}</td><td class="n" data-v="${m.bytes}">${m.bytes.toLocaleString("en")}</td><td class="n" data-v="${m.macs ?? ""}">${m.macs === null ? "–" : m.macs.toLocaleString("en")}</td></tr>`;
        })
        .join("\n")}</tbody></table></div>`
    : "";
  const body = `<h1>${esc(g.id)}${g.mlperf ? ` <small>(MLPerf Tiny ${esc(g.mlperf)})</small>` : ""}</h1>
<p class="lede">Every system's headline figures for this workload, and accuracy against each cost, one chart per cost.</p>
${NOTE}
${leaderboardTable("systems", `${esc(g.id)}: headline figures of every system`, systems, [g])}
${sizes}
<h2>Accuracy against cost</h2>
${charts.length ? charts.map(chartFigure).join("\n") : "<p>No system has both an accuracy and a cost figure for this workload yet.</p>"}`;
  return layout(g.id, model, generatedAt, body);
}

const ms = (us: number) => (us / 1000).toFixed(3);

function validityCell(r: RunRow): string {
  if (r.status !== "completed")
    return `<td data-v="${esc(r.status)}"><span class="partial">${esc(r.status)}</span>${r.error ? `<br><small>${esc(r.error.split("\n")[0])}</small>` : ""}</td>`;
  if (r.validity.class === "headline") return `<td data-v="headline">headline</td>`;
  return `<td data-v="${esc(r.validity.class)}"><span class="partial">${esc(r.validity.class)}</span><br><small>${esc(r.validity.reasons.join("; "))}</small></td>`;
}

function runRow(model: SiteModel, r: RunRow): string {
  const w = model.windows.get(r.id) ?? [];
  // every figure says what it is: times from an emulator are its virtual time, energy from a model is modelled
  const timed = emulationLabel(r);
  const timeMarks = marks(timed ? [timed] : []);
  const windows = w.length
    ? `${w.map((x) => (x.latencyUs === null ? "–" : ms(x.latencyUs))).join(", ")} ms${timeMarks}${w.some((x) => x.energyPerInferenceUj !== null) ? `<br>${w.map((x) => (x.energyPerInferenceUj === null ? "–" : x.energyPerInferenceUj.toFixed(1))).join(", ")} µJ${marks(w.some((x) => x.energyKind === "modelled") ? [MODELLED_ENERGY] : [])}` : ""}`
    : "–";
  const inf = model.inferences.get(r.id);
  const dist = inf?.latency
    ? `median ${ms(inf.latency.median)} ms of ${inf.latency.n}${timeMarks}<br><small>p5 ${ms(inf.latency.p5)}, p95 ${ms(inf.latency.p95)}, min ${ms(inf.latency.min)}, max ${ms(inf.latency.max)}</small>`
    : inf
      ? `${inf.count} inferences (no per-inference latency)`
      : "–";
  const bitExact = inf?.compared ? `${inf.bitExact}/${inf.compared} (${((100 * inf.bitExact) / inf.compared).toFixed(1)} %)` : "–";
  const d = r.device;
  const memory =
    [
      r.firmwareBytes ? `flash ${r.firmwareBytes.flash.toLocaleString("en")} B, RAM ${r.firmwareBytes.ram.toLocaleString("en")} B` : "",
      d.arenaUsedBytes !== null ? `arena ${d.arenaUsedBytes.toLocaleString("en")} of ${d.arenaSizeBytes?.toLocaleString("en") ?? "?"} B` : "",
    ]
      .filter(Boolean)
      .join("<br>") || "–";
  const p = model.provenance.get(r.id);
  const provenance = [
    `firmware <code>${esc(r.firmwareSha256?.slice(0, 16) ?? "none")}</code>`,
    `dataset <code>${esc(r.datasetSha256?.slice(0, 16) ?? "none")}</code> (${esc(r.datasetSource ?? "unknown")}${r.datasetCount !== null ? `, ${r.datasetCount} inputs` : ""})`,
    p ? `board file <code>${esc(p.boardSha256.slice(0, 16))}</code>` : "",
    p ? `model <code>${esc(p.modelSha256.slice(0, 16))}</code>` : "",
    `toolchain ${esc(r.toolchain ?? "unknown")}, ${esc(r.kernels ?? "unknown")} kernels`,
    p ? `host ${esc(p.host.hostname)} (${esc(p.host.os)}, node ${esc(p.host.node)})` : "",
    `tinyrig ${esc(r.tinyrigVersion)}`,
    r.provenance.console ? `console: ${esc(r.provenance.console)}` : "",
    r.provenance.firmware ? esc(r.provenance.firmware) : "",
    `campaign ${esc(r.campaign ?? "none")}`,
  ]
    .filter(Boolean)
    .join("<br>");
  const result = r.summary ? `${esc(formatRunFigure(r))}${marks(runMarks(r))}` : "–";
  return (
    `<tr id="run-${r.id}" data-workload="${esc(named(r))}" data-mode="${esc(r.mode)}" data-validity="${esc(r.status === "completed" ? r.validity.class : r.status)}">` +
    `<th scope="row" data-v="${r.id}">${r.id}</th><td data-v="${esc(r.startedAt)}">${esc(r.startedAt.replace("T", " ").slice(0, 19))}</td><td data-v="${esc(r.campaign ?? "")}">${esc(r.campaign ?? "–")}</td>` +
    `<td data-v="${esc(named(r))}">${esc(named(r))}</td><td data-v="${esc(r.mode)}">${esc(r.mode)}</td>${validityCell(r)}<td>${result}</td>` +
    `<td>${windows}</td><td>${dist}</td><td class="n">${bitExact}</td><td>${memory}</td><td><details><summary>firmware <code>${esc(r.firmwareSha256?.slice(0, 8) ?? "none")}</code></summary><small>${provenance}</small></details></td></tr>`
  );
}

export function boardPage(model: SiteModel, b: BoardInfo, generatedAt: string): string {
  const head =
    ["run", "started", "campaign", "workload", "mode", "validity"]
      .map((c, i) => `<th scope="col" data-col="${i}" data-type="${i === 0 ? "num" : "text"}"><button type="button">${c}</button></th>`)
      .join("") + ["result", "windows", "per-inference latency", "bit-exact", "memory", "provenance"].map((c) => `<th scope="col">${c}</th>`).join("");
  const kind = b.kind === "emulated" ? EMULATED_QEMU : "physical";
  const body = `<h1>${esc(b.title)} <small>(${esc(b.name)})</small></h1>
<dl class="lede">
<dt>vendor</dt><dd>${esc(b.vendor || "unknown")}</dd>
<dt>processor, clock</dt><dd>${esc(b.processor)}, ${esc(b.clock)}</dd>
<dt>emulated or physical</dt><dd>${esc(kind)}</dd>
<dt>board file (sha256, as the runs stored it)</dt><dd>${b.fileSha256s.map((s) => `<code>${esc(s)}</code>`).join("<br>")}</dd>
</dl>
${b.kind === "emulated" ? NOTE : ""}
<div class="filters" role="group" aria-label="filters">
${select(
  "runs",
  "workload",
  "workload",
  b.runs.map((r) => named(r)),
)}
${select(
  "runs",
  "mode",
  "mode",
  b.runs.map((r) => r.mode),
)}
${select(
  "runs",
  "validity",
  "validity",
  b.runs.map((r) => (r.status === "completed" ? r.validity.class : r.status)),
)}
</div>
<div class="scroll"><table id="runs" data-sortable>
<caption>Every run on ${esc(b.name)}, newest first: headline, partial (marked, with the reasons) and failed</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${b.runs.map((r) => runRow(model, r)).join("\n")}
</tbody>
</table></div>
<p id="runs-status" role="status" aria-live="polite"></p>`;
  return layout(b.name, model, generatedAt, body);
}

export function boardsPage(model: SiteModel, generatedAt: string): string {
  const body = `<h1>Boards</h1>
<div class="scroll"><table id="boards" data-sortable><caption>Every board with stored runs</caption>
<thead><tr>${["board", "processor", "clock", "emulated or physical", "runs"].map((c, i) => `<th scope="col" data-col="${i}" data-type="${i === 4 ? "num" : "text"}"><button type="button">${c}</button></th>`).join("")}</tr></thead>
<tbody>${model.boards.map((b) => `<tr><th scope="row" data-v="${esc(b.name)}"><a href="${esc(boardHref(b.slug))}">${esc(b.name)}</a></th><td data-v="${esc(b.processor)}">${esc(b.processor)}</td><td data-v="${esc(b.clock)}">${esc(b.clock)}</td><td data-v="${b.kind}">${esc(b.kind === "emulated" ? EMULATED_QEMU : "physical")}</td><td class="n" data-v="${b.runs.length}">${b.runs.length}</td></tr>`).join("\n")}</tbody>
</table></div>`;
  return layout("Boards", model, generatedAt, body);
}

export function trendsPage(model: SiteModel, charts: Map<string, ChartFile>, generatedAt: string): string {
  const byWorkload = new Map<string, TrendPoint[]>();
  for (const t of model.trends) byWorkload.set(t.workload, [...(byWorkload.get(t.workload) ?? []), t]);
  const boardOf = new Map(model.boards.flatMap((b) => b.runs.map((r) => [r.id, b.slug] as const)));
  const sections = [...byWorkload].map(([workload, points]) => {
    const chart = charts.get(workload);
    const rows = points
      .map((t, i) => {
        const prev = points[i - 1]?.system === t.system ? points[i - 1] : undefined;
        const change = prev ? ((t.ms - prev.ms) / prev.ms) * 100 : undefined;
        const slug = boardOf.get(t.runId);
        return (
          `<tr><th scope="row" data-v="${esc(t.system)}">${esc(t.system)}</th><td data-v="${t.order}">${esc(t.campaign)}</td><td class="n" data-v="${t.ms}">${t.ms.toFixed(3)}${t.emulated ? marks([EMULATED_QEMU]) : ""}</td>` +
          `<td class="n" data-v="${change ?? ""}">${change === undefined ? "–" : `${change >= 0 ? "+" : ""}${change.toFixed(2)} %`}</td><td data-v="${esc(t.validity)}">${t.validity === "headline" ? "headline" : `<span class="partial">${esc(t.validity)}</span>`}</td>` +
          `<td data-v="${t.regressions.length}">${t.regressions.length ? `<span class="regressed">regression: ${t.regressions.map(esc).join("; ")}</span>` : "–"}</td>` +
          `<td data-v="${t.runId}">${slug ? `<a href="${esc(boardHref(slug))}#run-${t.runId}">run ${t.runId}</a>` : `run ${t.runId}`}</td></tr>`
        );
      })
      .join("\n");
    const id = `trend-${chart?.name ?? "x"}`;
    return `<h2>${esc(workload)}</h2>
${chart ? chartFigure(chart) : ""}
<div class="scroll"><table id="${esc(id)}" data-sortable><caption>${esc(workload)}: latency per system and campaign (the newest completed performance run of each)</caption>
<thead><tr>${["system", "campaign", "ms per inference", "change from the campaign before", "validity", "the gate's verdict", "run"].map((c, i) => `<th scope="col" data-col="${i}" data-type="${i === 0 || i === 4 ? "text" : "num"}"><button type="button">${c}</button></th>`).join("")}</tr></thead>
<tbody>
${rows}
</tbody></table></div>`;
  });
  const body = `<h1>Trends across campaigns</h1>
<p class="lede">Per board and workload, latency in each campaign (a campaign is one nightly or one named series of runs, <code>tinyrig run --campaign</code>). Runs that are not headlines are included here, marked, so that a short nightly still shows its trend. Each valid run is judged against the campaign before by the regression gate's default rules (<code>tinyrig compare</code>): on an emulated board any change in device-timed latency is a change, on a physical one a Mann-Whitney test over the windows and a threshold; a regression is marked with its reason.${model.runsWithoutCampaign ? ` ${model.runsWithoutCampaign === 1 ? "1 completed run carries" : `${model.runsWithoutCampaign} completed runs carry`} no campaign and ${model.runsWithoutCampaign === 1 ? "is" : "are"} left out.` : ""}</p>
${sections.length ? sections.join("\n") : "<p>No completed performance runs with a campaign yet.</p>"}`;
  return layout("Trends", model, generatedAt, body);
}

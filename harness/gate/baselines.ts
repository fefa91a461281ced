// `tinyrig baseline set`: which runs become the baselines. A campaign gives its completed, valid runs (the newest per
// cell; failed and partial ones are named and left out); runs named by id or UUID must each be eligible, or nothing
// is recorded. One baseline per board x workload x variant x mode, replacing the one there.
import { StoreError, type ResultStore, type RunRow } from "../store/store.ts";
import { cellId, ineligible, workloadName } from "./compare.ts";
import { GateInputError } from "./sources.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function recordBaselines(store: ResultStore, targets: string[], allowPartial: boolean): RunRow[] {
  const all = store.listRuns();
  const chosen = new Map<string, RunRow>();
  const named = new Set<string>();
  for (const t of targets) {
    const byId = /^\d+$/.test(t) ? all.filter((r) => r.id === Number(t)) : UUID.test(t) ? all.filter((r) => r.uuid === t) : undefined;
    if (byId) {
      const run = byId[0];
      if (!run) throw new GateInputError(`baseline set: no run ${t} in ${store.file}`);
      const why = ineligible(run, allowPartial);
      if (why) throw new StoreError(`run ${run.id} (${run.uuid}) cannot be a baseline: ${why}; nothing recorded`);
      if (named.has(cellId(run))) throw new GateInputError(`baseline set: two runs named for ${run.board} ${workloadName(run)} ${run.mode}: name one`);
      named.add(cellId(run));
      chosen.set(cellId(run), run);
      continue;
    }
    const runs = all.filter((r) => r.campaign === t);
    if (!runs.length) throw new GateInputError(`baseline set: ${t} is not a run id, a run UUID, or a campaign with runs in ${store.file}`);
    for (const run of runs) {
      // listRuns is newest first: the first eligible run of a cell is its newest
      const why = ineligible(run, allowPartial);
      if (why) console.error(`left out run ${run.id} (${run.board} ${workloadName(run)} ${run.mode}): ${why}`);
      else if (!chosen.has(cellId(run))) chosen.set(cellId(run), run);
    }
  }
  if (!chosen.size) throw new StoreError(`no run of ${targets.join(", ")} can be a baseline; nothing recorded`);
  store.db
    .transaction(() => {
      for (const run of chosen.values()) store.setBaseline(run.id);
    })
    .immediate();
  for (const r of chosen.values()) {
    console.log(
      `baseline ${r.board}${r.boardKind === "emulated" ? " (emulated)" : ""} ${workloadName(r)} ${r.mode}: run ${r.id} (${r.uuid})${r.validity.class === "headline" ? "" : ` [${r.validity.class}]`}`,
    );
  }
  return [...chosen.values()];
}

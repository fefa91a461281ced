// One board's run, as one call: the plan for it (harness/run/plan.ts) carried out by the executor
// (harness/run/execute.ts). `tinyrig run` and the tests that drive the run loop without the command line use it.
import type { BoardDefinition } from "../boards/schema.ts";
import type { RunMode } from "../modes/types.ts";
import { executeBoardPlan, type ExecuteContext } from "./execute.ts";
import { planRun, type RunOptions } from "./plan.ts";
import type { SuiteResult, SuiteWorkload } from "./types.ts";

export { RUN_MODES, type RunMode, type RunStart, type SuiteResult, type SuiteStore, type SuiteWorkload } from "./types.ts";

export interface SuiteOptions extends ExecuteContext, Omit<RunOptions, "modes" | "energyFlow"> {
  board: BoardDefinition;
  workloads: SuiteWorkload[];
  modes: RunMode[];
  energyFlow?: RunOptions["energyFlow"];
  /** The modes were not asked for but defaulted: energy the device cannot give is noted with the run, not failed. */
  modesDefaulted?: boolean;
}

export async function runSuite(opts: SuiteOptions): Promise<SuiteResult[]> {
  const { board, workloads, modes, modesDefaulted, store, progress, signal, trace, ...rest } = opts;
  const options: RunOptions = { ...rest, modes: modesDefaulted ? undefined : modes, energyFlow: opts.energyFlow ?? "auto" };
  const [plan] = planRun(options, [board], workloads).boards;
  return executeBoardPlan(plan!, options, { store, progress, signal, trace });
}

// Runs a flashing tool the one way every adapter does: execa with an argument array (never a shell string),
// output captured, a non-zero exit (or a failure the tool only reports in its output) turned into a FlashError.
import { execa } from "execa";
import { FlashError, type FlashContext, type FlashResult } from "./types.ts";

export interface ToolRun {
  tool: string;
  binary: string;
  args: string[];
  /** Some tools exit 0 on failure (J-Link Commander): recognise failure in their output. */
  failsWhen?: RegExp;
  timeoutMs?: number;
}

export async function runFlashTool(run: ToolRun, ctx: FlashContext): Promise<FlashResult> {
  const argv = [run.binary, ...run.args];
  ctx.log(`${run.tool}: ${argv.join(" ")}`);
  const started = Date.now();
  const r = await execa(run.binary, run.args, { all: true, reject: false, cancelSignal: ctx.signal, timeout: run.timeoutMs ?? 180_000 });
  const output = r.all ?? "";
  if (r.exitCode === undefined && /ENOENT/.test(String(r.message ?? ""))) {
    throw new FlashError(
      run.tool,
      argv,
      undefined,
      "",
      `${run.tool}: "${run.binary}" is not installed or not on PATH (board file ${ctx.board.file}, field flasher.binary)`,
    );
  }
  if (r.timedOut) throw new FlashError(run.tool, argv, undefined, output, `${run.tool} did not finish within ${(run.timeoutMs ?? 180_000) / 1000} s`);
  if (r.exitCode !== 0) throw new FlashError(run.tool, argv, r.exitCode, output);
  if (run.failsWhen?.test(output)) throw new FlashError(run.tool, argv, 0, output, `${run.tool} reported a failure (exit code 0)`);
  return { tool: run.tool, argv, output, durationMs: Date.now() - started };
}

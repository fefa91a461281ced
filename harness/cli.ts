// tinyrig's command line. Each command is a thin wrapper: parse arguments, call the module that does the work.
// Exit codes are decided here, once: 0 success, 1 a failure (named on stderr), 2 a usage error (before any work).
import yargs, { type Argv } from "yargs";
import { boardCommands } from "./commands/boards.ts";
import { buildCommand } from "./commands/build.ts";
import { doctorCommand } from "./commands/doctor.ts";
import { resultsCommands } from "./commands/results.ts";
import { runCommands } from "./commands/run.ts";
import { flashCommand } from "./commands/flash.ts";
import { UsageError } from "./commands/usage.ts";
import { workloadsCommands } from "./commands/workloads.ts";

export async function main(argv: string[]): Promise<number> {
  const cli: Argv = yargs(argv)
    .scriptName("tinyrig")
    .usage("$0 <command> [options]")
    .strict()
    .demandCommand(1, "name a command (tinyrig --help lists them)")
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 110))
    // yargs validates before it calls a command's handler, but only a fail handler that throws stops the handler from
    // running: one that returns lets the command go ahead (`run --limt 2` ran the whole benchmark, then exited 2).
    // A validation message (or a coerce error, which yargs wraps as a YError) is a usage error; any other error comes
    // from a handler and is passed on as it is.
    .fail((msg, err) => {
      if (err && err.name !== "YError") throw err;
      throw err instanceof UsageError ? err : new UsageError(msg ?? err?.message ?? "bad usage");
    });
  for (const register of [runCommands, resultsCommands, boardCommands, workloadsCommands, buildCommand, flashCommand, doctorCommand, (await import("./commands/export.ts")).exportCommand]) register(cli);
  try {
    await cli.parseAsync();
  } catch (err) {
    if (err instanceof UsageError || (err instanceof Error && err.name === "YError")) {
      console.error(`tinyrig: ${err.message}\n(tinyrig ${argv.find((a) => !a.startsWith("-")) ?? ""} --help lists the options)`.replace(/ {2}/, " "));
      return 2;
    }
    console.error(`tinyrig: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.TINYRIG_DEBUG && err instanceof Error) console.error(err.stack);
    return 1;
  }
  return Number(process.exitCode ?? 0);
}

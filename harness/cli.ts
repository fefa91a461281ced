// tinyrig's command line. Each command is a thin wrapper: parse arguments, call the module that does the work.
import yargs, { type Argv } from "yargs";
import { boardCommands } from "./commands/boards.ts";
import { buildCommand } from "./commands/build.ts";
import { doctorCommand } from "./commands/doctor.ts";
import { resultsCommands } from "./commands/results.ts";
import { runCommands } from "./commands/run.ts";
import { flashCommand } from "./commands/flash.ts";
import { workloadsCommands } from "./commands/workloads.ts";

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const cli: Argv = yargs(argv)
    .scriptName("tinyrig")
    .usage("$0 <command> [options]")
    .strict()
    .demandCommand(1, "name a command (tinyrig --help lists them)")
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((msg, err, y) => {
      if (err) throw err;
      console.error(`${msg}\n\n${y.help()}`);
      exitCode = 2;
    });
  for (const register of [runCommands, resultsCommands, boardCommands, workloadsCommands, buildCommand, flashCommand, doctorCommand]) register(cli);
  try {
    await cli.parseAsync();
  } catch (err) {
    console.error(`tinyrig: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.TINYRIG_DEBUG && err instanceof Error) console.error(err.stack);
    return 1;
  }
  return exitCode || Number(process.exitCode ?? 0);
}

// tinyrig's command line. Each command is a thin wrapper: parse arguments, call the module that does the work.
// Command modules load lazily: only the one named on the command line is imported, so `--help` and `--version`
// answer without loading the run loop, the store or the report's rendering stack.
// Exit codes are decided here, once (harness/errors.ts): 0 success, 1 a failure (named on stderr), 2 a usage error
// (before any work); an error may carry its own (TinyrigError's `exitCode`: a bad config file is a usage error).
import yargs, { type Argv } from "yargs";
import { UsageError } from "./commands/usage.ts";
import { EXIT, exitCodeOf } from "./errors.ts";
import { tinyrigVersion } from "./paths.ts";

type Register = (cli: Argv) => void;

/** Every command module: the commands it registers with what `tinyrig --help` says of each, and how to load it. */
const MODULES: { commands: Record<string, string>; load: () => Promise<Register> }[] = [
  {
    commands: {
      run: "benchmark workloads on a board and store the results",
      suite: "the full reference suite on the default emulated board, stored, with the report and the leaderboard site",
    },
    load: async () => (await import("./commands/run.ts")).runCommands,
  },
  {
    commands: {
      results: "stored runs: list, show, export, import; published MLPerf Tiny results: import-published",
      report: "write the HTML report and its charts (--site DIR: the leaderboard site)",
    },
    load: async () => (await import("./commands/results.ts")).resultsCommands,
  },
  {
    commands: {
      compare: "the regression gate: compare candidate runs with baseline runs (exit 0 pass, 1 regression, 3 infrastructure)",
      baseline: "record the runs the regression gate compares against",
    },
    load: async () => (await import("./commands/gate.ts")).gateCommands,
  },
  {
    commands: { boards: "list the boards tinyrig knows (emulated or attached, free or busy), or validate board files" },
    load: async () => (await import("./commands/boards.ts")).boardCommands,
  },
  {
    commands: { workloads: "workloads: list, rebuild one from its recipe, or import MLPerf Tiny's official models from a checkout" },
    load: async () => (await import("./commands/workloads.ts")).workloadsCommands,
  },
  { commands: { build: "build the reference firmware for a board and a model" }, load: async () => (await import("./commands/build.ts")).buildCommand },
  {
    commands: { flash: "build and flash the reference firmware for a workload (emulated boards: start and keep running)" },
    load: async () => (await import("./commands/flash.ts")).flashCommand,
  },
  {
    commands: { doctor: "check the tools and devices every board needs; print the fix for what is missing (exit 1 when an emulated board cannot run)" },
    load: async () => (await import("./commands/doctor.ts")).doctorCommand,
  },
  {
    commands: { config: "the settings in force (database, folders, default board) and where each comes from" },
    load: async () => (await import("./commands/config.ts")).configCommand,
  },
  {
    commands: { export: "export stored runs for publication (an MLPerf Tiny submission tree)" },
    load: async () => (await import("./commands/export.ts")).exportCommand,
  },
  {
    commands: { publish: "write the leaderboard as a static site (index, boards, workloads, trends) to a folder" },
    load: async () => (await import("./commands/publish.ts")).publishCommand,
  },
];

/** Every value of `--name V` and `--name=V` in argv, in order. */
function optionValues(argv: string[], name: string): string[] {
  const values: string[] = [];
  argv.forEach((a, i) => {
    if (a === name && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("-")) values.push(argv[i + 1]!);
    else if (a.startsWith(`${name}=`)) values.push(a.slice(name.length + 1));
  });
  return values;
}

/** What `tinyrig --help` says of a command (command modules register with it). */
export function describeCommand(name: string): string {
  const d = MODULES.find((m) => name in m.commands)?.commands[name];
  if (d === undefined) throw new Error(`no command ${name} in harness/cli.ts`);
  return d;
}

export async function main(argv: string[]): Promise<number> {
  const cli: Argv = yargs(argv)
    .scriptName("tinyrig")
    .usage("$0 <command> [options]")
    .version(tinyrigVersion())
    .strict()
    .demandCommand(1, "name a command (tinyrig --help lists them)")
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 110))
    // yargs validates before it calls a command's handler, but only a fail handler that throws stops the handler from
    // running: one that returns lets the command go ahead (`run --limt 2` ran the whole benchmark, then exited 2).
    // A validation message (or a coerce error, which yargs wraps as a YError) is a usage error; any other error comes
    // from a handler and is passed on as it is.
    .option("workloads", {
      type: "string",
      global: true,
      describe: "a folder of workloads (may be repeated), instead of TINYRIG_WORKLOADS or the config's; tinyrig's own are searched after it",
    })
    .fail((msg, err) => {
      if (err && err.name !== "YError") throw err;
      throw err instanceof UsageError ? err : new UsageError(msg ?? err?.message ?? "bad usage");
    });
  const named = argv.find((a, i) => !a.startsWith("-") && argv[i - 1] !== "--workloads");
  try {
    // --workloads is read before any command module resolves the settings (its options' defaults come from them)
    const workloadDirs = optionValues(argv, "--workloads");
    if (workloadDirs.length) (await import("./config.ts")).setConfigOptions({ workloads: workloadDirs });
    for (const m of MODULES) {
      // Only the invoked command's module is loaded; the others are listed in the help (and for "did you mean").
      if (named !== undefined && named in m.commands) (await m.load())(cli);
      else for (const [name, describe] of Object.entries(m.commands)) cli.command(name, describe);
    }
    await cli.parseAsync();
  } catch (err) {
    if (err instanceof UsageError || (err instanceof Error && err.name === "YError")) {
      console.error(`tinyrig: ${err.message}\n(tinyrig ${named ?? ""} --help lists the options)`.replace(/ {2}/, " "));
      return EXIT.usage;
    }
    console.error(`tinyrig: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.TINYRIG_DEBUG && err instanceof Error) console.error(err.stack);
    return exitCodeOf(err);
  }
  return Number(process.exitCode ?? 0);
}

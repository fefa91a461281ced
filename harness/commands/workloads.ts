// `tinyrig workloads`: list the reference workloads; `tinyrig workloads build <id>`: regenerate data and model from
// the recipe (TypeScript generator, then the Python training recipe, the classical model's step where there is one,
// then the host evaluation into the manifest).
import { execa } from "execa";
import { PACKAGE_ROOT } from "../paths.ts";
import path from "node:path";
import type { Argv } from "yargs";
import { describeCommand } from "../cli.ts";
import { variantAccuracy } from "../workloads/manifest.ts";
import { listWorkloads, loadWorkload } from "../workloads/registry.ts";
import { UsageError } from "./usage.ts";
import { loadConfig } from "../config.ts";
import { isStreamingWorkload, listStreamingWorkloads, loadStreamingWorkload } from "../streaming/workload.ts";
import { ImportUsageError, importMlperf, MLPERF_IDS, type ImportOutcome } from "../workloads/import-mlperf.ts";

// Workloads are rebuilt where tinyrig keeps them: a maintainer's command, run from a checkout.
const ROOT = PACKAGE_ROOT;

export function workloadsCommands(cli: Argv): void {
  cli.command("workloads", describeCommand("workloads"), (y) =>
    y
      .command(
        "list",
        "list workloads with their models and quality",
        (yy) => yy,
        () => {
          for (const w of listWorkloads()) {
            const m = w.manifest;
            const figure = (v: number) => (m.metric.name === "top1" ? `top-1 ${(v * 100).toFixed(1)}%` : `AUC ${v.toFixed(3)}`);
            const q = m.quality ? `int8 ${figure(m.quality.int8)}` : "quality not measured";
            const target = m.metric.target === undefined ? "no target" : `target ${m.metric.target}`;
            const inputs = m.dataset.count === undefined ? "no test set of its own (--dataset DIR)" : `${m.dataset.count} test inputs`;
            console.log(
              `${w.id.padEnd(18)} ${m.mlperfModelId.padEnd(6)} ${String(m.model.params).padStart(7)} params ${(m.model.macs / 1e6).toFixed(2).padStart(6)} M MACs  ${q} (${target})  ${inputs}`,
            );
            for (const v of m.variants) {
              const acc = variantAccuracy(v);
              const figure = acc === undefined ? "-" : m.metric.name === "top1" ? `top-1 ${(acc * 100).toFixed(1)}%` : `AUC ${acc.toFixed(3)}`;
              const where = v.kind === "float32" ? "host only" : v.kind === "classical" ? "C, --variant" : "--variant";
              console.log(
                `  ${v.id.padEnd(16)} ${v.kind.padEnd(9)} ${String(v.bytes).padStart(7)} bytes ${String(v.macs).padStart(9)} ${v.kind === "classical" ? "ops " : "MACs"}  ${figure}  (${where})`,
              );
            }
          }
          for (const w of listStreamingWorkloads()) {
            const m = w.manifest;
            const scored = m.streams.long!;
            const q = m.quality?.long as { truePositives?: number; falseNegatives?: number; falsePositives?: number } | undefined;
            const figure = q ? `host TP ${q.truePositives} FN ${q.falseNegatives} FP ${q.falsePositives}` : "no model yet";
            console.log(
              `${w.id.padEnd(18)} ${m.mlperfModelId.padEnd(6)} ${String(m.model?.params ?? "-").padStart(7)} params ${m.model ? (m.model.macs / 1e6).toFixed(2).padStart(6) : "     -"} M MACs  stream: ${figure} of ${scored.wakeWords} (target FP<=${m.scoring.target.maxFalsePositives}, FN<=${m.scoring.target.maxFalseNegatives})  ${scored.seconds} s long stream; in all on emulated boards`,
            );
          }
        },
      )
      .command(
        "build <id>",
        "regenerate a workload's data and model (needs /usr/bin/python3 with torch)",
        (yy) => yy.positional("id", { type: "string", demandOption: true }),
        async (a) => {
          if (isStreamingWorkload(a.id as string)) return buildStreamingWorkload(a.id as string);
          const w = loadWorkload(a.id as string);
          const recipe = w.manifest.recipe;
          if (!recipe) throw new UsageError(`workload ${w.id} has no recipe (${w.manifestFile}): its model was made elsewhere, there is nothing to rebuild`);
          await needTrainingPython();
          const steps: [string, string[]][] = [
            ["npx", ["tsx", path.join(w.dir, recipe.generate)]],
            ["/usr/bin/python3", [path.join(w.dir, recipe.train)]],
            ...(recipe.classical ? [["npx", ["tsx", path.join(w.dir, recipe.classical)]] as [string, string[]]] : []),
            ["npx", ["tsx", path.join(ROOT, "harness/workloads/evaluate.ts"), w.id, "--write"]],
          ];
          for (const [cmd, args] of steps) {
            console.error(`$ ${cmd} ${args.join(" ")}`);
            await execa(cmd, args, { cwd: ROOT, stdio: "inherit" });
          }
        },
      )
      .command(
        "import-mlperf <checkout>",
        "MLPerf Tiny's official models (and their test sets where the checkout holds the files) as workload folders",
        (yy) =>
          yy
            .positional("checkout", { type: "string", demandOption: true, describe: "a checkout of github.com/mlcommons/tiny" })
            .option("out", {
              type: "string",
              describe: "the folder the workloads go in (default: the first of the config's workloads folders, TINYRIG_WORKLOADS)",
            })
            .option("only", { type: "string", array: true, choices: MLPERF_IDS, describe: "these benchmarks only (default: all)" })
            .option("force", { type: "boolean", default: false, describe: "replace workload folders already there" }),
        (a) => {
          process.exitCode = importMlperfCommand(a.checkout as string, a.out, a.only, a.force);
        },
      )
      .demandCommand(1, "workloads list | build <id> | import-mlperf <checkout>"),
  );
}

/** `import-mlperf`: a line per benchmark; exit 0 only if each one asked for was imported. */
function importMlperfCommand(checkout: string, outOption: string | undefined, only: string[] | undefined, force: boolean): number {
  const config = loadConfig().workloads;
  const out = outOption ?? config.value[0];
  if (out === undefined)
    throw new UsageError(
      "name the folder the workloads go in: --out DIR, or workloads in tinyrig.config.yaml, or TINYRIG_WORKLOADS (where tinyrig finds them)",
    );
  let outcomes: ImportOutcome[];
  try {
    outcomes = importMlperf({ checkout, out, force, only });
  } catch (err) {
    throw err instanceof ImportUsageError ? new UsageError(err.message) : err;
  }
  // a streaming workload's manifest is checked by the stream engine's loader, as a run would load it
  outcomes = outcomes.map((o) => {
    if (o.status !== "imported" || !o.streaming) return o;
    try {
      loadStreamingWorkload(o.id, path.dirname(o.dir));
      return o;
    } catch (err) {
      return { id: o.id, status: "failed", reason: `${o.dir} was written but does not load: ${(err as Error).message}` };
    }
  });
  for (const o of outcomes) {
    if (o.status === "imported") console.log(`${o.id}  imported  ${o.dir}  (${o.dataset})`);
    else console.error(`${o.id}  ${o.status}: ${o.reason}`);
  }
  const found = outcomes.filter((o) => o.status === "imported").length;
  const searched = outOption === undefined || config.value.some((d) => path.resolve(d) === path.resolve(outOption));
  if (found && !searched) console.error(`tinyrig finds these with TINYRIG_WORKLOADS=${path.resolve(out)} (or workloads in tinyrig.config.yaml)`);
  return outcomes.every((o) => o.status === "imported" || (o.status === "not imported" && !only?.includes(o.id))) ? 0 : 1;
}

/**
 * A streaming workload's recipe: its streams, its training set and validation stream, the training, the detection
 * rule chosen on the validation stream, then the host evaluation into streaming.yaml.
 */
async function buildStreamingWorkload(id: string): Promise<void> {
  const w = loadStreamingWorkload(id);
  const r = w.manifest.recipe;
  if (!r) throw new UsageError(`${id}: ${w.manifestFile} has no recipe (a model made elsewhere, e.g. by import-mlperf): nothing to build`);
  await needTrainingPython();
  const steps: [string, string[]][] = [
    ["npx", ["tsx", path.join(w.dir, r.generate)]],
    ...(r.trainingSet ? [["npx", ["tsx", path.join(w.dir, r.trainingSet)]] as [string, string[]]] : []),
    ["/usr/bin/python3", [path.join(w.dir, r.train)]],
    ...(r.chooseRule ? [["npx", ["tsx", path.join(w.dir, r.chooseRule), "--write"]] as [string, string[]]] : []),
    ["npx", ["tsx", path.join(ROOT, "harness/streaming/evaluate.ts"), w.id, "--write"]],
  ];
  for (const [cmd, args] of steps) {
    console.error(`$ ${cmd} ${args.join(" ")}`);
    await execa(cmd, args, { cwd: ROOT, stdio: "inherit" });
  }
}

/**
 * The training recipes run on Debian's Python with its torch, numpy and flatbuffers (the .tflite writer); a pyenv
 * python3 first on PATH usually lacks them, hence /usr/bin/python3. Missing modules are named with their packages.
 */
async function needTrainingPython(): Promise<void> {
  const modules: Record<string, string> = { torch: "python3-torch", numpy: "python3-numpy", flatbuffers: "python3-flatbuffers" };
  const missing: string[] = [];
  for (const [mod, pkg] of Object.entries(modules)) {
    const r = await execa("/usr/bin/python3", ["-c", `import ${mod}`], { reject: false });
    if (r.exitCode !== 0) missing.push(pkg);
  }
  if (missing.length) {
    throw new Error(
      `the training recipes need Debian's ${missing.join(", ")} for /usr/bin/python3: apt-get install ${missing.join(" ")} (the committed models and data need none of this)`,
    );
  }
}

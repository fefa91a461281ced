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
import { isStreamingWorkload, listStreamingWorkloads, loadStreamingWorkload } from "../streaming/workload.ts";

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
            const q = m.metric.name === "top1" ? `top-1 ${(m.quality.int8 * 100).toFixed(1)}%` : `AUC ${m.quality.int8.toFixed(3)}`;
            console.log(
              `${w.id.padEnd(18)} ${m.mlperfModelId.padEnd(6)} ${String(m.model.params).padStart(7)} params ${(m.model.macs / 1e6).toFixed(2).padStart(6)} M MACs  int8 ${q} (target ${m.metric.target})  ${m.dataset.count} test inputs`,
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
          await needTrainingPython();
          const steps: [string, string[]][] = [
            ["npx", ["tsx", path.join(w.dir, w.manifest.recipe.generate)]],
            ["/usr/bin/python3", [path.join(w.dir, w.manifest.recipe.train)]],
            ...(w.manifest.recipe.classical ? [["npx", ["tsx", path.join(w.dir, w.manifest.recipe.classical)]] as [string, string[]]] : []),
            ["npx", ["tsx", path.join(ROOT, "harness/workloads/evaluate.ts"), w.id, "--write"]],
          ];
          for (const [cmd, args] of steps) {
            console.error(`$ ${cmd} ${args.join(" ")}`);
            await execa(cmd, args, { cwd: ROOT, stdio: "inherit" });
          }
        },
      )
      .demandCommand(1, "workloads list | build <id>"),
  );
}

/**
 * A streaming workload's recipe: its streams, its training set and validation stream, the training, the detection
 * rule chosen on the validation stream, then the host evaluation into streaming.yaml.
 */
async function buildStreamingWorkload(id: string): Promise<void> {
  const w = loadStreamingWorkload(id);
  const r = w.manifest.recipe;
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

// `tinyrig config`: the settings in force and where each comes from (harness/config.ts has the precedence).
import type { Argv } from "yargs";
import { describeCommand } from "../cli.ts";
import { loadConfig, SETTING_DESCRIPTIONS } from "../config.ts";

export function configCommand(cli: Argv): void {
  cli.command(
    "config",
    describeCommand("config"),
    (y) => y.option("json", { type: "boolean", default: false, describe: "machine-readable output" }),
    (args) => {
      const config = loadConfig();
      const settings = (Object.keys(SETTING_DESCRIPTIONS) as (keyof typeof SETTING_DESCRIPTIONS)[]).map((key) => ({
        key,
        value: config[key].value,
        source: config[key].source,
        env: SETTING_DESCRIPTIONS[key].env,
        describe: SETTING_DESCRIPTIONS[key].describe,
      }));
      if (args.json) {
        console.log(JSON.stringify({ configFile: config.file ?? null, projectDir: config.projectDir, settings }, null, 2));
        return;
      }
      console.log(`config file: ${config.file ?? "none (tinyrig.config.yaml in this folder or above; or TINYRIG_CONFIG)"}`);
      console.log(`project folder: ${config.projectDir}`);
      const shown = settings.map((s) => [s.key, Array.isArray(s.value) ? s.value.join(", ") || "(none)" : s.value, s.source]);
      const widths = [0, 1].map((i) => Math.max(...shown.map((r) => r[i]!.length)));
      for (const r of shown) console.log(`${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}`);
    },
  );
}

// tinyrig's settings: where the result database, reports and builds go, which board folders are searched, which board
// a run uses by default. Each comes from, in order of precedence: a command-line option (the commands apply those),
// an environment variable, `tinyrig.config.yaml` (the first found in the working folder or above it, or the file
// TINYRIG_CONFIG names), or the default. Outputs default to the project folder: the config file's folder, or the
// working folder without one — never the installed package. `tinyrig config` shows what was resolved and from where.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { parseYaml, YamlFileError } from "./yaml.ts";

export const CONFIG_FILE_NAME = "tinyrig.config.yaml";
/** The board a run uses unless told otherwise: an emulated Cortex-M4F, which every machine can run. */
export const DEFAULT_BOARD = "mps2-an386";

const configSchema = z
  .object({
    db: z.string().min(1).describe("result database file"),
    reports: z.string().min(1).describe("folder the report is written to"),
    build: z.string().min(1).describe("folder firmware and tools are built in"),
    boards: z.array(z.string().min(1)).describe("folders of board files, searched before the built-in boards"),
    defaultBoard: z.string().min(1).describe("the board a run uses when --board is not given"),
    workloads: z.array(z.string().min(1)).describe("folders of workloads, searched before the built-in workloads"),
  })
  .partial()
  .strict();
type ConfigFile = z.output<typeof configSchema>;

export type SettingSource = "default" | `environment ${string}` | `config ${string}` | `option ${string}`;

export interface Setting<T> {
  value: T;
  source: SettingSource;
}

export interface TinyrigConfig {
  /** The config file used, if any. */
  file?: string;
  /** Relative outputs resolve here: the config file's folder, or the working folder. */
  projectDir: string;
  db: Setting<string>;
  reports: Setting<string>;
  build: Setting<string>;
  boards: Setting<string[]>;
  defaultBoard: Setting<string>;
  workloads: Setting<string[]>;
}

const ENV = {
  db: "TINYRIG_DB",
  reports: "TINYRIG_REPORTS",
  build: "TINYRIG_BUILD_DIR",
  boards: "TINYRIG_BOARDS",
  defaultBoard: "TINYRIG_BOARD",
  workloads: "TINYRIG_WORKLOADS",
} as const;

/** The first tinyrig.config.yaml in `from` or a folder above it. */
export function findConfigFile(from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const file = path.join(dir, CONFIG_FILE_NAME);
    if (existsSync(file)) return file;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Reads and validates a config file; errors name the file, the line and the field. */
export function readConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new YamlFileError(file, [{ field: "", message: `cannot read: ${(err as Error).message}` }], "tinyrig config file");
  }
  const parsed = parseYaml(text, configSchema);
  if (!parsed.ok) throw new YamlFileError(file, parsed.problems, "tinyrig config file");
  return parsed.value.data;
}

/** Settings given on the command line, which win over the environment and the config file. */
export interface ConfigOptions {
  /** `--workloads DIR` (any command): workload folders searched before the built-in ones. */
  workloads?: string[];
}

export function resolveConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), options: ConfigOptions = {}): TinyrigConfig {
  const named = env.TINYRIG_CONFIG;
  if (named !== undefined && !existsSync(path.resolve(cwd, named))) {
    throw new YamlFileError(path.resolve(cwd, named), [{ field: "", message: "TINYRIG_CONFIG names this file, which does not exist" }], "tinyrig config file");
  }
  const file = named !== undefined ? path.resolve(cwd, named) : findConfigFile(cwd);
  const fromFile = file ? readConfigFile(file) : {};
  const projectDir = file ? path.dirname(file) : cwd;
  const list = (v: string) =>
    v
      .split(path.delimiter)
      .filter(Boolean)
      .map((p) => path.resolve(cwd, p));

  function pick<K extends keyof typeof ENV, T>(key: K, fallback: T, fromEnv: (v: string) => T, fromConfig: (v: NonNullable<ConfigFile[K]>) => T): Setting<T> {
    const e = env[ENV[key]];
    if (e !== undefined && e !== "") return { value: fromEnv(e), source: `environment ${ENV[key]}` };
    const c = fromFile[key];
    if (c !== undefined) return { value: fromConfig(c as NonNullable<ConfigFile[K]>), source: `config ${file}` };
    return { value: fallback, source: "default" };
  }
  const inProject = (p: string) => path.resolve(projectDir, p);
  const pathSetting = (key: "db" | "reports" | "build", fallback: string) => pick(key, inProject(fallback), (v) => path.resolve(cwd, v), inProject);
  return {
    file,
    projectDir,
    db: pathSetting("db", "results/tinyrig.db"),
    reports: pathSetting("reports", "reports"),
    build: pathSetting("build", "build"),
    boards: pick("boards", [], list, (v) => v.map(inProject)),
    defaultBoard: pick(
      "defaultBoard",
      DEFAULT_BOARD,
      (v) => v,
      (v) => v,
    ),
    workloads: options.workloads?.length
      ? { value: options.workloads.map((d) => path.resolve(cwd, d)), source: "option --workloads" }
      : pick("workloads", [], list, (v) => v.map(inProject)),
  };
}

let cached: TinyrigConfig | undefined;
let commandLine: ConfigOptions = {};

/** The command line's settings (harness/cli.ts, before any command module resolves the settings). */
export function setConfigOptions(options: ConfigOptions): void {
  commandLine = options;
  cached = undefined;
}

/** The settings of this process, resolved once (environment and working folder as they were then). */
export function loadConfig(): TinyrigConfig {
  cached ??= resolveConfig(process.env, process.cwd(), commandLine);
  return cached;
}

/** What each setting means, for `tinyrig config`. */
export const SETTING_DESCRIPTIONS: Record<keyof typeof ENV, { env: string; describe: string }> = Object.fromEntries(
  (Object.keys(ENV) as (keyof typeof ENV)[]).map((k) => [k, { env: ENV[k], describe: configSchema.shape[k].unwrap().description ?? "" }]),
) as Record<keyof typeof ENV, { env: string; describe: string }>;

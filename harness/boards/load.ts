// Loads board files: YAML -> schema -> BoardDefinition. Errors name the file, the line and the field.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import type { ZodType } from "zod";
import { boardSchema, type BoardDefinition } from "./schema.ts";
import { lineOf, parseYaml, problemsIn } from "../yaml.ts";
import { packagePath } from "../paths.ts";
import { DEFAULT_BOARD, loadConfig } from "../config.ts";

export { DEFAULT_BOARD };

export class BoardFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { line?: number; field: string; message: string }[],
  ) {
    super(`${file}: invalid board file\n` + problems.map((p) => `  ${p.line ? `line ${p.line}: ` : ""}${p.field || "(top level)"}: ${p.message}`).join("\n"));
    this.name = "BoardFileError";
  }
}

/** The directory of the boards tinyrig ships. */
export const BUILTIN_BOARDS_DIR = packagePath("boards");

export function loadBoardFile(file: string): BoardDefinition {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, "utf8");
  } catch (err) {
    throw new BoardFileError(abs, [{ field: "", message: `cannot read: ${(err as Error).message}` }]);
  }
  return parseBoardText(text, abs);
}

export function parseBoardText(text: string, file: string): BoardDefinition {
  const parsed = parseYaml(text, boardSchema);
  if (!parsed.ok) throw new BoardFileError(file, parsed.problems);
  const { data: board, doc, lines: lineCounter } = parsed.value;
  const base = path.basename(file).replace(/\.ya?ml$/, "");
  if (board.name !== base) {
    throw new BoardFileError(file, [
      { line: lineOf(doc, lineCounter, ["name"]), field: "name", message: `"${board.name}" must match the file name "${base}"` },
    ]);
  }
  return {
    ...board,
    file,
    text,
    fileSha256: createHash("sha256").update(text).digest("hex"),
    kind: board.console.emulator ? "emulated" : "physical",
  };
}

/**
 * A section another module validates (the flasher's own schema, from harness/flash/): checked against the board file,
 * its problems named with the file, line and field like the board schema's own.
 */
export function checkBoardSection(board: BoardDefinition, section: "flasher" | "powerMonitor", schema: ZodType): void {
  const value = board[section];
  if (value === undefined) return;
  const r = schema.safeParse(value);
  if (r.success) return;
  throw new BoardFileError(board.file, problemsIn(board.text, r.error, [section]));
}

/** Board search path: the user's directories first (given, then TINYRIG_BOARDS or the config file's), then the built-in boards. */
export function boardDirs(extra: string[] = []): string[] {
  return [...extra, ...loadConfig().boards.value, BUILTIN_BOARDS_DIR].map((d) => path.resolve(d));
}

export function listBoardFiles(dirs = boardDirs()): string[] {
  const seen = new Map<string, string>();
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!/\.ya?ml$/.test(f)) continue;
      const name = f.replace(/\.ya?ml$/, "");
      if (!seen.has(name)) seen.set(name, path.join(dir, f)); // earlier directories win
    }
  }
  return [...seen.values()];
}

/** Find a board by name (or by path to a YAML file). */
export function findBoard(nameOrPath: string, dirs = boardDirs()): BoardDefinition {
  if (/\.ya?ml$/.test(nameOrPath) || nameOrPath.includes("/")) return loadBoardFile(nameOrPath);
  const file = listBoardFiles(dirs).find((f) => path.basename(f).replace(/\.ya?ml$/, "") === nameOrPath);
  if (!file) {
    const known = listBoardFiles(dirs).map((f) => path.basename(f).replace(/\.ya?ml$/, ""));
    throw new Error(`no board named "${nameOrPath}" (searched ${dirs.join(", ")}); known: ${known.join(", ")}`);
  }
  return loadBoardFile(file);
}

/** The board a run uses when none is named (TINYRIG_BOARD, the config file's defaultBoard, or mps2-an386). */
export function defaultBoard(): string {
  return loadConfig().defaultBoard.value;
}

// Loads board files: YAML -> schema -> BoardDefinition. Errors name the file, the line and the field.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Node } from "yaml";
import type { ZodError, ZodType } from "zod";
import { boardSchema, type BoardDefinition } from "./schema.ts";

export class BoardFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { line?: number; field: string; message: string }[],
  ) {
    super(
      `${file}: invalid board file\n` +
        problems.map((p) => `  ${p.line ? `line ${p.line}: ` : ""}${p.field || "(top level)"}: ${p.message}`).join("\n"),
    );
    this.name = "BoardFileError";
  }
}

/** The directory of the boards tinyrig ships. */
export const BUILTIN_BOARDS_DIR = path.resolve(import.meta.dirname, "../../boards");

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
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    // Without prettyErrors the yaml library leaves linePos unset: the line comes from the error's offset.
    throw new BoardFileError(
      file,
      doc.errors.map((e) => ({ line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line, field: "", message: `YAML: ${e.message.split("\n")[0]}` })),
    );
  }
  const result = boardSchema.safeParse(doc.toJS());
  if (!result.success) throw new BoardFileError(file, describeIssues(result.error, doc, lineCounter));
  const board = result.data;
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
  const lineCounter = new LineCounter();
  const doc = parseDocument(board.text, { lineCounter, prettyErrors: false });
  throw new BoardFileError(board.file, describeIssues(r.error, doc, lineCounter, [section]));
}

function describeIssues(error: ZodError, doc: ReturnType<typeof parseDocument>, lc: LineCounter, prefix: string[] = []) {
  return error.issues.map((issue) => {
    const p = [...prefix, ...issue.path.map((k) => (typeof k === "symbol" ? String(k) : k))];
    // For an unknown key, point at the key itself.
    const keys = (issue as { keys?: string[] }).keys;
    const where = keys?.length ? [...p, keys[0]!] : p;
    return { line: lineOf(doc, lc, where), field: where.join("."), message: issue.message };
  });
}

function lineOf(doc: ReturnType<typeof parseDocument>, lc: LineCounter, at: (string | number)[]): number | undefined {
  // Walk down as far as the path exists; report the deepest node found.
  let node: Node | null | undefined = doc.contents as Node | null;
  let line: number | undefined = node?.range ? lc.linePos(node.range[0]).line : undefined;
  for (const key of at) {
    if (!isMap(node) && !(node && "items" in node)) break;
    const items: unknown[] = (node as { items: unknown[] }).items;
    let next: Node | undefined;
    if (isMap(node)) {
      const pair: unknown = items.find(
        (it: unknown) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(key),
      );
      if (!isPair(pair)) break;
      const keyNode = pair.key as Node;
      if (keyNode.range) line = lc.linePos(keyNode.range[0]).line;
      next = (pair.value as Node | undefined) ?? undefined;
    } else {
      next = items[Number(key)] as Node | undefined;
      if (next?.range) line = lc.linePos(next.range[0]).line;
    }
    node = next;
    if (!node) break;
  }
  return line;
}

/** Board search path: the user's directories first, then the built-in boards. */
export function boardDirs(extra: string[] = []): string[] {
  const fromEnv = (process.env.TINYRIG_BOARDS ?? "").split(path.delimiter).filter(Boolean);
  return [...extra, ...fromEnv, BUILTIN_BOARDS_DIR].map((d) => path.resolve(d));
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

export const DEFAULT_BOARD = "mps2-an386";

// Writes an in-memory file tree as a folder, all or nothing: into a temporary folder beside the destination, renamed
// into place at the end, so a failure never leaves a partial tree where the destination should be.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

export class DestinationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DestinationError";
  }
}

/** Why `dir` cannot receive a new tree (it exists and is not an empty folder), or null. */
export function destinationProblem(dir: string): string | null {
  const abs = path.resolve(dir);
  if (!existsSync(abs)) return existsSync(path.dirname(abs)) ? null : `${path.dirname(abs)}: no such folder (the export's parent must exist)`;
  if (!statSync(abs).isDirectory()) return `${abs}: exists and is not a folder`;
  if (readdirSync(abs).length) return `${abs}: exists and is not empty (name a new folder)`;
  return null;
}

/** `files`: relative path -> text. */
export function writeTree(dir: string, files: ReadonlyMap<string, string>): void {
  const abs = path.resolve(dir);
  const problem = destinationProblem(abs);
  if (problem) throw new DestinationError(problem);
  const tmp = mkdtempSync(path.join(path.dirname(abs), `.${path.basename(abs)}.partial-`));
  try {
    for (const [rel, text] of files) {
      const file = path.join(tmp, rel);
      if (!file.startsWith(tmp + path.sep)) throw new Error(`${rel}: leaves the export folder`);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    if (existsSync(abs)) rmdirSync(abs); // empty (checked above): rename needs the name free
    renameSync(tmp, abs);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

// Where tinyrig's own files are: the package root holds what it ships (firmware sources, board files, workloads,
// docs). Found by walking up from this module, so it is the same from the sources (harness/) and from the built
// JavaScript (dist/harness/). Nothing is ever written here: outputs go where harness/config.ts says.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "tinyrig") return dir;
    if (path.dirname(dir) === dir) throw new Error(`tinyrig's package.json was not found above ${from}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(import.meta.dirname);

/** A file or folder tinyrig ships, e.g. `packagePath("firmware")`. */
export function packagePath(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, ...parts);
}

/** tinyrig's version, from its package.json. */
export function tinyrigVersion(): string {
  return (JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { version: string }).version;
}

/** What tinyrig firmware reports as its version (TR_FW_VERSION), and what every stored run records as tinyrig's. */
export function firmwareVersion(): string {
  return `tinyrig-${tinyrigVersion()}`;
}

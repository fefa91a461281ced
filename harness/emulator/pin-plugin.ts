// The emulated board's timestamp pin, observed in virtual time: builds tinyrig's QEMU plugin
// (qemu-pin-plugin.c) once per machine, and reads the edge log it writes.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { loadConfig } from "../config.ts";
import { packagePath } from "../paths.ts";

// The C source ships beside the TypeScript (packagePath: the built JavaScript lives elsewhere); the .so is built
// in the configured build folder.
const SOURCE = packagePath("harness", "emulator", "qemu-pin-plugin.c");

/** Compiles the plugin with the host compiler if this source has not been built yet; returns the .so path. */
export async function ensurePinPlugin(): Promise<string> {
  const source = readFileSync(SOURCE);
  const buildDir = path.join(loadConfig().build.value, "qemu-plugin");
  const so = path.join(buildDir, `pin-${createHash("sha256").update(source).digest("hex").slice(0, 12)}.so`);
  if (existsSync(so)) return so;
  mkdirSync(buildDir, { recursive: true });
  const args = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-O2", "-shared", "-fPIC", "-fvisibility=hidden", "-o", so, SOURCE];
  const r = await execa("gcc", args, { all: true, reject: false });
  if (r.exitCode !== 0) throw new Error(`building the QEMU pin plugin failed (gcc ${args.join(" ")}):\n${r.all}`);
  return so;
}

export interface PinWrite {
  /** Guest instructions executed up to and including the store. */
  instructions: number;
  /** Virtual time of the store: instructions x 2^icountShift ns, in microseconds. */
  timeUs: number;
}

/** Parses the plugin's log; a half-written last line (the run still going) is left for the next read. */
export function parsePinLog(text: string, icountShift: number): { writes: PinWrite[]; ended: boolean } {
  const writes: PinWrite[] = [];
  let ended = false;
  const lines = text.split("\n");
  if (!text.endsWith("\n")) lines.pop();
  for (const line of lines) {
    if (line === "") continue;
    if (line.startsWith("end ")) {
      ended = true;
      continue;
    }
    const m = /^(\d+) 0x[0-9a-f]+$/.exec(line);
    if (!m) throw new Error(`malformed line in the QEMU pin log: ${JSON.stringify(line.slice(0, 80))}`);
    const instructions = Number(m[1]);
    writes.push({ instructions, timeUs: (instructions * 2 ** icountShift) / 1000 });
  }
  return { writes, ended };
}

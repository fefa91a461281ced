// What a classical model compiled to C costs in flash: its object compiled for a board's CPU (the flags the firmware
// uses, -O2, one section per function and object), code + constant tables + initialised data summed from the
// sections. Scratch buffers (.bss) are RAM, reported apart. C library helpers it calls (memset) are not counted.
import { execaSync } from "execa";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BoardDefinition } from "../boards/schema.ts";
import { FIRMWARE_DIR } from "../build/firmware.ts";

export interface CodeSize {
  /** .text* + .rodata* + .data*: what the model puts in flash. */
  flash: number;
  /** .bss* + .data*: its static RAM. */
  ram: number;
  /** How it was measured, for the manifest. */
  measuredWith: string;
}

export function classicalCodeSize(cFile: string, board: BoardDefinition): CodeSize {
  const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-codesize-"));
  try {
    const obj = path.join(dir, "model.o");
    const flags = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-O2", "-ffunction-sections", "-fdata-sections", ...board.build.archFlags];
    execaSync(`${board.build.cross}gcc`, [...flags, `-I${path.join(FIRMWARE_DIR, "core")}`, "-c", cFile, "-o", obj]);
    const out = execaSync(`${board.build.cross}size`, ["-A", obj]).stdout;
    let flash = 0;
    let ram = 0;
    for (const line of out.split("\n")) {
      const m = /^(\.\S+)\s+(\d+)\s+\d+/.exec(line.trim());
      if (!m) continue;
      const [name, size] = [m[1]!, Number(m[2])];
      if (/^\.(text|rodata)/.test(name)) flash += size;
      else if (/^\.data/.test(name)) (flash += size), (ram += size);
      else if (/^\.bss/.test(name)) ram += size;
    }
    return { flash, ram, measuredWith: `${board.build.cross}gcc ${flags.join(" ")} (${board.name}), ${board.build.cross}size -A` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

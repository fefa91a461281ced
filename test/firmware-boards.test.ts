// Firmware builds for every board whose port exists (physical ones too: built here, run where the board is), and a
// clear refusal for a board whose port is not written yet.
import path from "node:path";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { boardDirs, listBoardFiles, loadBoardFile } from "../harness/boards/load.ts";
import { buildFirmware, FIRMWARE_DIR } from "../harness/build/firmware.ts";

const model = path.resolve(import.meta.dirname, "../workloads/vibration/model.tflite");
const boards = listBoardFiles(boardDirs()).map(loadBoardFile);

describe("firmware builds", () => {
  for (const board of boards) {
    const hasPort = existsSync(path.join(FIRMWARE_DIR, "ports", `${board.build.port}.c`));
    it(`${board.name} (${board.kind}, port ${board.build.port}${hasPort ? "" : ": not written yet"})`, async () => {
      const spec = { board, modelId: "vib01", modelPath: model, inputBytes: 768, transform: "int8" as const, timestampMode: "performance" as const };
      if (!hasPort) {
        await expect(buildFirmware(spec)).rejects.toThrow(new RegExp(`${board.name}\\.yaml: build\\.port needs firmware/ports/${board.build.port}\\.c`));
        return;
      }
      const image = await buildFirmware(spec);
      expect(existsSync(image.elf) && existsSync(image.hex) && existsSync(image.bin)).toBe(true);
      const size = JSON.parse(readFileSync(path.join(image.dir, "size.json"), "utf8")) as { flash: number; ram: number };
      expect(size.flash).toBeLessThanOrEqual(board.memory.flash.size);
      expect(size.ram).toBeLessThanOrEqual(board.memory.ram.size);
    }, 180_000);
  }
});

// Firmware builds for every board whose port exists (physical ones too: built here, run where the board is), a
// clear refusal for a board whose port is not written yet, and one configuration built by two at once (test files run
// in parallel workers and share build/firmware).
import path from "node:path";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { boardDirs, findBoard, listBoardFiles, loadBoardFile } from "../harness/boards/load.ts";
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

describe("one configuration built twice at once", () => {
  it("the second build waits for the first to finish, then reuses its work: one make at a time per build directory", async () => {
    const buildRoot = mkdtempSync(path.join(tmpdir(), "tinyrig-build-lock-"));
    const spec = {
      board: findBoard("mps2-an386"),
      modelId: "vib01",
      modelPath: model,
      inputBytes: 768,
      transform: "int8" as const,
      timestampMode: "performance" as const,
      buildRoot,
    };
    const events: string[] = [];
    const build = async (who: string) => {
      const image = await buildFirmware(spec, (line) => {
        if (line.startsWith("make ")) events.push(`${who} make`);
      });
      events.push(`${who} done`);
      return { image, elfMtime: statSync(image.elf).mtimeMs };
    };
    const [a, b] = await Promise.all([build("a"), build("b")]);
    const first = events[0]!.split(" ")[0]!;
    const second = first === "a" ? "b" : "a";
    expect(events).toEqual([`${first} make`, `${first} done`, `${second} make`, `${second} done`]);
    expect(b.image.sha256).toBe(a.image.sha256);
    expect(b.elfMtime).toBe(a.elfMtime); // the second make found the image up to date and did not link it again
  }, 180_000);
});

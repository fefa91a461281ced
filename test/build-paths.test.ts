// Paths with spaces (a user's "My Projects" folder, a package installed under one): make cannot take them as words,
// so the build reaches them through space-free links. A real firmware build with its model and its build folder in
// folders with spaces (test/package.test.ts runs a whole suite from a folder with a space in its name).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { findBoard } from "../harness/boards/load.ts";
import { buildFirmware } from "../harness/build/firmware.ts";
import { loadWorkload } from "../harness/workloads/registry.ts";

it("builds firmware whose model and build folder are in folders with spaces", async () => {
  const root = mkdtempSync(path.join(tmpdir(), "tinyrig paths "));
  const w = loadWorkload("vibration");
  const modelDir = path.join(root, "my models");
  mkdirSync(modelDir);
  const model = path.join(modelDir, "vibration model.tflite");
  copyFileSync(w.modelPath, model);
  const m = w.manifest;
  const image = await buildFirmware({
    board: findBoard("mps2-an386"),
    modelId: m.mlperfModelId,
    modelPath: model,
    inputBytes: m.input.bytes,
    transform: m.input.transform,
    timestampMode: "performance",
    buildRoot: path.join(root, "build output"),
  });
  expect(image.dir.startsWith(path.join(root, "build output"))).toBe(true);
  expect(existsSync(image.elf)).toBe(true);
  expect(image.sizes.flash).toBeGreaterThan(m.model.bytes);
}, 180_000);

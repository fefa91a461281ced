// Runs a small test model on an emulated board through the real path (build, QEMU, PTY, protocol): each input loaded,
// `infer 1 0`, the raw output tensor read back. For operator tests whose expected outputs the test works out itself.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findBoard } from "../../harness/boards/load.ts";
import { buildFirmware, type FirmwareSpec } from "../../harness/build/firmware.ts";
import { connectBoard } from "../../harness/run/connect.ts";

export async function runOnBoard(boardName: string, model: Uint8Array, inputs: Uint8Array[], extra: Partial<FirmwareSpec> = {}): Promise<Uint8Array[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-devmodel-"));
  const modelPath = path.join(dir, "model.tflite");
  writeFileSync(modelPath, model);
  const board = findBoard(boardName);
  const fw = await buildFirmware({
    board,
    modelId: "test01",
    modelPath,
    inputBytes: Math.max(...inputs.map((i) => i.length)),
    transform: "int8",
    timestampMode: "performance",
    buildRoot: path.join(dir, "build"),
    ...extra,
  });
  const conn = await connectBoard(board, fw, { mode: "accuracy", log: () => {} });
  try {
    const outputs: Uint8Array[] = [];
    for (const input of inputs) {
      await conn.session.loadInput(input);
      await conn.session.infer(1, 0, 60_000);
      outputs.push((await conn.session.outputRaw())!);
    }
    return outputs;
  } finally {
    await conn.close();
  }
}

// A user's own model, without editing tinyrig (issue 14): `tinyrig run --model X.tflite --dataset DIR` reads the input
// size, type and transform off the model's input tensor and the class count off its output, refuses an --input-bytes
// that disagrees before any work, and runs on the default emulated board bit for bit with the host interpreter.
// `tinyrig build` checks --input-bytes against a .tflite the same way.
import Database from "better-sqlite3";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { modelInput } from "../harness/workloads/model-workload.ts";
import { ROOT, tinyrig } from "./helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-user-model-"));
const model = path.join(dir, "my-vibration.tflite");
copyFileSync(path.join(ROOT, "workloads/vibration/model.tflite"), model);
const data = path.join(dir, "data");
mkdirSync(data);
const rows = readFileSync(path.join(ROOT, "workloads/vibration/data/y_labels.csv"), "utf8").trim().split("\n").slice(0, 6);
for (const row of rows) cpSync(path.join(ROOT, "workloads/vibration/data", row.split(",")[0]!), path.join(data, row.split(",")[0]!));
writeFileSync(path.join(data, "y_labels.csv"), `${rows.join("\n")}\n`);

describe("--model: a user's own .tflite", () => {
  it("reads the input off the model: int8 as sent, float32 data quantised or passed to a float32 input; refuses what disagrees", () => {
    expect(modelInput("m.tflite", { type: "int8", elements: 768, zeroPoint: 0 })).toEqual({ transform: "int8", bytes: 768 });
    expect(modelInput("m.tflite", { type: "int8", elements: 640, zeroPoint: 3 }, "float32-quantize")).toEqual({ transform: "float32-quantize", bytes: 2560 });
    expect(modelInput("m.tflite", { type: "float32", elements: 10 })).toEqual({ transform: "raw", bytes: 40 });
    expect(() => modelInput("m.tflite", { type: "int8", elements: 768, zeroPoint: 5 }, "uint8-minus-128")).toThrow(
      /needs an input zero point of -128 \(this model's is 5\)/,
    );
    expect(() => modelInput("m.tflite", { type: "uint8", elements: 768 })).toThrow(/m\.tflite: the input tensor is uint8/);
    expect(() => modelInput("m.tflite", { type: "int8", elements: 768, zeroPoint: 0 }, undefined, 700)).toThrow(
      /--input-bytes 700 disagrees with the model: its int8 input of 768 elements takes 768 bytes/,
    );
  });

  it("runs on the default emulated board, bit-exact with the host, stored as the model's own workload", async () => {
    const db = path.join(dir, "run.db");
    const r = await tinyrig(["run", "--model", model, "--dataset", data, "--mode", "accuracy", "--db", db, "--json"]);
    expect(r.exitCode, r.all).toBe(0);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({
      workload: "my-vibration",
      mode: "accuracy",
      status: "completed",
      accuracy: { count: 6, bitExact: { matched: 6, compared: 6 } },
      validity: { class: "exploratory" },
    });
    const sql = new Database(db, { readonly: true });
    const run = sql
      .prepare(
        "SELECT r.settings_json, r.dut_model_id, w.name, w.model_sha256, d.source FROM run r JOIN workload w ON w.id = r.workload_id JOIN dataset d ON d.id = r.dataset_id",
      )
      .get() as Record<string, string>;
    sql.close();
    expect(run).toMatchObject({ dut_model_id: "custom", name: "my-vibration", source: `imported:${data}` });
    expect(JSON.parse(run.settings_json!)).toMatchObject({ modelFile: model, inputTransform: "int8" });
  }, 180_000);

  it("refuses, before any work, an --input-bytes that disagrees, a model without a dataset, and a model with a workload", async () => {
    const db = path.join(dir, "refused.db");
    const cases: [string[], RegExp][] = [
      [
        ["--model", model, "--dataset", data, "--input-bytes", "100"],
        /--input-bytes 100 disagrees with the model: its int8 input of 768 elements takes 768 bytes/,
      ],
      [["--model", model], /--model .* needs --dataset/],
      [["--model", model, "--dataset", data, "--workload", "vibration"], /--model runs the model given; leave out --workload/],
      [["--model", path.join(dir, "missing.tflite"), "--dataset", data], /missing\.tflite: cannot read the model: ENOENT/],
    ];
    for (const [extra, message] of cases) {
      const r = await tinyrig(["run", ...extra, "--db", db]);
      expect(r.exitCode, r.all).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(db)).toBe(false);
    const build = await tinyrig(["build", "--model", model, "--input-bytes", "100"]);
    expect(build.exitCode, build.all).toBe(2);
    expect(build.stderr).toMatch(/--input-bytes 100 disagrees with the model/);
  }, 120_000);
});

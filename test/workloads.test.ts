// The reference workloads: manifests valid and consistent with the committed model and data, generators
// deterministic (a test input regenerated from its seed has the committed bytes), MLPerf-layout import refusing
// malformed folders with the file named.
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadTflite, modelCost } from "../harness/tflite/model.ts";
import { readDataset } from "../harness/workloads/dataset.ts";
import { readManifest } from "../harness/workloads/manifest.ts";
import { listWorkloads, loadDataset, readModel } from "../harness/workloads/registry.ts";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const workloads = listWorkloads();

describe("reference workloads", () => {
  it("ships the four reference workloads", () => {
    expect(workloads.map((w) => w.id).sort()).toEqual(["anomaly-detection", "person-detection", "vibration", "wake-word"]);
  });

  for (const w of workloads) {
    describe(w.id, () => {
      it("manifest matches the committed model, variants and dataset, and meets its quality target", () => {
        const m = w.manifest;
        const model = readModel(w); // throws when the hash differs
        expect(model.length).toBe(m.model.bytes);
        const cost = modelCost(loadTflite(model));
        expect(cost).toEqual({ params: m.model.params, macs: m.model.macs });
        if (m.reference) {
          expect(Math.abs(cost.params / m.reference.params - 1)).toBeLessThanOrEqual(0.1);
          expect(Math.abs(cost.macs / m.reference.macs - 1)).toBeLessThanOrEqual(0.1);
        }
        for (const v of m.variants) if (v.kind !== "float32") expect(sha(readFileSync(path.join(w.dir, v.file)))).toBe(v.sha256);
        const ds = loadDataset(w); // throws when the hash differs
        expect(ds.entries.length).toBe(m.dataset.count);
        expect(m.quality!.int8).toBeGreaterThanOrEqual(m.metric.target!);
        expect(m.quality!.float32 - m.quality!.int8).toBeLessThanOrEqual(0.01);
      });
    });
  }
});

describe("generators are deterministic", () => {
  const committed = (id: string, file: string) => sha(readFileSync(path.join(workloads.find((w) => w.id === id)!.dir, "data", file)));
  it("vibration", async () => {
    const g = await import("../workloads/vibration/recipe/generate.ts");
    const seed = workloads.find((w) => w.id === "vibration")!.manifest.dataset.seed!;
    for (const i of [0, 137]) expect(sha(new Uint8Array(g.testInput(seed, i).bytes.buffer))).toBe(committed("vibration", g.testFileName(i)));
  });
  it("anomaly-detection", async () => {
    const g = await import("../workloads/anomaly-detection/recipe/generate.ts");
    const seed = workloads.find((w) => w.id === "anomaly-detection")!.manifest.dataset.seed!;
    expect(sha(new Uint8Array(g.testClip(seed, 3, 12).features.buffer))).toBe(committed("anomaly-detection", g.testFileName(3)));
  });
  it("person-detection", async () => {
    const g = await import("../workloads/person-detection/recipe/generate.ts");
    const seed = workloads.find((w) => w.id === "person-detection")!.manifest.dataset.seed!;
    expect(sha(g.image(seed, "test", 5).bytes)).toBe(committed("person-detection", g.testFileName(5)));
  });
  it("wake-word (espeak-ng)", async () => {
    const g = await import("../workloads/wake-word/recipe/generate.ts");
    const seed = workloads.find((w) => w.id === "wake-word")!.manifest.dataset.seed!;
    const cache = mkdtempSync(path.join(tmpdir(), "tinyrig-wav-"));
    for (const i of [4, 10])
      expect(sha(new Uint8Array((await g.makeClip(seed, "test", i, cache)).bytes.buffer))).toBe(committed("wake-word", g.testFileName(i)));
  }, 60_000);
});

describe("MLPerf Tiny dataset layout", () => {
  const vib = () => workloads.find((w) => w.id === "vibration")!;
  const copy = () => {
    const d = mkdtempSync(path.join(tmpdir(), "tinyrig-ds-"));
    cpSync(path.join(vib().dir, "data"), d, { recursive: true });
    return d;
  };
  const expectations = { workloadId: "vibration", inputBytes: 768, classes: 5, windowed: false };

  it("imports a folder, with or without spaces after commas", () => {
    const d = copy();
    const csv = path.join(d, "y_labels.csv");
    writeFileSync(csv, readFileSync(csv, "utf8").replace(/,/g, ", "));
    const ds = readDataset(d, expectations);
    expect(ds.entries.length).toBe(300);
    expect(ds.sha256).toBe(vib().manifest.dataset.sha256); // the hash does not depend on CSV spacing
  });

  it("refuses a missing file, a file of the wrong size, a bad class and a short row, naming the file", () => {
    let d = copy();
    rmSync(path.join(d, "vib_0007.bin"));
    expect(() => readDataset(d, expectations)).toThrow(/vib_0007\.bin: missing \(listed in .*y_labels\.csv: row 8\)/);
    d = copy();
    truncateSync(path.join(d, "vib_0003.bin"), 700);
    expect(() => readDataset(d, expectations)).toThrow(/vib_0003\.bin: 700 bytes, the model takes 768/);
    d = copy();
    writeFileSync(path.join(d, "y_labels.csv"), "vib_0000.bin,5,cat\n");
    expect(() => readDataset(d, expectations)).toThrow(/y_labels\.csv: row 1: class "cat" is not a class index/);
    writeFileSync(path.join(d, "y_labels.csv"), "vib_0000.bin,5\n");
    expect(() => readDataset(d, expectations)).toThrow(/row 1: expected "file, classes, class"/);
  });

  it("refuses a manifest with a wrong field, naming the file and field", () => {
    const d = mkdtempSync(path.join(tmpdir(), "tinyrig-manifest-"));
    const text = readFileSync(vib().manifestFile, "utf8").replace("task: classification", "task: regression");
    writeFileSync(path.join(d, "manifest.yaml"), text);
    expect(() => readManifest(path.join(d, "manifest.yaml"))).toThrow(/manifest\.yaml: task: /);
  });
});

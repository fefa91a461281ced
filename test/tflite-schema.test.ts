// Every .tflite tinyrig ships, written by workloads/common/tflite_writer.py, checked against TFLite's schema with an
// independent reader: flatc (Debian's flatbuffers-compiler) decodes it with the schema subset in
// workloads/common/tflite-schema-subset.fbs, verifying offsets and types on the way, and the result must say what
// tinyrig's own reader (harness/tflite/model.ts) says.
import { execa } from "execa";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BUILTIN_NAMES, loadTflite } from "../harness/tflite/model.ts";
import { listWorkloads } from "../harness/workloads/registry.ts";

const SCHEMA = path.resolve(import.meta.dirname, "../workloads/common/tflite-schema-subset.fbs");
const TYPES = ["FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING", "BOOL", "INT16", "COMPLEX64", "INT8"];
const out = mkdtempSync(path.join(tmpdir(), "tinyrig-flatc-"));

interface FlatcModel {
  version: number;
  operator_codes: { builtin_code?: number; deprecated_builtin_code?: number; version?: number }[];
  subgraphs: {
    tensors: { shape: number[]; type?: string; name: string }[];
    inputs: number[];
    outputs: number[];
    operators: { opcode_index?: number; inputs: number[]; outputs: number[]; builtin_options_type?: string; builtin_options?: Record<string, unknown> }[];
  }[];
}

async function decode(file: string): Promise<FlatcModel> {
  const dir = mkdtempSync(path.join(out, "m-"));
  await execa("flatc", ["--json", "--strict-json", "--defaults-json", "-o", dir, SCHEMA, "--", file]);
  return JSON.parse(readFileSync(path.join(dir, path.basename(file).replace(/\.tflite$/, ".json")), "utf8")) as FlatcModel;
}

const files = listWorkloads().flatMap((w) => [w.modelPath, ...w.manifest.variants.flatMap((v) => (v.kind === "tflite" ? [path.join(w.dir, v.file)] : []))]);

describe("written .tflite files against the TFLite schema", () => {
  for (const file of files) {
    it(path.relative(path.resolve(import.meta.dirname, ".."), file), async () => {
      const fc = await decode(file);
      const ours = loadTflite(new Uint8Array(readFileSync(file)));
      expect(fc.version).toBe(3);
      const sg = fc.subgraphs[0]!;
      expect(fc.subgraphs).toHaveLength(1);
      expect(sg.inputs).toEqual(ours.inputs);
      expect(sg.outputs).toEqual(ours.outputs);
      expect(sg.tensors.map((t) => [t.shape, t.type ?? "FLOAT32", t.name])).toEqual(ours.tensors.map((t) => [t.shape, t.type.toUpperCase(), t.name]));
      expect(TYPES).toEqual(expect.arrayContaining(sg.tensors.map((t) => t.type ?? "FLOAT32")));
      sg.operators.forEach((op, i) => {
        const code = fc.operator_codes[op.opcode_index ?? 0]!;
        expect(BUILTIN_NAMES[code.builtin_code ?? 0]).toBe(ours.operators[i]!.name);
        expect(code.deprecated_builtin_code).toBe(Math.min(code.builtin_code ?? 0, 127));
        expect(code.version ?? 1).toBe(ours.operators[i]!.version);
        expect(op.inputs).toEqual(ours.operators[i]!.inputs);
        const o = op.builtin_options ?? {};
        if (op.builtin_options_type === "Conv2DOptions" || op.builtin_options_type === "DepthwiseConv2DOptions") {
          expect([o.stride_w, o.stride_h, o.padding]).toEqual([
            ours.operators[i]!.options.strideW,
            ours.operators[i]!.options.strideH,
            ours.operators[i]!.options.padding,
          ]);
        }
      });
    });
  }

  it("flatc's verifier rejects a corrupted model", async () => {
    const bytes = new Uint8Array(readFileSync(files[0]!));
    const bad = bytes.slice();
    new DataView(bad.buffer).setUint32(0, bytes.length * 4, true); // root offset beyond the end
    const file = path.join(out, "bad.tflite");
    writeFileSync(file, bad);
    await expect(decode(file)).rejects.toThrow();
  });
});

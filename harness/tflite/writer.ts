// Writes small .tflite files (schema version 3, identifier TFL3) for tests: operator and model-reader tests build
// graphs here whose expected outputs they work out themselves. Field ids are the TFLite schema's (as in
// workloads/common/tflite_writer.py, the recipes' writer); builtin options are given as (field id, kind, value) so a
// test can write any operator's options table. Nothing is validated beyond what the flatbuffer needs.
import { Builder } from "flatbuffers";

export type WriterType = "float32" | "int32" | "uint8" | "int64" | "int16" | "int8" | "bool";
const TYPE_CODE: Record<WriterType, number> = { float32: 0, int32: 2, uint8: 3, int64: 4, bool: 6, int16: 7, int8: 9 };

export interface WriterTensor {
  name?: string;
  shape: number[];
  type: WriterType;
  /** Constant data, little-endian bytes. */
  data?: Uint8Array;
  scale?: number[];
  zeroPoint?: number[];
  quantizedDimension?: number;
}

/** One options-table field: `i8`/`u8`/`bool`/`i32`/`f32` scalars, `i32v` an int32 vector. */
export type OptionField = [id: number, kind: "i8" | "u8" | "bool" | "i32" | "f32" | "i32v", value: number | boolean | number[]];

export interface WriterOperator {
  /** TFLite BuiltinOperator code */
  code: number;
  version: number;
  inputs: number[];
  outputs: number[];
  /** BuiltinOptions union type id and the table's fields; absent: no options. */
  options?: { type: number; fields: OptionField[] };
}

export interface WriterGraph {
  tensors: WriterTensor[];
  operators: WriterOperator[];
  inputs: number[];
  outputs: number[];
  description?: string;
}

export function writeTflite(g: WriterGraph): Uint8Array {
  const b = new Builder(1024);
  const intVector = (values: number[], kind: "i32" | "i64" | "f32") => {
    const size = kind === "i64" ? 8 : 4;
    b.startVector(size, values.length, size);
    for (const v of [...values].reverse()) {
      if (kind === "i32") b.addInt32(v);
      else if (kind === "f32") b.addFloat32(v);
      else b.addInt64(BigInt(v));
    }
    return b.endVector();
  };
  const offsetVector = (offsets: number[]) => {
    b.startVector(4, offsets.length, 4);
    for (const o of [...offsets].reverse()) b.addOffset(o);
    return b.endVector();
  };

  // buffers: 0 is the empty sentinel; each constant tensor gets its own
  const bufferOf = new Map<number, number>();
  const bufferOffsets: number[] = [];
  b.startObject(1);
  bufferOffsets.push(b.endObject());
  g.tensors.forEach((t, i) => {
    if (!t.data) return;
    b.startVector(1, t.data.length, 16);
    for (let k = t.data.length - 1; k >= 0; k--) b.addInt8(t.data[k]!);
    const data = b.endVector();
    b.startObject(1);
    b.addFieldOffset(0, data, 0);
    bufferOf.set(i, bufferOffsets.length);
    bufferOffsets.push(b.endObject());
  });

  const tensorOffsets = g.tensors.map((t, i) => {
    const name = b.createString(t.name ?? `t${i}`);
    const shape = intVector(t.shape, "i32");
    let quant: number | undefined;
    if (t.scale) {
      const scales = intVector(t.scale, "f32");
      const zps = intVector(t.zeroPoint ?? t.scale.map(() => 0), "i64");
      b.startObject(7);
      b.addFieldOffset(2, scales, 0);
      b.addFieldOffset(3, zps, 0);
      b.addFieldInt32(6, t.quantizedDimension ?? 0, 0);
      quant = b.endObject();
    }
    b.startObject(5);
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, TYPE_CODE[t.type], 0);
    b.addFieldInt32(2, bufferOf.get(i) ?? 0, 0);
    b.addFieldOffset(3, name, 0);
    if (quant !== undefined) b.addFieldOffset(4, quant, 0);
    return b.endObject();
  });

  const codes = [...new Map(g.operators.map((o) => [`${o.code}/${o.version}`, o])).values()];
  const codeIndex = new Map(codes.map((o, i) => [`${o.code}/${o.version}`, i]));
  const codeOffsets = codes.map((o) => {
    b.startObject(4);
    b.addFieldInt8(0, Math.min(o.code, 127), 0);
    b.addFieldInt32(2, o.version, 1);
    b.addFieldInt32(3, o.code, 0);
    return b.endObject();
  });

  const opOffsets = g.operators.map((o) => {
    let opts: number | undefined;
    if (o.options) {
      const vectors = new Map<number, number>();
      for (const [id, kind, v] of o.options.fields) if (kind === "i32v") vectors.set(id, intVector(v as number[], "i32"));
      b.startObject(Math.max(0, ...o.options.fields.map(([id]) => id + 1)));
      for (const [id, kind, v] of o.options.fields) {
        if (kind === "i32v") b.addFieldOffset(id, vectors.get(id)!, 0);
        else if (kind === "i32") b.addFieldInt32(id, v as number, 0);
        else if (kind === "f32") b.addFieldFloat32(id, v as number, 0);
        else if (kind === "bool") b.addFieldInt8(id, v ? 1 : 0, 0);
        else b.addFieldInt8(id, v as number, 0);
      }
      opts = b.endObject();
    }
    const ins = intVector(o.inputs, "i32");
    const outs = intVector(o.outputs, "i32");
    b.startObject(5);
    b.addFieldInt32(0, codeIndex.get(`${o.code}/${o.version}`)!, 0);
    b.addFieldOffset(1, ins, 0);
    b.addFieldOffset(2, outs, 0);
    if (o.options) {
      b.addFieldInt8(3, o.options.type, 0);
      b.addFieldOffset(4, opts!, 0);
    }
    return b.endObject();
  });

  const tensorsV = offsetVector(tensorOffsets);
  const inputsV = intVector(g.inputs, "i32");
  const outputsV = intVector(g.outputs, "i32");
  const opsV = offsetVector(opOffsets);
  const sgName = b.createString("main");
  b.startObject(5);
  b.addFieldOffset(0, tensorsV, 0);
  b.addFieldOffset(1, inputsV, 0);
  b.addFieldOffset(2, outputsV, 0);
  b.addFieldOffset(3, opsV, 0);
  b.addFieldOffset(4, sgName, 0);
  const subgraph = b.endObject();
  const subgraphsV = offsetVector([subgraph]);
  const codesV = offsetVector(codeOffsets);
  const buffersV = offsetVector(bufferOffsets);
  const desc = b.createString(g.description ?? "tinyrig test model");
  b.startObject(5);
  b.addFieldInt32(0, 3, 0);
  b.addFieldOffset(1, codesV, 0);
  b.addFieldOffset(2, subgraphsV, 0);
  b.addFieldOffset(3, desc, 0);
  b.addFieldOffset(4, buffersV, 0);
  const model = b.endObject();
  b.finish(model, "TFL3");
  return b.asUint8Array().slice();
}

/** Little-endian bytes of typed values, for `data`. */
export function bytesOf(values: Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array): Uint8Array {
  return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}

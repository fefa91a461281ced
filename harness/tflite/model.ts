// loadTflite: a typed, validated view of a .tflite flatbuffer (TFLite schema v3). Field indices are the schema's.
// Bad files throw TfliteError naming the tensor, operator or field.
import { BUILTIN_OPERATOR_NAMES } from "./builtins.ts";
import { FlatbufferReader, TfliteError } from "./flatbuffer.ts";

export { TfliteError };

export type TensorType = "float32" | "int32" | "uint8" | "int64" | "int16" | "int8" | "bool";
const TENSOR_TYPES: Record<number, TensorType> = { 0: "float32", 2: "int32", 3: "uint8", 4: "int64", 6: "bool", 7: "int16", 9: "int8" };
export const TYPE_BYTES: Record<TensorType, number> = { float32: 4, int32: 4, uint8: 1, int64: 8, int16: 2, int8: 1, bool: 1 };

/** TFLite BuiltinOperator names by code (the schema's whole enum). */
export const BUILTIN_NAMES: Record<number, string> = Object.fromEntries(BUILTIN_OPERATOR_NAMES.map((name, code) => [code, name]));

export interface Quantization {
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
}

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: TensorType;
  /** Constant data (weights, biases), absent for activations. */
  data?: Uint8Array;
  quantization?: Quantization;
  bytes: number;
  elements: number;
}

export type Padding = "SAME" | "VALID";
export type Activation = "NONE" | "RELU" | "RELU_N1_TO_1" | "RELU6" | "TANH" | "SIGN_BIT";
const ACTIVATIONS: Activation[] = ["NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT"];

export interface OperatorOptions {
  padding?: Padding;
  strideW?: number;
  strideH?: number;
  dilationW?: number;
  dilationH?: number;
  depthMultiplier?: number;
  filterWidth?: number;
  filterHeight?: number;
  activation?: Activation;
  beta?: number;
  /** LEAKY_RELU: the slope below 0 */
  alpha?: number;
  /** REDUCE_MAX, REDUCE_MIN (ReducerOptions) */
  keepDims?: boolean;
  /** STRIDED_SLICE */
  beginMask?: number;
  endMask?: number;
  ellipsisMask?: number;
  newAxisMask?: number;
  shrinkAxisMask?: number;
  offset?: boolean;
  /** RESIZE_NEAREST_NEIGHBOR */
  alignCorners?: boolean;
  halfPixelCenters?: boolean;
  keepNumDims?: boolean;
  /** CONCATENATION */
  axis?: number;
  newShape?: number[];
}

export interface TfliteOperator {
  index: number;
  opcode: number;
  /** e.g. CONV_2D; `BUILTIN_<code>` for codes tinyrig does not name */
  name: string;
  version: number;
  inputs: number[];
  outputs: number[];
  options: OperatorOptions;
}

export interface TfliteModel {
  version: number;
  description?: string;
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
  /** Size of the file. */
  bytes: number;
}

export function loadTflite(bytes: Uint8Array): TfliteModel {
  const fb = new FlatbufferReader(bytes);
  const root = fb.root();
  const ident = new TextDecoder().decode(bytes.subarray(4, 8));
  if (ident !== "TFL3") throw new TfliteError(`not a TFLite model: file identifier is "${ident}", expected "TFL3"`);
  const version = fb.scalarField(root, 0, "i32", 0, "Model.version");
  if (version !== 3) throw new TfliteError(`Model.version is ${version}; tinyrig reads schema version 3`);
  const description = fb.string(fb.ref(root, 3, "Model.description"), "Model.description");
  const subgraphs = fb.ref(root, 2, "Model.subgraphs");
  if (subgraphs === undefined || fb.vectorLength(subgraphs, "Model.subgraphs") !== 1) {
    throw new TfliteError("Model.subgraphs: tinyrig runs models with exactly one subgraph");
  }
  const sg = fb.vectorRef(subgraphs, 0, "SubGraph 0");
  const buffersVec = fb.ref(root, 4, "Model.buffers");
  const nBuffers = buffersVec === undefined ? 0 : fb.vectorLength(buffersVec, "Model.buffers");

  const tensorsVec = fb.ref(sg, 0, "SubGraph.tensors");
  const nTensors = tensorsVec === undefined ? 0 : fb.vectorLength(tensorsVec, "SubGraph.tensors");
  if (nTensors === 0) throw new TfliteError("SubGraph.tensors: the model has no tensors");
  const tensors: TfliteTensor[] = [];
  for (let i = 0; i < nTensors; i++) {
    const what = `tensor ${i}`;
    const t = fb.vectorRef(tensorsVec!, i, what);
    const typeCode = fb.scalarField(t, 1, "u8", 0, `${what}.type`);
    const type = TENSOR_TYPES[typeCode];
    if (!type) throw new TfliteError(`${what}.type: unsupported tensor type ${typeCode}`);
    const shape = fb.int32Vector(fb.ref(t, 0, `${what}.shape`), `${what}.shape`);
    if (shape.some((d) => d <= 0)) throw new TfliteError(`${what}.shape: dimension <= 0 in [${shape.join(",")}]`);
    const name = fb.string(fb.ref(t, 3, `${what}.name`), `${what}.name`) ?? `tensor${i}`;
    const elements = shape.reduce((a, b) => a * b, 1);
    const nbytes = elements * TYPE_BYTES[type];
    const bufferIndex = fb.scalarField(t, 2, "i32", 0, `${what}.buffer`);
    let data: Uint8Array | undefined;
    if (bufferIndex < 0 || (bufferIndex > 0 && bufferIndex >= nBuffers)) {
      throw new TfliteError(`${what} (${name}).buffer: index ${bufferIndex} is outside the ${nBuffers} buffers`);
    }
    if (bufferIndex > 0) {
      const buf = fb.vectorRef(buffersVec!, bufferIndex, `buffer ${bufferIndex}`);
      const dataVec = fb.ref(buf, 0, `buffer ${bufferIndex}.data`);
      const len = dataVec === undefined ? 0 : fb.vectorLength(dataVec, `buffer ${bufferIndex}.data`);
      if (len > 0) {
        fb.check(dataVec! + 4, len, 1, `buffer ${bufferIndex}.data`);
        if (len !== nbytes) throw new TfliteError(`${what} (${name}): buffer holds ${len} bytes, shape [${shape.join(",")}] of ${type} needs ${nbytes}`);
        data = bytes.subarray(dataVec! + 4, dataVec! + 4 + len);
      }
    }
    let quantization: Quantization | undefined;
    const q = fb.ref(t, 4, `${what}.quantization`);
    if (q !== undefined) {
      const scalesVec = fb.ref(q, 2, `${what}.quantization.scale`);
      const zpVec = fb.ref(q, 3, `${what}.quantization.zero_point`);
      const ns = scalesVec === undefined ? 0 : fb.vectorLength(scalesVec, `${what}.quantization.scale`);
      const nz = zpVec === undefined ? 0 : fb.vectorLength(zpVec, `${what}.quantization.zero_point`);
      if (ns > 0) {
        const scale = Array.from({ length: ns }, (_, k) => fb.f32(scalesVec! + 4 + 4 * k, `${what}.quantization.scale`));
        const zeroPoint = Array.from({ length: nz }, (_, k) => fb.i64(zpVec! + 4 + 8 * k, `${what}.quantization.zero_point`));
        if (nz !== ns && nz !== 0) throw new TfliteError(`${what} (${name}).quantization: ${ns} scales but ${nz} zero points`);
        quantization = {
          scale,
          zeroPoint: nz ? zeroPoint : scale.map(() => 0),
          quantizedDimension: fb.scalarField(q, 6, "i32", 0, `${what}.quantization.quantized_dimension`),
        };
      }
    }
    tensors.push({ index: i, name, shape, type, data, quantization, bytes: nbytes, elements });
  }

  const index = (v: number, what: string, optional = false) => {
    if (v === -1 && optional) return -1;
    if (v < 0 || v >= nTensors) throw new TfliteError(`${what}: tensor index ${v} is outside 0..${nTensors - 1}`);
    return v;
  };
  const inputs = fb.int32Vector(fb.ref(sg, 1, "SubGraph.inputs"), "SubGraph.inputs").map((v) => index(v, "SubGraph.inputs"));
  const outputs = fb.int32Vector(fb.ref(sg, 2, "SubGraph.outputs"), "SubGraph.outputs").map((v) => index(v, "SubGraph.outputs"));

  const codesVec = fb.ref(root, 1, "Model.operator_codes");
  const nCodes = codesVec === undefined ? 0 : fb.vectorLength(codesVec, "Model.operator_codes");
  const codes = Array.from({ length: nCodes }, (_, i) => {
    const c = fb.vectorRef(codesVec!, i, `operator_code ${i}`);
    // builtin_code (int) supersedes deprecated_builtin_code (byte, capped at 127); old files have only the latter
    const code = Math.max(
      fb.scalarField(c, 3, "i32", 0, `operator_code ${i}.builtin_code`),
      fb.scalarField(c, 0, "u8", 0, `operator_code ${i}.deprecated_builtin_code`),
    );
    return { code, version: fb.scalarField(c, 2, "i32", 1, `operator_code ${i}.version`) };
  });

  const opsVec = fb.ref(sg, 3, "SubGraph.operators");
  const nOps = opsVec === undefined ? 0 : fb.vectorLength(opsVec, "SubGraph.operators");
  const operators: TfliteOperator[] = [];
  for (let i = 0; i < nOps; i++) {
    const what = `operator ${i}`;
    const o = fb.vectorRef(opsVec!, i, what);
    const ci = fb.scalarField(o, 0, "i32", 0, `${what}.opcode_index`);
    if (ci < 0 || ci >= nCodes) throw new TfliteError(`${what}.opcode_index: ${ci} is outside the ${nCodes} operator codes`);
    const { code, version: opVersion } = codes[ci]!;
    const name = BUILTIN_NAMES[code] ?? `BUILTIN_${code}`;
    const ins = fb.int32Vector(fb.ref(o, 1, `${what}.inputs`), `${what}.inputs`).map((v) => index(v, `${what} (${name}).inputs`, true));
    const outs = fb.int32Vector(fb.ref(o, 2, `${what}.outputs`), `${what}.outputs`).map((v) => index(v, `${what} (${name}).outputs`));
    const optsPos = fb.ref(o, 4, `${what}.builtin_options`);
    operators.push({ index: i, opcode: code, name, version: opVersion, inputs: ins, outputs: outs, options: readOptions(fb, name, optsPos, what) });
  }
  return { version, description, tensors, operators, inputs, outputs, bytes: bytes.length };
}

function readOptions(fb: FlatbufferReader, name: string, pos: number | undefined, what: string): OperatorOptions {
  if (pos === undefined) return {};
  const i32 = (idx: number, d: number) => fb.scalarField(pos, idx, "i32", d, `${what}.options`);
  const u8 = (idx: number, d: number) => fb.scalarField(pos, idx, "u8", d, `${what}.options`);
  const padding = (v: number): Padding => (v === 0 ? "SAME" : "VALID");
  const act = (v: number): Activation => ACTIVATIONS[v] ?? "NONE";
  switch (name) {
    case "CONV_2D":
      return { padding: padding(u8(0, 0)), strideW: i32(1, 0), strideH: i32(2, 0), activation: act(u8(3, 0)), dilationW: i32(4, 1), dilationH: i32(5, 1) };
    case "DEPTHWISE_CONV_2D":
      return {
        padding: padding(u8(0, 0)),
        strideW: i32(1, 0),
        strideH: i32(2, 0),
        depthMultiplier: i32(3, 0),
        activation: act(u8(4, 0)),
        dilationW: i32(5, 1),
        dilationH: i32(6, 1),
      };
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D":
      return { padding: padding(u8(0, 0)), strideW: i32(1, 0), strideH: i32(2, 0), filterWidth: i32(3, 0), filterHeight: i32(4, 0), activation: act(u8(5, 0)) };
    case "FULLY_CONNECTED":
      return { activation: act(u8(0, 0)), keepNumDims: u8(2, 0) !== 0 };
    case "SOFTMAX":
      return { beta: fb.scalarField(pos, 0, "f32", 0, `${what}.options.beta`) };
    case "REDUCE_MAX":
    case "REDUCE_MIN":
      return { keepDims: u8(0, 0) !== 0 };
    case "STRIDED_SLICE":
      return { beginMask: i32(0, 0), endMask: i32(1, 0), ellipsisMask: i32(2, 0), newAxisMask: i32(3, 0), shrinkAxisMask: i32(4, 0), offset: u8(5, 0) !== 0 };
    case "RESIZE_NEAREST_NEIGHBOR":
      return { alignCorners: u8(0, 0) !== 0, halfPixelCenters: u8(1, 0) !== 0 };
    case "LEAKY_RELU":
      return { alpha: fb.scalarField(pos, 0, "f32", 0, `${what}.options.alpha`) };
    case "ADD":
    case "SUB":
    case "MUL":
      return { activation: act(u8(0, 0)) };
    case "CONCATENATION":
      return { axis: i32(0, 0), activation: act(u8(1, 0)) };
    case "RESHAPE":
      return { newShape: fb.int32Vector(fb.ref(pos, 0, `${what}.options.new_shape`), `${what}.options.new_shape`) };
    default:
      return {};
  }
}

/** Parameter count (elements of constant tensors) and multiply-accumulates per inference. */
export function modelCost(model: TfliteModel): { params: number; macs: number } {
  let params = 0;
  for (const t of model.tensors) if (t.data) params += t.elements;
  let macs = 0;
  for (const op of model.operators) {
    const out = model.tensors[op.outputs[0]!]!;
    const w = op.inputs[1] !== undefined && op.inputs[1] >= 0 ? model.tensors[op.inputs[1]] : undefined;
    if (op.name === "CONV_2D" && w) macs += out.elements * w.shape[1]! * w.shape[2]! * w.shape[3]!;
    else if (op.name === "DEPTHWISE_CONV_2D" && w) macs += out.elements * w.shape[1]! * w.shape[2]!;
    else if (op.name === "FULLY_CONNECTED" && w) macs += out.elements * w.shape[1]!;
  }
  return { params, macs };
}

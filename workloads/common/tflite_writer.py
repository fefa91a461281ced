"""Writes standard TFLite flatbuffers (schema version 3, file identifier TFL3) from a quantised graph.

The one .tflite writer of tinyrig: training recipes build a `Graph` and call `write_tflite`. Field indices, enum
values and union type ids are the TFLite schema's (tensorflow/lite/schema/schema.fbs).

    g = Graph(description="...")
    x = g.tensor("input", [1, 49, 10, 1], "int8", scale=[0.58], zero_point=[83])
    w = g.tensor("conv1/weights", [64, 10, 4, 1], "int8", data=np_int8, scale=[...], zero_point=[0]*64)
    ...
    g.op("CONV_2D", [x, w, b], [y], padding="SAME", stride_w=2, stride_h=2, activation="RELU")
    g.inputs, g.outputs = [x], [out]
    write_tflite(g, "model.tflite")
"""
import flatbuffers
import numpy as np

TENSOR_TYPES = {"float32": 0, "int32": 2, "uint8": 3, "int64": 4, "int16": 7, "int8": 9}
NUMPY_TYPES = {"float32": "<f4", "int32": "<i4", "uint8": "u1", "int64": "<i8", "int16": "<i2", "int8": "i1"}
BUILTIN = {"ADD": 0, "AVERAGE_POOL_2D": 1, "CONV_2D": 3, "DEPTHWISE_CONV_2D": 4, "DEQUANTIZE": 6,
           "FULLY_CONNECTED": 9, "MAX_POOL_2D": 17, "RESHAPE": 22, "SOFTMAX": 25, "MEAN": 40, "QUANTIZE": 114}
# Operator versions TFLite gives these ops with int8 tensors.
VERSION = {"ADD": 2, "AVERAGE_POOL_2D": 2, "CONV_2D": 3, "DEPTHWISE_CONV_2D": 3, "DEQUANTIZE": 2,
           "FULLY_CONNECTED": 4, "MAX_POOL_2D": 2, "RESHAPE": 1, "SOFTMAX": 2, "MEAN": 2, "QUANTIZE": 2}
# BuiltinOptions union type ids (1-based positions in the schema's union)
OPTIONS_TYPE = {"CONV_2D": 1, "DEPTHWISE_CONV_2D": 2, "AVERAGE_POOL_2D": 5, "MAX_POOL_2D": 5,
                "FULLY_CONNECTED": 8, "SOFTMAX": 9, "ADD": 11, "RESHAPE": 17, "MEAN": 27, "DEQUANTIZE": 38,
                "QUANTIZE": 89}
ACTIVATION = {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3}
PADDING = {"SAME": 0, "VALID": 1}


class Tensor:
    def __init__(self, index, name, shape, dtype, data, scale, zero_point, quantized_dimension):
        self.index, self.name, self.shape, self.dtype = index, name, list(shape), dtype
        self.data, self.scale, self.zero_point = data, scale, zero_point
        self.quantized_dimension = quantized_dimension


class Graph:
    def __init__(self, description=""):
        self.description = description
        self.tensors, self.operators, self.inputs, self.outputs = [], [], [], []

    def tensor(self, name, shape, dtype, data=None, scale=None, zero_point=None, quantized_dimension=0):
        if dtype not in TENSOR_TYPES:
            raise ValueError(f"tensor {name}: unsupported type {dtype}")
        if data is not None:
            data = np.ascontiguousarray(np.asarray(data).astype(NUMPY_TYPES[dtype]))
            if list(data.shape) != list(shape) and data.size != int(np.prod(shape)):
                raise ValueError(f"tensor {name}: data has {data.size} elements, shape {shape} needs {int(np.prod(shape))}")
        if scale is not None and zero_point is not None and len(scale) != len(zero_point):
            raise ValueError(f"tensor {name}: {len(scale)} scales but {len(zero_point)} zero points")
        t = Tensor(len(self.tensors), name, shape, dtype, data, scale, zero_point, quantized_dimension)
        self.tensors.append(t)
        return t

    def op(self, name, inputs, outputs, **options):
        if name not in BUILTIN:
            raise ValueError(f"operator {len(self.operators)}: unsupported {name}")
        self.operators.append((name, [t.index if t is not None else -1 for t in inputs], [t.index for t in outputs], options))


def _int_vector(b, values, prepend, size):
    b.StartVector(size, len(values), size)
    for v in reversed(values):
        prepend(v)
    return b.EndVector()


def _offset_vector(b, offsets):
    b.StartVector(4, len(offsets), 4)
    for o in reversed(offsets):
        b.PrependUOffsetTRelative(o)
    return b.EndVector()


def _options(b, name, o):
    act = ACTIVATION[o.get("activation", "NONE")]
    if name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        b.StartObject(7 if name == "DEPTHWISE_CONV_2D" else 6)
        b.PrependInt8Slot(0, PADDING[o.get("padding", "SAME")], 0)
        b.PrependInt32Slot(1, o.get("stride_w", 1), 0)
        b.PrependInt32Slot(2, o.get("stride_h", 1), 0)
        if name == "CONV_2D":
            b.PrependInt8Slot(3, act, 0)
            b.PrependInt32Slot(4, o.get("dilation_w", 1), 1)
            b.PrependInt32Slot(5, o.get("dilation_h", 1), 1)
        else:
            b.PrependInt32Slot(3, o.get("depth_multiplier", 1), 0)
            b.PrependInt8Slot(4, act, 0)
            b.PrependInt32Slot(5, o.get("dilation_w", 1), 1)
            b.PrependInt32Slot(6, o.get("dilation_h", 1), 1)
        return b.EndObject()
    if name in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        b.StartObject(6)
        b.PrependInt8Slot(0, PADDING[o.get("padding", "VALID")], 0)
        b.PrependInt32Slot(1, o.get("stride_w", 1), 0)
        b.PrependInt32Slot(2, o.get("stride_h", 1), 0)
        b.PrependInt32Slot(3, o["filter_width"], 0)
        b.PrependInt32Slot(4, o["filter_height"], 0)
        b.PrependInt8Slot(5, act, 0)
        return b.EndObject()
    if name == "FULLY_CONNECTED":
        b.StartObject(4)
        b.PrependInt8Slot(0, act, 0)
        b.PrependBoolSlot(2, bool(o.get("keep_num_dims", False)), False)
        return b.EndObject()
    if name == "SOFTMAX":
        b.StartObject(1)
        b.PrependFloat32Slot(0, float(o.get("beta", 1.0)), 0.0)
        return b.EndObject()
    if name == "ADD":
        b.StartObject(2)
        b.PrependInt8Slot(0, act, 0)
        return b.EndObject()
    if name == "RESHAPE":
        shape = _int_vector(b, list(o["new_shape"]), b.PrependInt32, 4)
        b.StartObject(1)
        b.PrependUOffsetTRelativeSlot(0, shape, 0)
        return b.EndObject()
    if name == "MEAN":
        b.StartObject(1)
        b.PrependBoolSlot(0, bool(o.get("keep_dims", False)), False)
        return b.EndObject()
    b.StartObject(0)  # QUANTIZE, DEQUANTIZE: empty option tables
    return b.EndObject()


def write_tflite(g, path):
    """Serialises the graph; returns the bytes written."""
    b = flatbuffers.Builder(1 << 20)
    # Buffers: 0 is the empty sentinel TFLite expects; constant tensors get one each.
    buffer_offsets, buffer_index = [], {}
    datas = [None] + [t for t in g.tensors if t.data is not None]
    for i, t in enumerate(datas):
        data_off = None
        if t is not None:
            raw = t.data.tobytes()
            b.StartVector(1, len(raw), 16)  # TFLite aligns buffer data to 16 bytes
            b.head = b.head - len(raw)
            b.Bytes[b.head:b.head + len(raw)] = raw
            data_off = b.EndVector()
            buffer_index[t.index] = i
        b.StartObject(1)
        if data_off is not None:
            b.PrependUOffsetTRelativeSlot(0, data_off, 0)
        buffer_offsets.append(b.EndObject())

    tensor_offsets = []
    for t in g.tensors:
        name = b.CreateString(t.name)
        shape = _int_vector(b, t.shape, b.PrependInt32, 4)
        quant = None
        if t.scale is not None:
            scales = _int_vector(b, [float(s) for s in t.scale], b.PrependFloat32, 4)
            zps = _int_vector(b, [int(z) for z in t.zero_point], b.PrependInt64, 8)
            b.StartObject(7)
            b.PrependUOffsetTRelativeSlot(2, scales, 0)
            b.PrependUOffsetTRelativeSlot(3, zps, 0)
            b.PrependInt32Slot(6, t.quantized_dimension, 0)
            quant = b.EndObject()
        b.StartObject(5)
        b.PrependUOffsetTRelativeSlot(0, shape, 0)
        b.PrependInt8Slot(1, TENSOR_TYPES[t.dtype], 0)
        b.PrependUint32Slot(2, buffer_index.get(t.index, 0), 0)
        b.PrependUOffsetTRelativeSlot(3, name, 0)
        if quant is not None:
            b.PrependUOffsetTRelativeSlot(4, quant, 0)
        tensor_offsets.append(b.EndObject())

    codes = sorted({name for name, _, _, _ in g.operators}, key=lambda n: BUILTIN[n])
    code_index = {n: i for i, n in enumerate(codes)}
    code_offsets = []
    for n in codes:
        b.StartObject(4)
        b.PrependInt8Slot(0, min(BUILTIN[n], 127), 0)
        b.PrependInt32Slot(2, VERSION[n], 1)
        b.PrependInt32Slot(3, BUILTIN[n], 0)
        code_offsets.append(b.EndObject())

    op_offsets = []
    for name, ins, outs, options in g.operators:
        opts = _options(b, name, options)
        iv = _int_vector(b, ins, b.PrependInt32, 4)
        ov = _int_vector(b, outs, b.PrependInt32, 4)
        b.StartObject(5)
        b.PrependUint32Slot(0, code_index[name], 0)
        b.PrependUOffsetTRelativeSlot(1, iv, 0)
        b.PrependUOffsetTRelativeSlot(2, ov, 0)
        b.PrependUint8Slot(3, OPTIONS_TYPE[name], 0)
        b.PrependUOffsetTRelativeSlot(4, opts, 0)
        op_offsets.append(b.EndObject())

    tensors_v = _offset_vector(b, tensor_offsets)
    inputs_v = _int_vector(b, [t.index for t in g.inputs], b.PrependInt32, 4)
    outputs_v = _int_vector(b, [t.index for t in g.outputs], b.PrependInt32, 4)
    ops_v = _offset_vector(b, op_offsets)
    sg_name = b.CreateString("main")
    b.StartObject(5)
    b.PrependUOffsetTRelativeSlot(0, tensors_v, 0)
    b.PrependUOffsetTRelativeSlot(1, inputs_v, 0)
    b.PrependUOffsetTRelativeSlot(2, outputs_v, 0)
    b.PrependUOffsetTRelativeSlot(3, ops_v, 0)
    b.PrependUOffsetTRelativeSlot(4, sg_name, 0)
    subgraph = b.EndObject()

    subgraphs_v = _offset_vector(b, [subgraph])
    codes_v = _offset_vector(b, code_offsets)
    buffers_v = _offset_vector(b, buffer_offsets)
    desc = b.CreateString(g.description)
    b.StartObject(5)
    b.PrependUint32Slot(0, 3, 0)
    b.PrependUOffsetTRelativeSlot(1, codes_v, 0)
    b.PrependUOffsetTRelativeSlot(2, subgraphs_v, 0)
    b.PrependUOffsetTRelativeSlot(3, desc, 0)
    b.PrependUOffsetTRelativeSlot(4, buffers_v, 0)
    model = b.EndObject()
    b.Finish(model, file_identifier=b"TFL3")
    out = bytes(b.Output())
    with open(path, "wb") as f:
        f.write(out)
    return out

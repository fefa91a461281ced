"""Post-training int8 quantisation of small sequential torch models, exported as standard .tflite.

A model is a list of layers (NHWC semantics for export; the torch forward runs NCHW):
    Conv(torch.nn.Conv2d, stride=(sh, sw), padding="SAME"|"VALID", act="RELU"|"RELU6"|"NONE")
    DepthwiseConv(torch.nn.Conv2d with groups == in_channels, ...)
    Dense(torch.nn.Linear, act=...)
    AvgPool(kernel=(kh, kw), stride=(sh, sw), padding="VALID") / GlobalAvgPool() / MaxPool(...)
    Flatten()       (only after a global pool: NHWC and NCHW flatten orders agree for 1x1 maps)
    Softmax()
    Dropout(p)      (training only; nothing is exported for it)
    Quantize() / Dequantize()   float32 model input/output around an int8 body (anomaly detection)

    model = Sequential(layers)                        # a torch.nn.Module; train it as usual
    fold_batchnorm(conv, bn)                          # BN folded into the preceding conv before export
    g = export(model, calibration_inputs, input_quant=(scale, zp) or None, description="...")
    write_tflite(g, "model.tflite")                  # from tflite_writer

Quantisation follows TFLite's post-training scheme: per-channel symmetric int8 weights (per-tensor for Dense),
int32 biases with scale input_scale * weight_scale, asymmetric int8 activations from calibrated min/max (ReLU
fused into the layer before it), pooling and reshape keep their input's parameters, softmax outputs 1/256, -128.
"""
import copy
import math

import numpy as np
import torch
import torch.nn.functional as F

from tflite_writer import Graph, write_tflite  # noqa: F401  (re-exported for recipes)


class Conv:
    def __init__(self, module, stride=(1, 1), padding="SAME", act="RELU", bn=None):
        self.module, self.stride, self.padding, self.act, self.bn = module, tuple(stride), padding, act, bn


class DepthwiseConv(Conv):
    pass


class Dense:
    def __init__(self, module, act="NONE"):
        self.module, self.act = module, act


class AvgPool:
    def __init__(self, kernel, stride=None, padding="VALID"):
        self.kernel, self.stride, self.padding = tuple(kernel), tuple(stride or kernel), padding


class MaxPool(AvgPool):
    pass


class GlobalAvgPool:
    pass


class Flatten:
    pass


class Softmax:
    pass


class Dropout:
    """Training only: dropped from the exported graph."""
    def __init__(self, p):
        self.p = p


class Quantize:
    pass


class Dequantize:
    pass


def same_pad(x, kernel, stride, dilation=(1, 1)):
    """TFLite SAME padding on an NCHW tensor: total padding split with the extra row/column after."""
    pads = []
    for dim, k, s, d in ((3, kernel[1], stride[1], dilation[1]), (2, kernel[0], stride[0], dilation[0])):
        size = x.shape[dim]
        out = math.ceil(size / s)
        total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads)


def _activate(x, act):
    if act == "RELU":
        return F.relu(x)
    if act == "RELU6":
        return F.relu6(x)
    return x


class Sequential(torch.nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.layers = layers
        self.mods = torch.nn.ModuleList([l.module for l in layers if hasattr(l, "module")])
        self.bns = torch.nn.ModuleList([l.bn for l in layers if getattr(l, "bn", None) is not None])

    def forward(self, x, record=None):
        """x: NCHW (or N x features for dense-only models). `record` collects each layer's output."""
        for layer in self.layers:
            if isinstance(layer, Conv):
                m = layer.module
                if layer.padding == "SAME":
                    x = same_pad(x, m.kernel_size, layer.stride, m.dilation)
                x = F.conv2d(x, m.weight, m.bias, layer.stride, 0, m.dilation, m.groups)
                if layer.bn is not None:
                    x = layer.bn(x)
                x = _activate(x, layer.act)
            elif isinstance(layer, Dense):
                x = _activate(layer.module(x), layer.act)
            elif isinstance(layer, MaxPool):
                if layer.padding == "SAME":
                    x = same_pad(x, layer.kernel, layer.stride)
                x = F.max_pool2d(x, layer.kernel, layer.stride)
            elif isinstance(layer, AvgPool):
                x = F.avg_pool2d(x, layer.kernel, layer.stride)
            elif isinstance(layer, GlobalAvgPool):
                x = x.mean(dim=(2, 3), keepdim=True)
            elif isinstance(layer, Flatten):
                x = x.reshape(x.shape[0], -1)
            elif isinstance(layer, Dropout):
                x = F.dropout(x, layer.p, self.training)
            elif isinstance(layer, Softmax):
                x = F.softmax(x, dim=-1) if record is not None or not self.training else x
            if record is not None:
                record.append(x.detach())
        return x


def fold_batchnorm(conv, bn):
    """Folds an eval-mode BatchNorm2d into the conv before it (in place)."""
    with torch.no_grad():
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        conv.weight.mul_(scale.reshape(-1, 1, 1, 1))
        bias = conv.bias if conv.bias is not None else torch.zeros_like(bn.running_mean)
        conv.bias = torch.nn.Parameter((bias - bn.running_mean) * scale + bn.bias)


def _act_quant(lo, hi):
    """Asymmetric int8 parameters covering [lo, hi] (always including 0, as TFLite requires)."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    if hi - lo < 1e-8:
        hi = lo + 1e-8
    scale = (hi - lo) / 255.0
    zp = int(round(-128 - lo / scale))
    return scale, max(-128, min(127, zp))


def export(model, calibration, input_quant=None, description="", input_shape_nhwc=None, float_input=False):
    """Builds the int8 Graph. calibration: float NCHW batch (or N x features). input_quant: fixed (scale, zp) of the
    int8 input (None: calibrated). float_input: the graph takes float32 and starts with QUANTIZE."""
    model = copy.deepcopy(model)  # folding below must not change the caller's model
    model.eval()
    for layer in model.layers:  # batch norm folded into its convolution, as TFLite's converter does
        if isinstance(layer, Conv) and layer.bn is not None:
            fold_batchnorm(layer.module, layer.bn)
            layer.bn = None
    record = []
    with torch.no_grad():
        model(calibration, record)
    g = Graph(description)
    nhwc = input_shape_nhwc or ([1] + [calibration.shape[2], calibration.shape[3], calibration.shape[1]] if calibration.dim() == 4 else [1, calibration.shape[1]])
    if input_quant is None:
        input_quant = _act_quant(calibration.min(), calibration.max())
    layers = model.layers
    if float_input:
        fin = g.tensor("input", nhwc, "float32")
        x = g.tensor("input_int8", nhwc, "int8", scale=[input_quant[0]], zero_point=[input_quant[1]])
        g.op("QUANTIZE", [fin], [x])
        g.inputs = [fin]
    else:
        x = g.tensor("input", nhwc, "int8", scale=[input_quant[0]], zero_point=[input_quant[1]])
        g.inputs = [x]
    shape = list(nhwc)
    for i, (layer, out) in enumerate(zip(layers, record)):
        name = f"l{i}"
        if isinstance(layer, (Conv, Dense)):
            w = layer.module.weight.detach().numpy().astype(np.float64)
            b = layer.module.bias.detach().numpy().astype(np.float64) if layer.module.bias is not None else np.zeros(w.shape[0])
            in_scale = x.scale[0]
            if layer.act in ("RELU", "RELU6"):
                oscale, ozp = _act_quant(0.0, out.max())
            else:
                oscale, ozp = _act_quant(out.min(), out.max())
            if isinstance(layer, Dense):
                wscale = max(np.abs(w).max() / 127.0, 1e-12)
                wq = np.clip(np.round(w / wscale), -127, 127).astype(np.int8)
                bq = np.round(b / (in_scale * wscale)).astype(np.int64)
                wt = g.tensor(f"{name}/weights", list(wq.shape), "int8", data=wq, scale=[wscale], zero_point=[0])
                bt = g.tensor(f"{name}/bias", [wq.shape[0]], "int32", data=np.clip(bq, -2**31, 2**31 - 1), scale=[in_scale * wscale], zero_point=[0])
                shape = [1, wq.shape[0]]
                y = g.tensor(f"{name}/out", shape, "int8", scale=[oscale], zero_point=[ozp])
                g.op("FULLY_CONNECTED", [x, wt, bt], [y], activation=layer.act)
            else:
                m = layer.module
                depthwise = isinstance(layer, DepthwiseConv)
                oc = w.shape[0]
                wscales = np.maximum(np.abs(w.reshape(oc, -1)).max(axis=1) / 127.0, 1e-12)
                wq = np.clip(np.round(w / wscales.reshape(-1, 1, 1, 1)), -127, 127).astype(np.int8)
                if depthwise:  # torch [C*M, 1, kh, kw] -> TFLite [1, kh, kw, C*M]
                    wq = wq.transpose(1, 2, 3, 0)
                else:  # torch OIHW -> TFLite OHWI
                    wq = wq.transpose(0, 2, 3, 1)
                bq = np.round(b / (in_scale * wscales)).astype(np.int64)
                wt = g.tensor(f"{name}/weights", list(wq.shape), "int8", data=wq, scale=list(wscales),
                              zero_point=[0] * oc, quantized_dimension=3 if depthwise else 0)
                bt = g.tensor(f"{name}/bias", [oc], "int32", data=np.clip(bq, -2**31, 2**31 - 1),
                              scale=list(in_scale * wscales), zero_point=[0] * oc)
                shape = [1, out.shape[2], out.shape[3], out.shape[1]]
                y = g.tensor(f"{name}/out", shape, "int8", scale=[oscale], zero_point=[ozp])
                opts = dict(padding=layer.padding, stride_h=layer.stride[0], stride_w=layer.stride[1],
                            dilation_h=m.dilation[0], dilation_w=m.dilation[1], activation=layer.act)
                if depthwise:
                    g.op("DEPTHWISE_CONV_2D", [x, wt, bt], [y], depth_multiplier=oc // m.in_channels, **opts)
                else:
                    g.op("CONV_2D", [x, wt, bt], [y], **opts)
            x = y
        elif isinstance(layer, (AvgPool, MaxPool, GlobalAvgPool)):
            kh, kw = (shape[1], shape[2]) if isinstance(layer, GlobalAvgPool) else layer.kernel
            sh, sw = (1, 1) if isinstance(layer, GlobalAvgPool) else layer.stride
            shape = [1, out.shape[2], out.shape[3], out.shape[1]]
            y = g.tensor(f"{name}/out", shape, "int8", scale=x.scale, zero_point=x.zero_point)
            op = "MAX_POOL_2D" if isinstance(layer, MaxPool) else "AVERAGE_POOL_2D"
            g.op(op, [x], [y], padding=getattr(layer, "padding", "VALID"), filter_height=kh, filter_width=kw, stride_h=sh, stride_w=sw)
            x = y
        elif isinstance(layer, Flatten):
            shape = [1, int(np.prod(shape[1:]))]
            y = g.tensor(f"{name}/out", shape, "int8", scale=x.scale, zero_point=x.zero_point)
            g.op("RESHAPE", [x], [y], new_shape=shape)
            x = y
        elif isinstance(layer, Softmax):
            y = g.tensor(f"{name}/out", shape, "int8", scale=[1.0 / 256.0], zero_point=[-128])
            g.op("SOFTMAX", [x], [y], beta=1.0)
            x = y
        elif isinstance(layer, Dequantize):
            y = g.tensor(f"{name}/out", shape, "float32")
            g.op("DEQUANTIZE", [x], [y])
            x = y
    g.outputs = [x]
    return g


def count_params_macs(g):
    params = sum(int(np.prod(t.shape)) for t in g.tensors if t.data is not None)
    macs = 0
    for name, ins, outs, _ in g.operators:
        out = g.tensors[outs[0]]
        w = g.tensors[ins[1]] if len(ins) > 1 else None
        n_out = int(np.prod(out.shape))
        if name == "CONV_2D":
            macs += n_out * int(np.prod(w.shape[1:]))
        elif name == "DEPTHWISE_CONV_2D":
            macs += n_out * w.shape[1] * w.shape[2]
        elif name == "FULLY_CONNECTED":
            macs += n_out * w.shape[1]
    return params, macs


def magnitude_prune(model, sparsity=0.5):
    """Zeroes the smallest-magnitude weights of every conv/dense layer; returns masks to re-apply after each step."""
    masks = {}
    for m in model.mods:
        w = m.weight.detach()
        k = int(w.numel() * sparsity)
        if k == 0:
            continue
        threshold = w.abs().flatten().kthvalue(k).values
        masks[m] = (w.abs() > threshold).float()
        with torch.no_grad():
            m.weight.mul_(masks[m])
    return masks


def apply_masks(masks):
    with torch.no_grad():
        for m, mask in masks.items():
            m.weight.mul_(mask)


def distillation_loss(student_logits, teacher_logits, labels, temperature=4.0, alpha=0.7):
    soft = F.kl_div(F.log_softmax(student_logits / temperature, dim=-1), F.softmax(teacher_logits / temperature, dim=-1),
                    reduction="batchmean") * temperature * temperature
    return alpha * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)

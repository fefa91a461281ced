/* Reads a .tflite (TFLite schema: Model, SubGraph, Tensor, Operator, OperatorCode, Buffer, QuantizationParameters)
 * into the runtime's tables and prepares every operator. Field indices are the TFLite schema's. */
#include "model.h"
#include <math.h>
#include <string.h>
#include "flatbuffer.h"
#include "planner.h"
#include "quant_math.h"
#include "text.h"

/* Model */
enum { M_VERSION = 0, M_OPCODES = 1, M_SUBGRAPHS = 2, M_BUFFERS = 4 };
/* SubGraph */
enum { SG_TENSORS = 0, SG_INPUTS = 1, SG_OUTPUTS = 2, SG_OPERATORS = 3 };
/* Tensor */
enum { T_SHAPE = 0, T_TYPE = 1, T_BUFFER = 2, T_QUANT = 4 };
/* QuantizationParameters */
enum { Q_SCALE = 2, Q_ZERO_POINT = 3 };
/* Operator */
enum { O_OPCODE_INDEX = 0, O_INPUTS = 1, O_OUTPUTS = 2, O_OPTIONS_TYPE = 3, O_OPTIONS = 4 };
/* OperatorCode */
enum { OC_DEPRECATED_CODE = 0, OC_VERSION = 2, OC_CODE = 3 };

/* Highest operator version this runtime implements, per builtin (0 = unsupported). The versions are TFLite's:
 * what each version adds (int8, per-channel, dilation...) is covered by the kernels here. */
static int max_version(int opcode)
{
    switch (opcode) {
    case TR_OP_ADD: return 3; /* 3: int16 with general scales */
    case TR_OP_SUB: return 5; /* 2: int8, 3: broadcast over more than 4-D (refused by rank), 4: int64 (refused by type), 5: int16 */
    case TR_OP_AVERAGE_POOL_2D: return 3; /* 3: int16 */
    case TR_OP_MAX_POOL_2D: return 3;
    case TR_OP_CONV_2D: return 4; /* 4: int16x8 */
    case TR_OP_DEPTHWISE_CONV_2D: return 5; /* 5: int16x8 (4: float hybrid, refused by type) */
    case TR_OP_FULLY_CONNECTED: return 7; /* 5: keep_num_dims, 6: no bias, 7: int16x8 */
    case TR_OP_RESHAPE: return 1;
    case TR_OP_SOFTMAX: return 3; /* 3: int16 */
    case TR_OP_QUANTIZE: return 2;
    case TR_OP_DEQUANTIZE: return 3; /* 3: int16 */
    case TR_OP_RELU: case TR_OP_RELU6: return 3; /* 3: int16 */
    case TR_OP_RELU_N1_TO_1: return 2;
    case TR_OP_LEAKY_RELU: return 2; /* 2: int16 */
    case TR_OP_ABS: return 3; /* 2: int8, 3: int16 quantised (4: int16 not quantised, 5: int32) */
    case TR_OP_PRELU: return 1; /* one version in TFLite; int16 (int8 alpha) as TFLite Micro takes it */
    case TR_OP_MAXIMUM: case TR_OP_MINIMUM: return 4; /* 3: broadcast over more than 4-D (refused by rank), 4: int16 */
    case TR_OP_REDUCE_MAX: case TR_OP_REDUCE_MIN: return 2; /* 2: int8 (3, int16, TFLite Micro does not run) */
    case TR_OP_SLICE: return 4; /* 2: int8, 3: string (refused by type), 4: int16 */
    case TR_OP_TRANSPOSE: return 5; /* 2: int8, 4: more than 4-D (refused by rank), 5: int16 */
    case TR_OP_RESIZE_NEAREST_NEIGHBOR: return 4; /* 2: int8, 3: align_corners or half_pixel_centers, 4: int16 */
    case TR_OP_PAD: case TR_OP_PADV2: return 3; /* 2: int8, 3: int16 (4: more than 4-D) */
    case TR_OP_CONCATENATION: return 3; /* 3: int16 */
    case TR_OP_MUL: return 4; /* 3: a multiplier of 1 or more, 4: int16 */
    case TR_OP_MEAN: return 3; /* 3: int16 */
    case TR_OP_SQUEEZE: return 1;
    case TR_OP_LOGISTIC: case TR_OP_TANH: return 3; /* int8 came in version 2, int16 in 3 */
    case TR_OP_HARD_SWISH: return 1;
    /* shape arithmetic, folded (never executed): any version */
    case TR_OP_SHAPE: case TR_OP_STRIDED_SLICE: case TR_OP_PACK: return 1000;
    default: return 0;
    }
}

static int32_t channel_mult[TR_MAX_CHANNEL_PARAMS], channel_shift[TR_MAX_CHANNEL_PARAMS];

static int fail(tr_model *m, const char *what)
{
    tr_put_str(m->error, m->error + sizeof m->error, what);
    return -1;
}

static const char *type_name(int type)
{
    switch (type) {
    case TR_F32: return "float32";
    case TR_I32: return "int32";
    case TR_U8: return "uint8";
    case TR_I64: return "int64";
    case TR_I16: return "int16";
    case TR_I8: return "int8";
    default: return "an unknown type";
    }
}

/* An operator refused for its tensor type, naming it ("int16 is not supported (int8 only)"). */
static int fail_type(tr_model *m, const tr_tensor *in, const tr_tensor *out, const char *supported)
{
    const int type = in->type != TR_I8 ? in->type : out->type;
    char *const end = m->error + sizeof m->error;
    tr_put_str(tr_put_str(tr_put_str(m->error, end, type_name(type)), end, " is not supported "), end, supported);
    return -1;
}

/* int16x8 (TFLite's 16-bit activations): int16 activations take zero point 0, as TFLite requires. */
static int is_int16x8(tr_model *m, const tr_tensor *in, const tr_tensor *w, const tr_tensor *out, const tr_tensor *bias)
{
    if (!TR_INT16 || in->type != TR_I16 || out->type != TR_I16 || (w && w->type != TR_I8)) return 0;
    if (in->zero_point != 0 || out->zero_point != 0) return fail(m, "int16 activations with a zero point other than 0");
    if (bias && bias->type != TR_I64) return fail(m, "int16 activations need an int64 bias (int32 bias is not supported)");
    return 1;
}

/* An operator that takes int8, or int16 with zero points 0, in and out alike: 1 for int16, 0 for int8, -1 refused */
static int int8_or_int16(tr_model *m, const tr_tensor *in, const tr_tensor *out)
{
    const int s16 = TR_INT16 && in->type == TR_I16 && out->type == TR_I16;
    if (!s16 && (in->type != TR_I8 || out->type != TR_I8)) return fail_type(m, in, out, "(int8 or int16)");
    if (s16 && (in->zero_point || out->zero_point)) return fail(m, "int16 activations with a zero point other than 0");
    return s16;
}

static int type_size(int type)
{
    switch (type) {
    case TR_F32: case TR_I32: return 4;
    case TR_I8: case TR_U8: return 1;
    case TR_I16: return 2;
    case TR_I64: return 8;
    default: return 0;
    }
}

/* Activation clamp for an int8 or int16 output (TFLite CalculateActivationRangeQuantized). */
static void act_range(int act, const tr_tensor *out, int32_t *lo, int32_t *hi)
{
    int32_t qmin = out->type == TR_I16 ? INT16_MIN : -128, qmax = out->type == TR_I16 ? INT16_MAX : 127;
    const int32_t zp = out->zero_point;
    const float s = out->scale;
    if (act == 1) { /* RELU */
        const int32_t z = zp;
        qmin = z > qmin ? z : qmin;
    } else if (act == 3) { /* RELU6 */
        const int32_t z = zp, six = zp + (int32_t)round(6.0f / s);
        qmin = z > qmin ? z : qmin;
        qmax = six < qmax ? six : qmax;
    } else if (act == 2) { /* RELU_N1_TO_1 */
        const int32_t a = zp + (int32_t)round(-1.0f / s), b = zp + (int32_t)round(1.0f / s);
        qmin = a > qmin ? a : qmin;
        qmax = b < qmax ? b : qmax;
    }
    *lo = qmin;
    *hi = qmax;
}

/* TFLite CheckedLog2: log2(x) rounded, and whether x is within 1e-3 (in log2) of that power of two; in float */
static int checked_log2(float x, int *log2_rounded)
{
    const float l = logf(x) * (1.0f / logf(2.0f));
    const float r = roundf(l);
    *log2_rounded = (int)r;
    return fabsf(l - r) < 1e-3f;
}

/* TFLite ComputePaddingHeightWidth: SAME pads (total / 2) at the start; VALID pads nothing. */
static int32_t padding_for(int same, int32_t in, int32_t filter, int32_t stride, int32_t dilation, int32_t out)
{
    if (!same) return 0;
    const int32_t effective = (filter - 1) * dilation + 1;
    const int32_t total = (out - 1) * stride + effective - in;
    return total > 0 ? total / 2 : 0;
}

static float tensor_scale_at(tr_fb *fb, const tr_tensor *t, uint32_t i)
{
    return t->n_scales > 1 ? tr_fb_f32(fb, t->scales_pos + 4 * i) : t->scale;
}

static tr_shape4 shape4(const tr_tensor *t)
{
    tr_shape4 s = {1, 1, 1, 1};
    /* right-align: [N,H,W,C]; lower ranks fill from the right */
    int32_t *d[4] = {&s.n, &s.h, &s.w, &s.c};
    for (int i = 0; i < t->ndims; ++i) *d[4 - t->ndims + i] = t->dims[i];
    return s;
}

/* tr_quantize_multiplier into two int32 fields */
/* TFLite's DownScaleInt32ToInt16Multiplier: a Q31 multiplier's top 16 bits, rounded */
static int16_t q15_of(int32_t multiplier)
{
    return multiplier >= INT32_MAX - (1 << 15) ? INT16_MAX : (int16_t)((multiplier + (1 << 15)) >> 16);
}

/* a tensor's extents right-aligned to the broadcast's 6 dimensions, 1 before */
static void dims6(const tr_tensor *t, int32_t *d)
{
    for (int i = 0; i < TR_BROADCAST_DIMS; ++i) d[i] = 1;
    for (int i = 0; i < t->ndims; ++i) d[TR_BROADCAST_DIMS - t->ndims + i] = t->dims[i];
}

int tr_broadcast_shapes(const tr_tensor *a, const tr_tensor *b, const tr_tensor *out, tr_broadcast *bc)
{
    int32_t ad[TR_BROADCAST_DIMS], bd[TR_BROADCAST_DIMS], od[TR_BROADCAST_DIMS];
    dims6(a, ad);
    dims6(b, bd);
    dims6(out, od);
    int32_t step_a = 1, step_b = 1;
    for (int d = TR_BROADCAST_DIMS - 1; d >= 0; --d) {
        /* each input dimension is the output's or 1, and the output's is the larger */
        if ((ad[d] != od[d] && ad[d] != 1) || (bd[d] != od[d] && bd[d] != 1) || od[d] != (ad[d] > bd[d] ? ad[d] : bd[d])) return -1;
        bc->dims[d] = od[d];
        bc->a_stride[d] = ad[d] == 1 ? 0 : step_a;
        bc->b_stride[d] = bd[d] == 1 ? 0 : step_b;
        step_a *= ad[d];
        step_b *= bd[d];
    }
    if (a->elems == out->elems && b->elems == out->elems) /* one shape: a single run */
        *bc = (tr_broadcast){{1, 1, 1, 1, 1, out->elems}, {0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 1}};
    return 0;
}

static inline int broadcast_check(tr_model *m, const tr_tensor *a, const tr_tensor *b, const tr_tensor *out)
{
    tr_broadcast bc;
    return tr_broadcast_shapes(a, b, out, &bc) ? fail(m, "input shapes do not broadcast to the output's") : 0;
}

static void set_multiplier(double real, int32_t *multiplier, int32_t *shift)
{
    int s;
    tr_quantize_multiplier(real, multiplier, &s);
    *shift = s;
}

static int read_tensors(tr_model *m, tr_fb *fb, uint32_t subgraph, uint32_t buffers)
{
    const uint32_t tensors = tr_fb_ref(fb, subgraph, SG_TENSORS);
    const uint32_t n = tr_fb_vec_len(fb, tensors);
    if (fb->error || n == 0) return fail(m, "model has no tensors");
    if (n > TR_MAX_TENSORS) return fail(m, "model has more tensors than TR_MAX_TENSORS");
    const uint32_t n_buffers = tr_fb_vec_len(fb, buffers);
    for (uint32_t i = 0; i < n; ++i) {
        tr_tensor *t = &m->tensors[i];
        memset(t, 0, sizeof *t);
        t->first_op = t->last_op = -1;
        const uint32_t tt = tr_fb_vec_ref(fb, tensors, i);
        t->type = (uint8_t)tr_fb_field_u8(fb, tt, T_TYPE, 0);
        const int esize = type_size(t->type);
        if (!esize) return fail(m, "tensor of an unsupported type");
        const uint32_t shape = tr_fb_ref(fb, tt, T_SHAPE);
        const uint32_t nd = tr_fb_vec_len(fb, shape);
        if (nd > TR_MAX_DIMS) return fail(m, "tensor of more than 6 dimensions");
        t->ndims = (uint8_t)nd;
        int64_t elems = 1;
        for (uint32_t d = 0; d < nd; ++d) {
            t->dims[d] = tr_fb_i32(fb, shape + 4 + 4 * d);
            if (t->dims[d] <= 0) return fail(m, "tensor with a dimension <= 0");
            elems *= t->dims[d];
            if (elems > (1 << 26)) return fail(m, "tensor larger than 64 M elements");
        }
        t->elems = (int32_t)elems;
        t->bytes = (uint32_t)t->elems * (uint32_t)esize;
        const uint32_t b = (uint32_t)tr_fb_field_i32(fb, tt, T_BUFFER, 0);
        if (b >= n_buffers && n_buffers) return fail(m, "tensor buffer index out of range");
        if (b > 0) {
            const uint32_t buf = tr_fb_vec_ref(fb, buffers, b);
            const uint32_t data = tr_fb_ref(fb, buf, 0);
            const uint32_t len = tr_fb_vec_len(fb, data);
            if (len > 0) {
                if (len != t->bytes) return fail(m, "constant tensor size differs from its shape");
                if (!tr_fb_check(fb, data + 4, len, 1)) return fail(m, "constant data out of range");
                t->data = m->bytes + data + 4;
            }
        }
        const uint32_t q = tr_fb_ref(fb, tt, T_QUANT);
        if (q) {
            const uint32_t scales = tr_fb_ref(fb, q, Q_SCALE);
            const uint32_t zps = tr_fb_ref(fb, q, Q_ZERO_POINT);
            t->n_scales = tr_fb_vec_len(fb, scales);
            if (t->n_scales) {
                t->scales_pos = scales + 4;
                if (!tr_fb_check(fb, t->scales_pos, t->n_scales, 4)) return fail(m, "scale vector out of range");
                t->scale = tr_fb_f32(fb, t->scales_pos);
            }
            if (tr_fb_vec_len(fb, zps)) t->zero_point = (int32_t)tr_fb_i64(fb, zps + 4);
        }
    }
    m->n_tensors = (uint16_t)n;
    return fb->error ? fail(m, fb->error) : 0;
}

static int tensor_index(tr_model *m, tr_fb *fb, uint32_t vec, uint32_t i, int optional)
{
    if (i >= tr_fb_vec_len(fb, vec)) return optional ? -1 : -2;
    const int32_t idx = tr_fb_i32(fb, vec + 4 + 4 * i);
    if (idx < 0) return optional ? -1 : -2;
    if (idx >= m->n_tensors) return -2;
    return idx;
}

static uint32_t channel_used;

/* Per output channel (conv) or row (FULLY_CONNECTED): multiplier * 2^shift approximates
 * input_scale * weight_scale[c] / output_scale, computed in double as TFLite does; a per-tensor weight scale serves
 * every channel. The tables live in the model's channel store. */
static int channel_multipliers(tr_model *m, tr_fb *fb, const tr_tensor *in, const tr_tensor *w, const tr_tensor *out,
                               int32_t channels, int32_t **mult, int32_t **shift)
{
    if (w->n_scales != 1 && (int32_t)w->n_scales != channels) return fail(m, "weight scales per channel do not match");
    if (channel_used + (uint32_t)channels > TR_MAX_CHANNEL_PARAMS) return fail(m, "more channels than TR_MAX_CHANNEL_PARAMS");
    *mult = channel_mult + channel_used;
    *shift = channel_shift + channel_used;
    channel_used += (uint32_t)channels;
    for (int32_t c = 0; c < channels; ++c) {
        const double eff = (double)in->scale * (double)tensor_scale_at(fb, w, (uint32_t)c) / (double)out->scale;
        set_multiplier(eff, &(*mult)[c], &(*shift)[c]);
    }
    return 0;
}

static int prepare_conv(tr_model *m, tr_fb *fb, tr_op *op, uint32_t opts, int depthwise)
{
    const tr_tensor *in = &m->tensors[op->inputs[0]], *w = &m->tensors[op->inputs[1]], *out = &m->tensors[op->output];
    const tr_tensor *bias = op->n_inputs > 2 && op->inputs[2] >= 0 ? &m->tensors[op->inputs[2]] : NULL;
    const int s16 = is_int16x8(m, in, w, out, bias);
    if (s16 < 0) return -1;
    if (!s16 && (in->type != TR_I8 || w->type != TR_I8 || out->type != TR_I8)) return fail_type(m, in, out, "(int8, or int16 activations with int8 weights)");
    if (!w->data) return fail(m, "convolution weights are not constant");
    const int same = tr_fb_field_u8(fb, opts, 0, 0) == 0;
    tr_conv_params *p = &op->u.conv.p;
    p->stride_w = tr_fb_field_i32(fb, opts, 1, 1);
    p->stride_h = tr_fb_field_i32(fb, opts, 2, 1);
    int act;
    if (depthwise) {
        p->depth_multiplier = tr_fb_field_i32(fb, opts, 3, 1);
        act = tr_fb_field_u8(fb, opts, 4, 0);
        p->dilation_w = tr_fb_field_i32(fb, opts, 5, 1);
        p->dilation_h = tr_fb_field_i32(fb, opts, 6, 1);
    } else {
        act = tr_fb_field_u8(fb, opts, 3, 0);
        p->dilation_w = tr_fb_field_i32(fb, opts, 4, 1);
        p->dilation_h = tr_fb_field_i32(fb, opts, 5, 1);
    }
    if (p->stride_w < 1 || p->stride_h < 1 || p->dilation_w < 1 || p->dilation_h < 1) return fail(m, "bad stride or dilation");
    const tr_shape4 is = shape4(in), ws = shape4(w), os = shape4(out);
    if (depthwise) {
        /* TFLite ignores the stored multiplier in later versions: derive it from the shapes. */
        p->depth_multiplier = os.c / is.c;
        if (os.c != is.c * p->depth_multiplier || ws.c != os.c) return fail(m, "depthwise channel counts disagree");
    } else if (ws.c != is.c || ws.n != os.c) {
        return fail(m, "convolution channel counts disagree");
    }
    p->pad_h = padding_for(same, is.h, ws.h, p->stride_h, p->dilation_h, os.h);
    p->pad_w = padding_for(same, is.w, ws.w, p->stride_w, p->dilation_w, os.w);
    p->input_offset = -in->zero_point;
    p->output_offset = out->zero_point;
    act_range(act, out, &p->act_min, &p->act_max);
    int32_t *mult, *shift;
    if (channel_multipliers(m, fb, in, w, out, os.c, &mult, &shift)) return -1;
    op->u.conv.q.multiplier = mult;
    op->u.conv.q.shift = shift;
    if (!s16 && bias && bias->type != TR_I32) return fail(m, "bias is not int32");
    return 0;
}

#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_45) /* optional, as in invoke.c */
/* STRIDED_SLICE on int8 or int16 data: TFLite's StridedSliceStartForAxis / StridedSliceEndForAxis (a negative index
 * counts from the end, clamped to the dimension, the masks take the whole dimension, a shrunk axis one index) worked out
 * once, the output's shape checked against the walk. StridedSliceOptions: begin_mask 0, end_mask 1, ellipsis_mask 2,
 * new_axis_mask 3, shrink_axis_mask 4, offset 5. */
static int prepare_strided_slice(tr_model *m, tr_fb *fb, tr_op *op, uint32_t opts)
{
    const tr_tensor *in = &m->tensors[op->inputs[0]], *out = &m->tensors[op->output];
    const int s16 = int8_or_int16(m, in, out);
    if (s16 < 0) return -1;
    const int rank = in->ndims;
    const tr_tensor *arg[3];
    for (int k = 0; k < 3; ++k) {
        arg[k] = op->n_inputs > k + 1 && op->inputs[k + 1] >= 0 ? &m->tensors[op->inputs[k + 1]] : NULL;
        if (!arg[k] || !arg[k]->data || arg[k]->type != TR_I32 || arg[k]->elems != rank) return fail(m, "begin, end and strides are not constant int32 [rank]");
    }
    const int32_t begin_mask = tr_fb_field_i32(fb, opts, 0, 0), end_mask = tr_fb_field_i32(fb, opts, 1, 0), shrink = tr_fb_field_i32(fb, opts, 4, 0);
    if (tr_fb_field_i32(fb, opts, 2, 0) || tr_fb_field_i32(fb, opts, 3, 0) || tr_fb_field_u8(fb, opts, 5, 0))
        return fail(m, "ellipsis_mask, new_axis_mask and offset are not supported");
    tr_strided_slice_params *p = &op->u.strided_slice;
    int out_axis = 0;
    for (int d = 0; d < 4; ++d) {
        const int k = d - (4 - rank); /* right-aligned; the dimensions added in front are taken whole */
        p->start[d] = 0;
        p->stop[d] = 1;
        p->step[d] = 1;
        if (k < 0) continue;
        const int32_t size = in->dims[k];
        int32_t begin, end, step;
        memcpy(&begin, arg[0]->data + 4 * k, 4);
        memcpy(&end, arg[1]->data + 4 * k, 4);
        memcpy(&step, arg[2]->data + 4 * k, 4);
        if (step == 0) return fail(m, "a stride of 0");
        if (begin < 0) begin += size;
        begin = step > 0 ? (begin < 0 ? 0 : begin > size ? size : begin) : (begin < -1 ? -1 : begin > size - 1 ? size - 1 : begin);
        if (begin_mask >> k & 1) begin = step > 0 ? 0 : size - 1;
        if (shrink >> k & 1) {
            end = begin >= size ? begin : begin + 1;
        } else {
            if (end < 0) end += size;
            end = step > 0 ? (end < 0 ? 0 : end > size ? size : end) : (end < -1 ? -1 : end > size - 1 ? size - 1 : end);
            if (end_mask >> k & 1) end = step > 0 ? size : -1;
        }
        p->start[d] = begin;
        p->stop[d] = end;
        p->step[d] = step;
        const int32_t extent = step > 0 ? (end > begin ? (end - begin + step - 1) / step : 0) : (begin > end ? (begin - end - step - 1) / -step : 0);
        if (shrink >> k & 1) {
            if (extent != 1) return fail(m, "a shrunk axis does not index one element");
            continue;
        }
        if (out_axis >= out->ndims || out->dims[out_axis] != extent) return fail(m, "the slice disagrees with the output's shape");
        ++out_axis;
    }
    return out_axis == out->ndims ? 0 : fail(m, "the slice disagrees with the output's shape");
}
#endif

#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_65) /* optional, as in invoke.c */
/* SLICE on int8 or int16 data: TFLite's Slice, the walk STRIDED_SLICE's kernel takes with steps of 1 (a size of -1
 * reaches the end of its dimension) */
static int prepare_slice(tr_model *m, tr_op *op)
{
    const tr_tensor *in = &m->tensors[op->inputs[0]], *out = &m->tensors[op->output];
    const int s16 = int8_or_int16(m, in, out);
    if (s16 < 0) return -1;
    const int rank = in->ndims;
    const tr_tensor *begin = op->n_inputs > 1 && op->inputs[1] >= 0 ? &m->tensors[op->inputs[1]] : NULL;
    const tr_tensor *size = op->n_inputs > 2 && op->inputs[2] >= 0 ? &m->tensors[op->inputs[2]] : NULL;
    if (!begin || !size || !begin->data || !size->data || begin->type != TR_I32 || size->type != TR_I32 || begin->elems != rank || size->elems != rank)
        return fail(m, "begin and size are not constant int32 [rank]");
    if (out->ndims != rank) return fail(m, "the slice disagrees with the output's shape");
    tr_strided_slice_params *p = &op->u.strided_slice;
    for (int d = 0; d < 4; ++d) {
        const int k = d - (4 - rank);
        p->start[d] = 0;
        p->stop[d] = 1;
        p->step[d] = 1;
        if (k < 0) continue;
        int32_t b, n;
        memcpy(&b, begin->data + 4 * k, 4);
        memcpy(&n, size->data + 4 * k, 4);
        if (n == -1) n = in->dims[k] - b;
        if (b < 0 || n < 0 || b + n > in->dims[k] || n != out->dims[k]) return fail(m, "the slice disagrees with the input's or output's shape");
        p->start[d] = b;
        p->stop[d] = b + n;
    }
    return 0;
}
#endif

static int prepare_op(tr_model *m, tr_fb *fb, tr_op *op, uint32_t opts)
{
    const tr_tensor *in = &m->tensors[op->inputs[0]], *out = &m->tensors[op->output];
    /* ADD and MUL broadcast up to 6 dimensions (as TFLite Micro); every other kernel reads 4 */
    if (op->opcode != TR_OP_ADD && op->opcode != TR_OP_MUL) {
        int nd = out->ndims;
        for (int k = 0; k < op->n_inputs; ++k)
            if (op->inputs[k] >= 0 && m->tensors[op->inputs[k]].ndims > nd) nd = m->tensors[op->inputs[k]].ndims;
        if (nd > 4) return fail(m, "tensor of more than 4 dimensions (only ADD and MUL take up to 6)");
    }
    switch (op->opcode) {
    case TR_OP_CONV_2D: return prepare_conv(m, fb, op, opts, 0);
    case TR_OP_DEPTHWISE_CONV_2D: return prepare_conv(m, fb, op, opts, 1);
    case TR_OP_FULLY_CONNECTED: {
        const tr_tensor *w = &m->tensors[op->inputs[1]];
        const tr_tensor *bias = op->n_inputs > 2 && op->inputs[2] >= 0 ? &m->tensors[op->inputs[2]] : NULL;
        const int s16 = is_int16x8(m, in, w, out, bias);
        if (s16 < 0) return -1;
        if (!s16 && (in->type != TR_I8 || w->type != TR_I8 || out->type != TR_I8)) return fail_type(m, in, out, "(int8, or int16 activations with int8 weights)");
        if (!s16 && bias && bias->type != TR_I32) return fail(m, "bias is not int32");
        if (!w->data || w->ndims != 2) return fail(m, "FULLY_CONNECTED weights are not a constant matrix");
        if (in->elems % w->dims[1] != 0) return fail(m, "FULLY_CONNECTED input size is not a multiple of its depth");
        tr_fc_params *p = &op->u.fc;
        p->input_offset = -in->zero_point;
        p->filter_offset = -w->zero_point;
        p->output_offset = out->zero_point;
        set_multiplier((double)in->scale * (double)w->scale / (double)out->scale, &p->multiplier, &p->shift);
        p->channel_multiplier = p->channel_shift = NULL;
        if (w->n_scales > 1) { /* per-channel weights: one scale per output row (quantized_dimension 0) */
            int32_t *mult, *shift;
            if (channel_multipliers(m, fb, in, w, out, w->dims[0], &mult, &shift)) return -1;
            p->channel_multiplier = mult;
            p->channel_shift = shift;
        }
        act_range(tr_fb_field_u8(fb, opts, 0, 0), out, &p->act_min, &p->act_max);
        return 0;
    }
    case TR_OP_AVERAGE_POOL_2D:
    case TR_OP_MAX_POOL_2D: {
        const int s16 = TR_INT16 && in->type == TR_I16 && out->type == TR_I16;
        if (!s16 && (in->type != TR_I8 || out->type != TR_I8)) return fail_type(m, in, out, "(int8 or int16)");
        tr_pool_params *p = &op->u.pool;
        const int same = tr_fb_field_u8(fb, opts, 0, 0) == 0;
        p->stride_w = tr_fb_field_i32(fb, opts, 1, 1);
        p->stride_h = tr_fb_field_i32(fb, opts, 2, 1);
        p->filter_w = tr_fb_field_i32(fb, opts, 3, 1);
        p->filter_h = tr_fb_field_i32(fb, opts, 4, 1);
        if (p->stride_w < 1 || p->stride_h < 1 || p->filter_w < 1 || p->filter_h < 1) return fail(m, "bad pooling window");
        const tr_shape4 is = shape4(in), os = shape4(out);
        p->pad_h = padding_for(same, is.h, p->filter_h, p->stride_h, 1, os.h);
        p->pad_w = padding_for(same, is.w, p->filter_w, p->stride_w, 1, os.w);
        act_range(tr_fb_field_u8(fb, opts, 5, 0), out, &p->act_min, &p->act_max);
        return 0;
    }
    case TR_OP_SOFTMAX: {
        const double beta = tr_fb_field_f32(fb, opts, 0, 1.0f);
        if (TR_INT16 && in->type == TR_I16 && out->type == TR_I16) {
            if (in->zero_point || out->zero_point) return fail(m, "int16 activations with a zero point other than 0");
            if (fabsf(out->scale - 1.0f / 32768) > 0.001f / 32768) return fail(m, "int16 output is not scale 1/32768");
            /* TFLite's int16 prepare: differences scaled so that [-65535, 0] covers [-10, 0] */
            int s;
            tr_quantize_multiplier((double)in->scale * beta / (10.0 / 65535.0), &op->u.softmax.input_multiplier, &s);
            op->u.softmax.input_left_shift = s;
            tr_softmax_s16_build_tables();
            return 0;
        }
        const int to_s16 = TR_INT16 && in->type == TR_I8 && out->type == TR_I16; /* int8 in, int16 out */
        if (!to_s16 && (in->type != TR_I8 || out->type != TR_I8)) return fail_type(m, in, out, "(int8, or int16 in and out)");
        if (to_s16 && (out->zero_point != -32768 || fabsf(out->scale - 1.0f / 65536) > 0.001f / 65536))
            return fail(m, "int8 input with an int16 output that is not scale 1/65536, zero point -32768");
        /* TFLite PreprocessSoftmaxScaling with 5 integer bits for the scaled difference */
        double real = beta * (double)in->scale * (double)(1LL << (31 - 5));
        if (real > (double)((1LL << 31) - 1)) real = (double)((1LL << 31) - 1);
        int s;
        tr_quantize_multiplier(real, &op->u.softmax.input_multiplier, &s);
        op->u.softmax.input_left_shift = s;
        /* TFLite CalculateInputRadius(5, left_shift) */
        const double radius = 1.0 * ((1 << 5) - 1) * (double)(1LL << (31 - 5)) / (double)(1LL << s);
        op->u.softmax.diff_min = -(int32_t)floor(radius);
        return 0;
    }
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_0) || defined(TR_MODEL_USES_OP_41) /* optional, as in invoke.c */
    case TR_OP_ADD:
    case TR_OP_SUB: {
        const tr_tensor *b = op->n_inputs > 1 && op->inputs[1] >= 0 ? &m->tensors[op->inputs[1]] : NULL;
        if (!b) return fail(m, "has one input");
        const int s16 = TR_INT16 && in->type == TR_I16 && b->type == TR_I16 && out->type == TR_I16;
        if (!s16 && (in->type != TR_I8 || b->type != TR_I8 || out->type != TR_I8)) return fail_type(m, in, out, "(int8 or int16)");
        if (s16 && (in->zero_point || b->zero_point || out->zero_point)) return fail(m, "int16 activations with a zero point other than 0");
        if (broadcast_check(m, in, b, out)) return -1;
        tr_add_params *p = &op->u.add;
        p->left_shift = s16 ? 15 : 20; /* TFLite Micro's headroom: 15 bits for int16, 20 for int8 */
        const float max_scale = in->scale > b->scale ? in->scale : b->scale;
        double r1, r2, r_out;
        if (op->opcode == TR_OP_SUB) { /* TFLite Micro's SUB prepare divides in single precision (its ADD's, in double) */
            const float twice_max = 2.0f * max_scale;
            r1 = (double)(in->scale / twice_max);
            r2 = (double)(b->scale / twice_max);
            r_out = (double)(twice_max / ((float)(1 << p->left_shift) * out->scale));
        } else {
            const double twice_max = 2.0 * (double)max_scale;
            r1 = (double)in->scale / twice_max;
            r2 = (double)b->scale / twice_max;
            r_out = twice_max / ((double)(1 << p->left_shift) * (double)out->scale);
        }
        int s;
        tr_quantize_multiplier(r1, &p->input1_multiplier, &s);
        p->input1_shift = s;
        tr_quantize_multiplier(r2, &p->input2_multiplier, &s);
        p->input2_shift = s;
        tr_quantize_multiplier(r_out, &p->output_multiplier, &s);
        p->output_shift = s;
        p->input1_offset = -in->zero_point;
        p->input2_offset = -b->zero_point;
        p->output_offset = out->zero_point;
        act_range(tr_fb_field_u8(fb, opts, 0, 0), out, &p->act_min, &p->act_max);
        return 0;
    }
#endif
    case TR_OP_QUANTIZE:
        if ((out->type != TR_I8 && out->type != TR_I16) || (in->type != TR_F32 && in->type != TR_I8 && in->type != TR_I16))
            return fail(m, "other than float32, int8 or int16 -> int8 or int16");
        if (out->type == TR_I16 && out->zero_point != 0) return fail(m, "int16 output with a zero point other than 0");
        if (in->type != TR_F32) {
            int s;
            tr_quantize_multiplier((double)in->scale / (double)out->scale, &op->u.requant.multiplier, &s);
            op->u.requant.shift = s;
        }
        return in->elems == out->elems ? 0 : fail(m, "QUANTIZE changes the element count");
    case TR_OP_DEQUANTIZE:
        if ((in->type != TR_I8 && in->type != TR_I16) || out->type != TR_F32) return fail(m, "other than int8 or int16 -> float32");
        return in->elems == out->elems ? 0 : fail(m, "DEQUANTIZE changes the element count");
    case TR_OP_RESHAPE:
    case TR_OP_SQUEEZE:
        return in->bytes == out->bytes ? 0 : fail(m, "changes the byte count");
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_65)
    case TR_OP_SLICE: return prepare_slice(m, op);
#endif
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_82) || defined(TR_MODEL_USES_OP_89)
    case TR_OP_REDUCE_MAX:
    case TR_OP_REDUCE_MIN: {
        /* TFLite Micro's int8 REDUCE_MAX / REDUCE_MIN compare raw values and require input and output quantised alike */
        if (in->type != TR_I8 || out->type != TR_I8) return fail_type(m, in, out, "(int8 only)");
        if (in->scale != out->scale || in->zero_point != out->zero_point) return fail(m, "input and output quantised differently");
        const tr_tensor *axes = op->n_inputs > 1 && op->inputs[1] >= 0 ? &m->tensors[op->inputs[1]] : NULL;
        if (!axes || !axes->data || axes->type != TR_I32 || axes->elems < 1 || axes->elems > in->ndims) return fail(m, "axes are not a constant int32 vector");
        uint32_t mask = 0;
        for (int32_t k = 0; k < axes->elems; ++k) {
            int32_t a;
            memcpy(&a, axes->data + 4 * k, 4);
            if (a < 0) a += in->ndims;
            if (a < 0 || a >= in->ndims) return fail(m, "axis out of range");
            mask |= 1u << (4 - in->ndims + a); /* right-aligned to 4 */
        }
        /* the output: the kept dimensions, with or without the reduced ones as 1 (keep_dims) */
        int32_t elems = 1, kept_rank = 0;
        for (int d = 4 - in->ndims; d < 4; ++d)
            if (!(mask >> d & 1)) {
                elems *= in->dims[d - (4 - in->ndims)];
                ++kept_rank;
            }
        const int keep_dims = tr_fb_field_u8(fb, opts, 0, 0) != 0;
        if (out->elems != elems || out->ndims != (keep_dims ? in->ndims : kept_rank)) return fail(m, "output shape disagrees with the reduction");
        op->u.reduce_axes = mask;
        return 0;
    }
#endif
    case TR_OP_STRIDED_SLICE:
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_45)
        if (out->type != TR_I32) return prepare_strided_slice(m, fb, op, opts); /* on data */
#endif
        /* fall through - shape arithmetic */
    case TR_OP_SHAPE:
    case TR_OP_PACK:
        /* shape arithmetic: folded when its result only shapes a RESHAPE (checked once every operator is read) */
        if (out->type != TR_I32) return fail(m, "only int32 shape arithmetic (a Flatten's) is supported");
        op->folded = 1;
        return 0;
    case TR_OP_RELU:
    case TR_OP_RELU6:
    case TR_OP_RELU_N1_TO_1: {
        /* int16 where TFLite has it: RELU and RELU6 (version 3), not RELU_N1_TO_1 */
        const int s16 = TR_INT16 && op->opcode != TR_OP_RELU_N1_TO_1 && in->type == TR_I16 && out->type == TR_I16;
        if (!s16 && (in->type != TR_I8 || out->type != TR_I8))
            return fail_type(m, in, out, op->opcode == TR_OP_RELU_N1_TO_1 ? "(int8 only)" : "(int8 or int16)");
        if (s16 && (in->zero_point || out->zero_point)) return fail(m, "int16 activations with a zero point other than 0");
        if (in->elems != out->elems) return fail(m, "changes the element count");
        tr_relu_params *p = &op->u.relu;
        set_multiplier((double)in->scale / (double)out->scale, &p->multiplier, &p->shift);
        p->input_zp = in->zero_point;
        p->output_offset = out->zero_point;
        act_range(op->opcode == TR_OP_RELU ? 1 : op->opcode == TR_OP_RELU6 ? 3 : 2, out, &p->act_min, &p->act_max);
        return 0;
    }
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_54)
    case TR_OP_PRELU: {
        const tr_tensor *alpha = op->n_inputs > 1 && op->inputs[1] >= 0 ? &m->tensors[op->inputs[1]] : NULL;
        if (!alpha) return fail(m, "has one input");
        const int s16 = int8_or_int16(m, in, out);
        if (s16 < 0) return -1;
        if (alpha->type != TR_I8) return fail_type(m, alpha, alpha, "for alpha (int8 only)");
        if (broadcast_check(m, in, alpha, out)) return -1;
        /* TFLite Micro's prepare, in double */
        tr_prelu_params *p = &op->u.prelu;
        set_multiplier((double)in->scale / (double)out->scale, &p->multiplier_1, &p->shift_1);
        set_multiplier((double)in->scale * (double)alpha->scale / (double)out->scale, &p->multiplier_2, &p->shift_2);
        p->input_offset = -in->zero_point;
        p->alpha_offset = -alpha->zero_point;
        p->output_offset = out->zero_point;
        return 0;
    }
#endif
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_101) /* optional, as in invoke.c */
    case TR_OP_ABS: {
        const int s16 = int8_or_int16(m, in, out);
        if (s16 < 0) return -1;
        if (in->elems != out->elems) return fail(m, "changes the element count");
        if (!in->n_scales || !out->n_scales) return fail(m, "input or output is not quantised");
        /* TFLite Micro's prepare: rescaled only where the scales differ, by the single-precision quotient */
        tr_abs_params *p = &op->u.abs;
        p->input_zp = in->zero_point;
        p->output_zp = out->zero_point;
        p->rescale = in->scale != out->scale;
        p->multiplier = p->shift = 0;
        if (p->rescale) set_multiplier((double)(in->scale / out->scale), &p->multiplier, &p->shift);
        return 0;
    }
#endif
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_98) /* optional, as in invoke.c */
    case TR_OP_LEAKY_RELU: {
        const int s16 = int8_or_int16(m, in, out);
        if (s16 < 0) return -1;
        if (in->elems != out->elems) return fail(m, "changes the element count");
        /* TFLite Micro's prepare: both multipliers worked out in single precision, then QuantizeMultiplier; a negative
         * alpha's multiplier is applied by magnitude and the product negated, as its kernel does */
        const float alpha = tr_fb_field_f32(fb, opts, 0, 0.0f);
        const float alpha_real = in->scale * alpha / out->scale, identity_real = in->scale / out->scale;
        tr_leaky_relu_params *p = &op->u.leaky_relu;
        p->input_zp = in->zero_point;
        p->output_zp = out->zero_point;
        set_multiplier((double)identity_real, &p->identity_multiplier, &p->identity_shift);
        set_multiplier((double)fabsf(alpha_real), &p->alpha_multiplier, &p->alpha_shift);
        p->alpha_negative = alpha_real < 0;
        return 0;
    }
#endif
    case TR_OP_LOGISTIC:
    case TR_OP_TANH: {
        if (TR_INT16 && in->type == TR_I16 && out->type == TR_I16) {
            if (in->elems != out->elems) return fail(m, "changes the element count");
            if (in->zero_point || out->zero_point) return fail(m, "int16 activations with a zero point other than 0");
            int out_log2;
            if (!checked_log2(out->scale, &out_log2) || out_log2 != -15) return fail(m, "int16 output is not scale 2^-15");
            /* TFLite Micro's prepare: a power-of-two input scale at the table's own scale (2^-12, or 2^-13 for TANH) takes
             * multiplier 0; any other scale a multiplier to steps of 1/(3 x 4096), doubled while at most 32767/2 */
            int in_log2;
            const int pot = checked_log2(in->scale, &in_log2);
            tr_sigmoid_params *p = &op->u.sigmoid;
            p->input_zp = 0;
            p->radius = 0;
            p->shift = 12 + in_log2;
            if (pot && (p->shift == 0 || (op->opcode == TR_OP_TANH && p->shift == 1))) {
                p->multiplier = 0;
            } else {
                double multiplier = (double)in->scale * 4096.0 * 3.0;
                p->shift = 0;
                while (multiplier <= 32767.0 / 2.0 && p->shift <= 30) {
                    ++p->shift;
                    multiplier *= 2.0;
                }
                p->multiplier = (int32_t)multiplier;
                if (p->multiplier > 32767) return fail(m, "int16 input scale too large for the table (multiplier above 32767)");
            }
            tr_sigmoid_s16_build_table();
            return 0;
        }
        if (in->type != TR_I8 || out->type != TR_I8) return fail_type(m, in, out, "(int8, or int16 in and out)");
        if (in->elems != out->elems) return fail(m, "changes the element count");
        /* the kernels write TFLite's fixed output quantisation, which converters always give these outputs */
        if (op->opcode == TR_OP_LOGISTIC ? out->scale != 1.0f / 256 || out->zero_point != -128 : out->scale != 1.0f / 128 || out->zero_point != 0) {
            return fail(m, op->opcode == TR_OP_LOGISTIC ? "output is not scale 1/256, zero point -128" : "output is not scale 1/128, zero point 0");
        }
        /* TFLite Micro's prepare: input_scale * 2^27 as a Q31 multiplier and a left shift */
        int shift;
        const double q = frexp((double)in->scale * (double)(1 << 27), &shift);
        const double multiplier = round(q * 2147483648.0);
        if (multiplier >= 2147483648.0 || shift < 0 || shift > 30) return fail(m, "input scale outside what the fixed-point kernel takes");
        tr_sigmoid_params *p = &op->u.sigmoid;
        p->input_zp = in->zero_point;
        p->multiplier = (int32_t)multiplier;
        p->shift = shift;
        p->radius = (int32_t)floor(15.0 * 134217728.0 / (double)(1LL << shift)); /* CalculateInputRadius(4, shift, 31) */
        return 0;
    }
    case TR_OP_HARD_SWISH: {
        if (in->type != TR_I8 || out->type != TR_I8) return fail_type(m, in, out, "(int8 only)");
        if (in->elems != out->elems) return fail(m, "changes the element count");
        /* TFLite's prepare, in single precision where it is */
        const float hires = (1.0f / 128.0f) * in->scale;
        int32_t out_multiplier, relu_multiplier;
        int out_exponent, relu_exponent;
        tr_quantize_multiplier((double)(hires / out->scale), &out_multiplier, &out_exponent);
        tr_quantize_multiplier((double)(hires / (3.0f / 32768.0f)), &relu_multiplier, &relu_exponent);
        if (out_exponent > 0 || out_exponent < -15) return fail(m, "output multiplier exponent outside -15..0");
        if (relu_exponent > 15 || relu_exponent < -15) return fail(m, "relu-ish multiplier exponent outside -15..15");
        tr_hard_swish_params *p = &op->u.hard_swish;
        p->input_zp = in->zero_point;
        p->output_zp = out->zero_point;
        p->output_multiplier = q15_of(out_multiplier);
        p->output_exponent = out_exponent;
        p->reluish_multiplier = q15_of(relu_multiplier);
        p->reluish_exponent = relu_exponent;
        return 0;
    }
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_55) || defined(TR_MODEL_USES_OP_57) || defined(TR_MODEL_USES_OP_18)
    case TR_OP_MAXIMUM:
    case TR_OP_MINIMUM:
    case TR_OP_MUL: {
        const tr_tensor *b = op->n_inputs > 1 && op->inputs[1] >= 0 ? &m->tensors[op->inputs[1]] : NULL;
        if (!b) return fail(m, "has one input");
        const int s16 = TR_INT16 && in->type == TR_I16 && b->type == TR_I16 && out->type == TR_I16;
        if (s16 && (in->zero_point || b->zero_point || out->zero_point)) return fail(m, "int16 activations with a zero point other than 0");
        if (!s16 && (in->type != TR_I8 || b->type != TR_I8 || out->type != TR_I8)) return fail_type(m, in->type != TR_I8 ? in : b, out, "(int8 or int16)");
        if (broadcast_check(m, in, b, out)) return -1;
        if (op->opcode != TR_OP_MUL) return 0;
        tr_mul_params *p = &op->u.mul;
        set_multiplier((double)in->scale * (double)b->scale / (double)out->scale, &p->multiplier, &p->shift);
        p->input1_offset = -in->zero_point;
        p->input2_offset = -b->zero_point;
        p->output_offset = out->zero_point;
        act_range(tr_fb_field_u8(fb, opts, 0, 0), out, &p->act_min, &p->act_max);
        return 0;
    }
#endif
    case TR_OP_PAD:
    case TR_OP_PADV2: {
        const tr_tensor *pads = op->n_inputs > 1 && op->inputs[1] >= 0 ? &m->tensors[op->inputs[1]] : NULL;
        const tr_tensor *value = op->n_inputs > 2 && op->inputs[2] >= 0 ? &m->tensors[op->inputs[2]] : NULL;
        const int s16 = int8_or_int16(m, in, out);
        if (s16 < 0) return -1;
        if (!pads || !pads->data || pads->type != TR_I32 || pads->elems != 2 * in->ndims) return fail(m, "paddings are not a constant int32 [rank, 2]");
        tr_pad_params *p = &op->u.pad;
        const tr_shape4 is = shape4(in), os = shape4(out);
        const int32_t in_d[4] = {is.n, is.h, is.w, is.c}, out_d[4] = {os.n, os.h, os.w, os.c};
        for (int d = 0; d < 4; ++d) {
            const int k = d - (4 - in->ndims); /* right-aligned, as shape4 */
            int32_t before = 0, after = 0;
            if (k >= 0) {
                memcpy(&before, pads->data + 8 * k, 4);
                memcpy(&after, pads->data + 8 * k + 4, 4);
            }
            if (before < 0 || after < 0 || in_d[d] + before + after != out_d[d]) return fail(m, "paddings disagree with the shapes");
            p->before[d] = before;
        }
        p->pad_value = out->zero_point;
        if (!value) return 0;
        /* PADV2's constant, taken raw as TFLite Micro does; for int8 it must be quantised as the output (TFLite Micro's
         * prepare), for int16 TFLite Micro does not check */
        if (!value->data || value->type != in->type || value->elems != 1) return fail(m, "pad value is not a constant scalar of the input's type");
        if (!s16 && (value->zero_point != out->zero_point || value->scale != out->scale)) return fail(m, "pad value quantised unlike the output");
        if (s16) {
            int16_t v;
            memcpy(&v, value->data, 2);
            p->pad_value = v;
        } else {
            p->pad_value = (int8_t)value->data[0];
        }
        return 0;
    }
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_39) /* optional, as in invoke.c */
    case TR_OP_TRANSPOSE: {
        const tr_tensor *perm = op->n_inputs > 1 && op->inputs[1] >= 0 ? &m->tensors[op->inputs[1]] : NULL;
        const int s16 = int8_or_int16(m, in, out);
        if (s16 < 0) return -1;
        const int rank = in->ndims;
        if (!perm || !perm->data || perm->type != TR_I32 || perm->elems != rank || out->ndims != rank) return fail(m, "perm is not a constant int32 [rank]");
        tr_transpose_params *p = &op->u.transpose;
        int seen = 0;
        for (int k = 0; k < 4; ++k) p->perm[k] = k; /* right-aligned: the dimensions added in front stay where they are */
        for (int k = 0; k < rank; ++k) {
            int32_t v;
            memcpy(&v, perm->data + 4 * k, 4);
            if (v < 0 || v >= rank || (seen >> v) & 1 || out->dims[k] != in->dims[v]) return fail(m, "perm is not a permutation that gives the output's shape");
            seen |= 1 << v;
            p->perm[4 - rank + k] = 4 - rank + v;
        }
        return 0;
    }
#endif
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_97) /* optional, as in invoke.c */
    case TR_OP_RESIZE_NEAREST_NEIGHBOR: {
        const tr_tensor *size = op->n_inputs > 1 && op->inputs[1] >= 0 ? &m->tensors[op->inputs[1]] : NULL;
        const int s16 = int8_or_int16(m, in, out);
        if (s16 < 0) return -1;
        if (in->ndims != 4 || out->ndims != 4) return fail(m, "input or output is not 4-D");
        if (!size || !size->data || size->type != TR_I32 || size->ndims != 1 || size->elems != 2) return fail(m, "size is not a constant int32 [2]");
        int32_t hw[2];
        memcpy(hw, size->data, 8);
        if (hw[0] != out->dims[1] || hw[1] != out->dims[2] || in->dims[0] != out->dims[0] || in->dims[3] != out->dims[3])
            return fail(m, "size disagrees with the output's shape");
        op->u.resize.align_corners = tr_fb_field_u8(fb, opts, 0, 0) != 0;
        op->u.resize.half_pixel_centers = tr_fb_field_u8(fb, opts, 1, 0) != 0;
        return 0;
    }
#endif
    case TR_OP_CONCATENATION: {
        if (out->type != TR_I8 && !(TR_INT16 && out->type == TR_I16)) return fail_type(m, out, out, "(int8 or int16)");
        if (out->type == TR_I16 && out->zero_point) return fail(m, "int16 activations with a zero point other than 0");
        int32_t axis = tr_fb_field_i32(fb, opts, 0, 0);
        if (axis < 0) axis += out->ndims;
        if (axis < 0 || axis >= out->ndims) return fail(m, "axis out of range");
        if (tr_fb_field_u8(fb, opts, 1, 0) != 0) return fail(m, "a fused activation is not supported");
        int32_t along = 0;
        for (int k = 0; k < op->n_inputs; ++k) {
            const tr_tensor *t = &m->tensors[op->inputs[k]];
            if (t->type != out->type || t->ndims != out->ndims) return fail(m, "inputs are not of the output's type and rank");
            /* TFLite's int8 and int16 kernels do not rescale (its int16 kernel copies whatever the scales) */
            if (t->scale != out->scale || t->zero_point != out->zero_point) return fail(m, "inputs quantised unlike the output");
            for (int d = 0; d < out->ndims; ++d)
                if (d != axis && t->dims[d] != out->dims[d]) return fail(m, "input shapes disagree off the axis");
            along += t->dims[axis];
        }
        if (along != out->dims[axis]) return fail(m, "inputs do not add up to the output along the axis");
        op->u.axis = axis;
        return 0;
    }
    case TR_OP_MEAN: {
        const tr_tensor *axes = op->n_inputs > 1 && op->inputs[1] >= 0 ? &m->tensors[op->inputs[1]] : NULL;
        const int s16 = int8_or_int16(m, in, out);
        if (s16 < 0) return -1;
        if (in->ndims != 4 || !axes || !axes->data || axes->type != TR_I32 || axes->elems != 2) return fail(m, "only the mean over H and W of a 4-D tensor is supported");
        int32_t a[2];
        memcpy(a, axes->data, 8);
        for (int k = 0; k < 2; ++k) if (a[k] < 0) a[k] += 4;
        if (!((a[0] == 1 && a[1] == 2) || (a[0] == 2 && a[1] == 1))) return fail(m, "only the mean over H and W of a 4-D tensor is supported");
        if (out->elems != in->dims[0] * in->dims[3]) return fail(m, "output shape is not N x C");
        tr_mean_params *p = &op->u.mean;
        set_multiplier((double)in->scale / (double)out->scale, &p->multiplier, &p->shift);
        p->input_zp = in->zero_point;
        p->output_zp = out->zero_point;
#ifdef TR_MEAN_INT8_FOLD
        const int fold = 1; /* MEAN_INT8=fold: int8 as current TFLite Micro, like int16 */
#else
        const int fold = s16;
#endif
        if (fold) { /* TFLite's QuantizedMeanOrSum: 1 / count folded into the multiplier */
            const int32_t count = in->dims[1] * in->dims[2];
            if (s16 && count > 65536) return fail(m, "int16 MEAN over more than 65536 elements (its int32 sum could overflow)");
            int k = 0;
            while ((count >> (k + 1)) > 0) ++k; /* floor(log2(count)) */
            if (k > 31 + p->shift) k = 31 + p->shift;
            p->multiplier = (int32_t)(((int64_t)p->multiplier << k) / count);
            p->shift -= k;
        }
        return 0;
    }
    default:
        return fail(m, "unsupported operator");
    }
}

/* A Flatten without a fixed batch converts to SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE's shape input. RESHAPE here
 * takes its output shape from its output tensor, so that chain is folded away: each such operator's result must be
 * read only as a RESHAPE's shape (input 1) or by another folded operator; anything else is refused. */
static int fold_shape_ops(tr_model *m)
{
    for (uint16_t i = 0; i < m->n_ops; ++i) {
        const tr_op *op = &m->ops[i];
        for (uint32_t k = 0; k < op->n_inputs; ++k) {
            if (op->inputs[k] < 0 || op->folded || (k == 1 && op->opcode == TR_OP_RESHAPE)) continue;
            for (uint16_t j = 0; j < m->n_ops; ++j)
                if (m->ops[j].folded && m->ops[j].output == op->inputs[k]) {
                    char *const end = m->error + sizeof m->error;
                    tr_put_str(tr_put_str(tr_put_str(m->error, end, tr_op_name(m->ops[j].opcode)), end, ": its result is used as data by "), end,
                               tr_op_name(op->opcode));
                    return -1;
                }
        }
    }
    for (uint16_t j = 0; j < m->n_ops; ++j)
        if (m->ops[j].folded && m->ops[j].output == m->output) return fail(m, "the model's output is shape arithmetic");
    return 0;
}

int tr_model_prepare(tr_model *m, const uint8_t *bytes, uint32_t size)
{
    memset(m->error, 0, sizeof m->error);
    m->bytes = bytes;
    m->size = size;
    m->n_tensors = m->n_ops = 0;
    channel_used = 0;
    tr_fb fb = {bytes, size, NULL};
    const uint32_t root = tr_fb_root(&fb);
    if (fb.error) return fail(m, fb.error);
    if (memcmp(bytes + 4, "TFL3", 4) != 0) return fail(m, "not a TFLite model (file identifier is not TFL3)");
    if (tr_fb_field_i32(&fb, root, M_VERSION, 0) != 3) return fail(m, "TFLite schema version is not 3");
    const uint32_t subgraphs = tr_fb_ref(&fb, root, M_SUBGRAPHS);
    if (tr_fb_vec_len(&fb, subgraphs) != 1) return fail(m, "model must have exactly one subgraph");
    const uint32_t sg = tr_fb_vec_ref(&fb, subgraphs, 0);
    const uint32_t buffers = tr_fb_ref(&fb, root, M_BUFFERS);
    if (read_tensors(m, &fb, sg, buffers)) return -1;

    const uint32_t inputs = tr_fb_ref(&fb, sg, SG_INPUTS), outputs = tr_fb_ref(&fb, sg, SG_OUTPUTS);
    if (tr_fb_vec_len(&fb, inputs) != 1 || tr_fb_vec_len(&fb, outputs) != 1) return fail(m, "model must have one input and one output");
    const int in_idx = tensor_index(m, &fb, inputs, 0, 0), out_idx = tensor_index(m, &fb, outputs, 0, 0);
    if (in_idx < 0 || out_idx < 0) return fail(m, "model input/output index out of range");
    m->input = (int16_t)in_idx;
    m->output = (int16_t)out_idx;

    const uint32_t opcodes = tr_fb_ref(&fb, root, M_OPCODES);
    const uint32_t n_codes = tr_fb_vec_len(&fb, opcodes);
    const uint32_t operators = tr_fb_ref(&fb, sg, SG_OPERATORS);
    const uint32_t n_ops = tr_fb_vec_len(&fb, operators);
    if (n_ops == 0) return fail(m, "model has no operators");
    if (n_ops > TR_MAX_OPS) return fail(m, "model has more operators than TR_MAX_OPS");
    for (uint32_t i = 0; i < n_ops; ++i) {
        tr_op *op = &m->ops[i];
        memset(op, 0, sizeof *op);
        const uint32_t o = tr_fb_vec_ref(&fb, operators, i);
        const uint32_t ci = (uint32_t)tr_fb_field_i32(&fb, o, O_OPCODE_INDEX, 0);
        if (ci >= n_codes) return fail(m, "operator code index out of range");
        const uint32_t code = tr_fb_vec_ref(&fb, opcodes, ci);
        /* builtin_code (int) supersedes deprecated_builtin_code (byte, capped at 127) */
        int32_t opcode = tr_fb_field_i32(&fb, code, OC_CODE, 0);
        const int32_t deprecated = tr_fb_field_u8(&fb, code, OC_DEPRECATED_CODE, 0);
        if (opcode < deprecated) opcode = deprecated;
        const int32_t version = tr_fb_field_i32(&fb, code, OC_VERSION, 1);
        if (version < 1 || version > max_version(opcode)) {
            char *const end = m->error + sizeof m->error;
            const char *name = tr_op_name(opcode);
            char *pos = tr_put_str(m->error, end, "unsupported operator ");
            pos = name ? tr_put_str(pos, end, name) : tr_put_i64(pos, end, opcode);
            pos = tr_put_i64(tr_put_str(pos, end, " v"), end, version);
            /* and its types: the first input's, and the output's where it differs ("(int16)", "(int8 -> int16)") */
            const int ti = tensor_index(m, &fb, tr_fb_ref(&fb, o, O_INPUTS), 0, 1), to = tensor_index(m, &fb, tr_fb_ref(&fb, o, O_OUTPUTS), 0, 1);
            if (ti >= 0) {
                pos = tr_put_str(tr_put_str(pos, end, " ("), end, type_name(m->tensors[ti].type));
                if (to >= 0 && m->tensors[to].type != m->tensors[ti].type) pos = tr_put_str(tr_put_str(pos, end, " -> "), end, type_name(m->tensors[to].type));
                tr_put_str(pos, end, ")");
            }
            return -1;
        }
        op->opcode = (uint8_t)opcode;
        const uint32_t ins = tr_fb_ref(&fb, o, O_INPUTS), outs = tr_fb_ref(&fb, o, O_OUTPUTS);
        const uint32_t n_in = tr_fb_vec_len(&fb, ins);
        if (n_in < 1 || n_in > TR_OP_MAX_INPUTS || tr_fb_vec_len(&fb, outs) != 1) return fail(m, "operator with an unexpected number of inputs/outputs");
        op->n_inputs = (uint8_t)n_in;
        for (uint32_t k = 0; k < n_in; ++k) {
            const int idx = tensor_index(m, &fb, ins, k, k > 0);
            if (idx == -2) return fail(m, "operator input index out of range");
            op->inputs[k] = (int16_t)idx;
        }
        const int oi = tensor_index(m, &fb, outs, 0, 0);
        if (oi < 0) return fail(m, "operator output index out of range");
        op->output = (int16_t)oi;
        const uint32_t opts = tr_fb_ref(&fb, o, O_OPTIONS);
        if (fb.error) return fail(m, fb.error);
        if (prepare_op(m, &fb, op, opts)) {
            char why[sizeof m->error];
            memcpy(why, m->error, sizeof why);
            char *const end = m->error + sizeof m->error;
            tr_put_str(tr_put_str(tr_put_str(m->error, end, tr_op_name(opcode)), end, ": "), end, why);
            return -1;
        }
        if (fb.error) return fail(m, fb.error);
    }
    m->n_ops = (uint16_t)n_ops;
    if (fold_shape_ops(m)) return -1;
    /* lifetimes, for the planner: folded shape arithmetic and RESHAPE's shape input take no place in the arena */
    for (uint32_t i = 0; i < n_ops; ++i) {
        const tr_op *op = &m->ops[i];
        if (op->folded) continue;
        for (uint32_t k = 0; k < op->n_inputs; ++k) {
            if (op->inputs[k] < 0 || (k == 1 && op->opcode == TR_OP_RESHAPE)) continue;
            tr_tensor *t = &m->tensors[op->inputs[k]];
            if (t->first_op < 0) t->first_op = (int16_t)i;
            t->last_op = (int16_t)i;
        }
        tr_tensor *t = &m->tensors[op->output];
        if (t->first_op < 0) t->first_op = (int16_t)i;
        if (t->last_op < (int16_t)i) t->last_op = (int16_t)i;
    }
    m->tensors[m->input].first_op = 0;
    m->tensors[m->output].last_op = (int16_t)(n_ops - 1);
    if (m->tensors[m->input].data || m->tensors[m->output].data) return fail(m, "model input/output is a constant");
    m->input_data = NULL;
    m->arena_needed = tr_plan_arena(m->tensors, m->n_tensors, m->input);
    m->channels = channel_used;
    return 0;
}

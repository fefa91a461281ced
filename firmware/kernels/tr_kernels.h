/* tinyrig's int8 kernels: one operator per file, plain reference versions (suffix _ref) bit-exact with TFLite's
 * reference integer kernels, and optimised versions beside them that must give the same bits (suffix _dsp: Cortex-M
 * DSP extension, _mve: Cortex-M55 Helium). The runtime calls the unsuffixed names; the build's KERNELS set picks the
 * variant.
 * Layouts are TFLite's: activations NHWC, CONV_2D filters OHWI, DEPTHWISE_CONV_2D filters [1,H,W,C*M],
 * FULLY_CONNECTED weights [out, in]. Offsets follow TFLite: input_offset = -input zero point,
 * output_offset = +output zero point. */
#ifndef TR_KERNELS_H
#define TR_KERNELS_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int32_t n, h, w, c;
} tr_shape4;

typedef struct {
    int32_t stride_w, stride_h;
    int32_t dilation_w, dilation_h;
    int32_t pad_w, pad_h; /* top/left padding as TFLite computes it */
    int32_t input_offset, output_offset;
    int32_t act_min, act_max;
    int32_t depth_multiplier; /* depthwise only */
} tr_conv_params;

/* Per output channel requantisation: output = acc * multiplier[c] * 2^shift[c]. */
typedef struct {
    const int32_t *multiplier;
    const int32_t *shift;
} tr_per_channel;

typedef struct {
    int32_t input_offset, filter_offset, output_offset;
    int32_t multiplier, shift; /* per-tensor weights: every output row's */
    int32_t act_min, act_max;
    /* per-channel weights (one scale per output row, TFLite's per-channel FULLY_CONNECTED): row o's multiplier and
     * shift; NULL for per-tensor weights */
    const int32_t *channel_multiplier, *channel_shift;
} tr_fc_params;

/* The requantisation of FULLY_CONNECTED output row o. */
static inline int32_t tr_fc_multiplier(const tr_fc_params *p, int32_t o)
{
    return p->channel_multiplier ? p->channel_multiplier[o] : p->multiplier;
}
static inline int32_t tr_fc_shift(const tr_fc_params *p, int32_t o) { return p->channel_shift ? p->channel_shift[o] : p->shift; }

typedef struct {
    int32_t stride_w, stride_h, filter_w, filter_h, pad_w, pad_h;
    int32_t act_min, act_max;
} tr_pool_params;

typedef struct {
    int32_t input_multiplier, input_left_shift, diff_min;
} tr_softmax_params;

/* The operands of an elementwise binary operator (ADD, MUL, MAXIMUM, MINIMUM) as TFLite broadcasts them (numpy's
 * rules, shapes right-aligned to 6 dimensions, as TFLite Micro's ADD and MUL take up to 6): the output's extents, and
 * each input's step per output dimension, 0 where that input has extent 1 and is repeated. Operands of one shape are
 * one run of `dims[5]` elements. */
#define TR_BROADCAST_DIMS 6
typedef struct {
    int32_t dims[TR_BROADCAST_DIMS];
    int32_t a_stride[TR_BROADCAST_DIMS], b_stride[TR_BROADCAST_DIMS];
} tr_broadcast;

/* A walk over the output of an elementwise operator, in order: each input's offset for the current element. */
typedef struct {
    int32_t pos[TR_BROADCAST_DIMS];
    int32_t a, b;
} tr_broadcast_walk;

static inline int32_t tr_broadcast_size(const tr_broadcast *bc)
{
    int32_t n = 1;
    for (int d = 0; d < TR_BROADCAST_DIMS; ++d) n *= bc->dims[d];
    return n;
}

/* Dimension `from` advances; one that ends goes back to 0 and carries into the one before. */
static inline void tr_broadcast_step(const tr_broadcast *bc, tr_broadcast_walk *it, int from)
{
    for (int d = from; d >= 0; --d) {
        it->a += bc->a_stride[d];
        it->b += bc->b_stride[d];
        if (++it->pos[d] < bc->dims[d]) return;
        it->a -= bc->a_stride[d] * bc->dims[d];
        it->b -= bc->b_stride[d] * bc->dims[d];
        it->pos[d] = 0;
    }
}

/* To the next output element: the innermost dimension advances. */
static inline void tr_broadcast_next(const tr_broadcast *bc, tr_broadcast_walk *it) { tr_broadcast_step(bc, it, TR_BROADCAST_DIMS - 1); }

typedef struct {
    int32_t input1_offset, input2_offset, output_offset;
    int32_t left_shift;
    int32_t input1_multiplier, input1_shift, input2_multiplier, input2_shift;
    int32_t output_multiplier, output_shift;
    int32_t act_min, act_max;
} tr_add_params;

typedef struct {
    int32_t input_zp, output_offset, multiplier, shift; /* input_scale / output_scale */
    int32_t act_min, act_max;
} tr_relu_params;

/* ABS: |x - input_zp| requantised by input_scale / output_scale where the scales differ (rescale), as it is otherwise */
typedef struct {
    int32_t input_zp, output_zp, rescale, multiplier, shift;
} tr_abs_params;

/* PRELU: x - input_zp requantised by input_scale / output_scale (1) at and above 0, (x - input_zp)(alpha - alpha_zp)
 * by input_scale * alpha_scale / output_scale (2) below */
typedef struct {
    int32_t input_offset, alpha_offset, output_offset;
    int32_t multiplier_1, shift_1, multiplier_2, shift_2;
} tr_prelu_params;

/* LEAKY_RELU: x - input_zp requantised by input_scale / output_scale where it is at least 0, by
 * input_scale * alpha / output_scale (its magnitude, alpha_negative its sign) below */
typedef struct {
    int32_t input_zp, output_zp;
    int32_t identity_multiplier, identity_shift, alpha_multiplier, alpha_shift, alpha_negative;
} tr_leaky_relu_params;

/* LOGISTIC and TANH (TFLite Micro's OpData): input_scale * 2^27 as a Q31 multiplier and left shift, and the radius
 * beyond which the output saturates */
typedef struct {
    int32_t input_zp, radius, multiplier, shift;
} tr_sigmoid_params;

/* HARD_SWISH (TFLite's HardSwishParams): Q15 multipliers and their exponents */
typedef struct {
    int32_t input_zp, output_zp;
    int16_t reluish_multiplier, output_multiplier;
    int32_t reluish_exponent, output_exponent;
} tr_hard_swish_params;

typedef struct {
    int32_t input1_offset, input2_offset, output_offset;
    int32_t multiplier, shift; /* input1_scale * input2_scale / output_scale */
    int32_t act_min, act_max;
} tr_mul_params;

/* STRIDED_SLICE on data: per dimension (right-aligned to 4) the first index, the index the walk stops at (not
 * taken) and the step, which may be negative */
typedef struct {
    int32_t start[4], stop[4], step[4];
} tr_strided_slice_params;

/* TRANSPOSE: output dimension k is input dimension perm[k], both right-aligned to 4 */
typedef struct {
    int32_t perm[4];
} tr_transpose_params;

/* RESIZE_NEAREST_NEIGHBOR's options (TFLite's ResizeNearestNeighborOptions) */
typedef struct {
    int32_t align_corners, half_pixel_centers;
} tr_resize_params;

typedef struct {
    int32_t before[4]; /* elements added before each of N, H, W, C */
    int32_t pad_value; /* int8 or int16: PAD's output zero point, PADV2's constant */
} tr_pad_params;

typedef struct {
    int32_t input_zp, output_zp, multiplier, shift; /* input_scale / output_scale */
} tr_mean_params;

void tr_conv_s8_ref(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                    tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out, int8_t *output);
void tr_depthwise_conv_s8_ref(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                              tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out,
                              int8_t *output);
/* batches x in_depth -> batches x out_depth */
void tr_fully_connected_s8_ref(const tr_fc_params *p, int32_t batches, int32_t in_depth, const int8_t *input,
                               int32_t out_depth, const int8_t *weights, const int32_t *bias, int8_t *output);
void tr_avg_pool_s8_ref(const tr_pool_params *p, tr_shape4 in, const int8_t *input, tr_shape4 out, int8_t *output);
void tr_max_pool_s8_ref(const tr_pool_params *p, tr_shape4 in, const int8_t *input, tr_shape4 out, int8_t *output);
/* rows x depth, softmax over the last dimension; output zero point -128, scale 1/256 */
void tr_softmax_s8_ref(const tr_softmax_params *p, int32_t rows, int32_t depth, const int8_t *input, int8_t *output);
/* int8 in, int16 out (zero point -32768, scale 1/65536), as TFLite Micro's SOFTMAX allows */
void tr_softmax_s8_s16_ref(const tr_softmax_params *p, int32_t rows, int32_t depth, const int8_t *input, int16_t *output);
void tr_add_s8_ref(const tr_add_params *p, const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output);
/* SUB: ADD's parameters (its multipliers worked out in single precision, as TFLite Micro's SUB prepare does) */
void tr_sub_s8_ref(const tr_add_params *p, const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output);
/* the same by table (add_s8_lut.c): the DSP set's ADD */
void tr_add_s8_lut(const tr_add_params *p, const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output);
void tr_quantize_f32_s8_ref(int32_t size, const float *input, float scale, int32_t zero_point, int8_t *output);
/* int8 -> int8 with a different scale/zero point */
void tr_requantize_s8_ref(int32_t size, const int8_t *input, int32_t input_zp, int32_t multiplier, int32_t shift,
                          int32_t output_zp, int8_t *output);
void tr_dequantize_s8_f32_ref(int32_t size, const int8_t *input, float scale, int32_t zero_point, float *output);

void tr_relu_s8_ref(const tr_relu_params *p, int32_t size, const int8_t *input, int8_t *output);
void tr_leaky_relu_s8_ref(const tr_leaky_relu_params *p, int32_t size, const int8_t *input, int8_t *output);
void tr_abs_s8_ref(const tr_abs_params *p, int32_t size, const int8_t *input, int8_t *output);
void tr_prelu_s8_ref(const tr_prelu_params *p, const tr_broadcast *bc, const int8_t *input, const int8_t *alpha, int8_t *output);
/* The loop LOGISTIC and TANH share: saturate beyond the radius, else f_q4 on the Q4.27 input, rounded to the output */
void tr_sigmoid_like_s8(const tr_sigmoid_params *p, int32_t size, const int8_t *input, int8_t *output, int32_t (*f_q4)(int32_t),
                        int output_shift, int32_t output_zp);
void tr_logistic_s8_ref(const tr_sigmoid_params *p, int32_t size, const int8_t *input, int8_t *output);
void tr_tanh_s8_ref(const tr_sigmoid_params *p, int32_t size, const int8_t *input, int8_t *output);
void tr_hard_swish_s8_ref(const tr_hard_swish_params *p, int32_t size, const int8_t *input, int8_t *output);
void tr_maximum_s8_ref(const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output);
void tr_minimum_s8_ref(const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output);
/* STRIDED_SLICE on elements of 1 (int8) or 2 (int16) bytes */
void tr_strided_slice_ref(const tr_strided_slice_params *p, int elem_bytes, tr_shape4 in, const void *input, void *output);
/* REDUCE_MAX (maximum 1) or REDUCE_MIN, int8, over the dimensions whose bit is set in axes (bit 0 N, 1 H, 2 W, 3 C of
 * the shape right-aligned to 4); the output holds the others in order */
void tr_reduce_max_min_s8_ref(tr_shape4 in, const int8_t *input, uint32_t axes, int maximum, int8_t *output);
/* TRANSPOSE on elements of 1 (int8) or 2 (int16) bytes */
void tr_transpose_ref(const tr_transpose_params *p, int elem_bytes, tr_shape4 in, const void *input, void *output);
/* RESIZE_NEAREST_NEIGHBOR on elements of 1 (int8) or 2 (int16) bytes: in and out of the same N and C */
void tr_resize_nearest_ref(const tr_resize_params *p, int elem_bytes, tr_shape4 in, const void *input, tr_shape4 out, void *output);
/* PAD and PADV2 on elements of 1 (int8) or 2 (int16) bytes */
void tr_pad_ref(const tr_pad_params *p, int elem_bytes, tr_shape4 in, const void *input, tr_shape4 out, void *output);
/* outer x (inner[0] + ... + inner[n-1]) bytes from n inputs of outer x inner[k] bytes */
/* a byte copy: int16 inputs pass their slices' sizes in bytes (invoke.c) */
void tr_concatenation_s8_ref(int32_t outer, int32_t n_inputs, const int8_t *const *inputs, const int32_t *inner,
                             int8_t *output);
void tr_mul_s8_ref(const tr_mul_params *p, const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output);
/* NHWC -> N x C: the mean over H and W */
void tr_mean_hw_s8_ref(const tr_mean_params *p, tr_shape4 in, const int8_t *input, int8_t *output);

/* int16x8 (TFLite's 16-bit activations, 8-bit weights, 64-bit bias; activation zero point 0): reference kernels only */
void tr_conv_s16_ref(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int16_t *input,
                     tr_shape4 filter, const int8_t *weights, const int64_t *bias, tr_shape4 out, int16_t *output);
void tr_depthwise_conv_s16_ref(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int16_t *input,
                               tr_shape4 filter, const int8_t *weights, const int64_t *bias, tr_shape4 out,
                               int16_t *output);
void tr_fully_connected_s16_ref(const tr_fc_params *p, int32_t batches, int32_t in_depth, const int16_t *input,
                                int32_t out_depth, const int8_t *weights, const int64_t *bias, int16_t *output);
void tr_add_s16_ref(const tr_add_params *p, const tr_broadcast *bc, const int16_t *a, const int16_t *b, int16_t *output);
void tr_sub_s16_ref(const tr_add_params *p, const tr_broadcast *bc, const int16_t *a, const int16_t *b, int16_t *output);
void tr_mul_s16_ref(const tr_mul_params *p, const tr_broadcast *bc, const int16_t *a, const int16_t *b, int16_t *output);
void tr_quantize_f32_s16_ref(int32_t size, const float *input, float scale, int32_t zero_point, int16_t *output);
/* int8 or int16 (input_bits, output_bits: 8 or 16) -> int8 or int16 with a different scale/zero point */
void tr_requantize_ref(int32_t size, const void *input, int input_bits, int32_t input_zp, int32_t multiplier, int32_t shift,
                       int32_t output_zp, void *output, int output_bits);
void tr_dequantize_s16_f32_ref(int32_t size, const int16_t *input, float scale, int32_t zero_point, float *output);
void tr_avg_pool_s16_ref(const tr_pool_params *p, tr_shape4 in, const int16_t *input, tr_shape4 out, int16_t *output);
void tr_max_pool_s16_ref(const tr_pool_params *p, tr_shape4 in, const int16_t *input, tr_shape4 out, int16_t *output);
void tr_relu_s16_ref(const tr_relu_params *p, int32_t size, const int16_t *input, int16_t *output);
void tr_leaky_relu_s16_ref(const tr_leaky_relu_params *p, int32_t size, const int16_t *input, int16_t *output);
void tr_abs_s16_ref(const tr_abs_params *p, int32_t size, const int16_t *input, int16_t *output);
/* int16 input and output, int8 alpha, as TFLite Micro takes them */
void tr_prelu_s16_ref(const tr_prelu_params *p, const tr_broadcast *bc, const int16_t *input, const int8_t *alpha, int16_t *output);
void tr_maximum_s16_ref(const tr_broadcast *bc, const int16_t *a, const int16_t *b, int16_t *output);
void tr_minimum_s16_ref(const tr_broadcast *bc, const int16_t *a, const int16_t *b, int16_t *output);
/* SOFTMAX int16 in and out (scale 1/32768): the tables are built once, before the first use */
void tr_softmax_s16_build_tables(void);
const int16_t *tr_softmax_s16_table(int which); /* 0: exp, 1: 1/(1+x); 513 entries each */
void tr_softmax_s16_ref(const tr_softmax_params *p, int32_t rows, int32_t depth, const int16_t *input, int16_t *output);
/* LOGISTIC and TANH int16 (output scale 2^-15): TFLite's sigmoid table, built once before the first use; the params'
 * multiplier and shift are TFLite's input_multiplier (0: a power-of-two scale) and input_left_shift */
void tr_sigmoid_s16_build_table(void);
const uint16_t *tr_sigmoid_s16_table(void);
int32_t tr_sigmoid_s16_rescale(const tr_sigmoid_params *p, int16_t x);
uint32_t tr_sigmoid_s16_interpolate(uint32_t ax, int frac, uint32_t saturated);
void tr_logistic_s16_ref(const tr_sigmoid_params *p, int32_t size, const int16_t *input, int16_t *output);
void tr_tanh_s16_ref(const tr_sigmoid_params *p, int32_t size, const int16_t *input, int16_t *output);
/* the multiplier holds 1 / (H x W), folded in by model.c as TFLite's QuantizedMeanOrSum does */
void tr_mean_hw_s16_ref(const tr_mean_params *p, tr_shape4 in, const int16_t *input, int16_t *output);

/* Optimised sets, chosen at build time (-DTR_KERNELS_<SET>); a set the CPU cannot run falls back to the reference
 * kernels. TR_KERNELS_NAME says which set the build's unsuffixed names resolve to. */
#if defined(TR_KERNELS_MVE) && defined(__ARM_FEATURE_MVE)
/* Cortex-M55 Helium (M-profile Vector Extension, integer) */
void tr_conv_s8_mve(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                    tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out, int8_t *output);
void tr_depthwise_conv_s8_mve(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                              tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out,
                              int8_t *output);
void tr_fully_connected_s8_mve(const tr_fc_params *p, int32_t batches, int32_t in_depth, const int8_t *input,
                               int32_t out_depth, const int8_t *weights, const int32_t *bias, int8_t *output);
#define tr_conv_s8 tr_conv_s8_mve
#define tr_depthwise_conv_s8 tr_depthwise_conv_s8_mve
#define tr_fully_connected_s8 tr_fully_connected_s8_mve
#define TR_KERNELS_NAME "mve"
#elif defined(TR_KERNELS_DSP) && defined(__ARM_FEATURE_DSP)
/* Cortex-M4/M7/M33 DSP extension: SMLAD, two 16x16 multiply-accumulates per instruction */
void tr_conv_s8_dsp(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                    tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out, int8_t *output);
/* 1x1 filters without padding (conv_1x1_s8_dsp.c, called by tr_conv_s8_dsp); 0 if it does not take them */
int tr_conv_1x1_s8_dsp(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                       tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out, int8_t *output);
void tr_depthwise_conv_s8_dsp(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                              tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out,
                              int8_t *output);
/* 3x3 filters over three input channels (conv_s8_3x3c3_dsp.c): 1 if it took the call, 0 for tr_conv_s8_dsp's own */
int tr_conv_s8_3x3c3_dsp(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                         tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out, int8_t *output);
void tr_fully_connected_s8_dsp(const tr_fc_params *p, int32_t batches, int32_t in_depth, const int8_t *input,
                               int32_t out_depth, const int8_t *weights, const int32_t *bias, int8_t *output);
#define tr_conv_s8 tr_conv_s8_dsp
#define tr_depthwise_conv_s8 tr_depthwise_conv_s8_dsp
#define tr_fully_connected_s8 tr_fully_connected_s8_dsp
#define tr_add_s8 tr_add_s8_lut
#define TR_KERNELS_NAME "dsp"
#else
#define tr_conv_s8 tr_conv_s8_ref
#define tr_depthwise_conv_s8 tr_depthwise_conv_s8_ref
#define tr_fully_connected_s8 tr_fully_connected_s8_ref
#define TR_KERNELS_NAME "ref"
#endif
#ifndef tr_add_s8
#define tr_add_s8 tr_add_s8_ref
#endif
#define tr_avg_pool_s8 tr_avg_pool_s8_ref
#define tr_max_pool_s8 tr_max_pool_s8_ref
#define tr_softmax_s8 tr_softmax_s8_ref
#define tr_quantize_f32_s8 tr_quantize_f32_s8_ref
#define tr_requantize_s8 tr_requantize_s8_ref
#define tr_dequantize_s8_f32 tr_dequantize_s8_f32_ref
#define tr_relu_s8 tr_relu_s8_ref
#define tr_logistic_s8 tr_logistic_s8_ref
#define tr_tanh_s8 tr_tanh_s8_ref
#define tr_hard_swish_s8 tr_hard_swish_s8_ref
#define tr_maximum_s8 tr_maximum_s8_ref
#define tr_minimum_s8 tr_minimum_s8_ref
#define tr_concatenation_s8 tr_concatenation_s8_ref
#define tr_mul_s8 tr_mul_s8_ref
#define tr_mean_hw_s8 tr_mean_hw_s8_ref

#endif

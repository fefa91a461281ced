/* The model as the runtime executes it: a .tflite read once at start-up into static tables of tensors and
 * operators, with every operator's quantisation parameters computed up front. No allocation anywhere. */
#ifndef TR_MODEL_H
#define TR_MODEL_H
#include <stddef.h>
#include <stdint.h>
#include "tr_kernels.h"

/* The firmware build sizes these tables for its model (tr_plan writes arena_size.h); the host tool uses the
 * defaults, which bound the models tinyrig accepts at all. */
#if defined(TR_FIRMWARE_BUILD)
#include "arena_size.h"
#define TR_MAX_TENSORS TR_MODEL_TENSORS
#define TR_MAX_OPS TR_MODEL_OPS
#define TR_MAX_CHANNEL_PARAMS (TR_MODEL_CHANNELS > 0 ? TR_MODEL_CHANNELS : 1)
#else
#define TR_MAX_TENSORS 256
#define TR_MAX_OPS 128
#define TR_MAX_CHANNEL_PARAMS 8192 /* sum over convolutions of their output channels */
#endif

/* int16x8 support (prepare and kernels): linked where the model has int16 activations (tr_plan says, firmware build);
 * the host tool and the native tests have it all */
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_INT16)
#define TR_INT16 1
#else
#define TR_INT16 0
#endif

/* TFLite TensorType values */
enum { TR_F32 = 0, TR_I32 = 2, TR_U8 = 3, TR_I64 = 4, TR_I16 = 7, TR_I8 = 9 };
/* TFLite BuiltinOperator values */
enum {
    TR_OP_ADD = 0, TR_OP_AVERAGE_POOL_2D = 1, TR_OP_CONCATENATION = 2, TR_OP_CONV_2D = 3, TR_OP_DEPTHWISE_CONV_2D = 4,
    TR_OP_DEQUANTIZE = 6, TR_OP_FULLY_CONNECTED = 9, TR_OP_LOGISTIC = 14, TR_OP_MAX_POOL_2D = 17, TR_OP_MUL = 18, TR_OP_RELU = 19,
    TR_OP_RELU_N1_TO_1 = 20, TR_OP_RELU6 = 21, TR_OP_RESHAPE = 22, TR_OP_SOFTMAX = 25, TR_OP_TANH = 28, TR_OP_PAD = 34, TR_OP_TRANSPOSE = 39, TR_OP_MEAN = 40,
    TR_OP_SUB = 41, TR_OP_SQUEEZE = 43, TR_OP_STRIDED_SLICE = 45, TR_OP_PRELU = 54, TR_OP_MAXIMUM = 55, TR_OP_MINIMUM = 57, TR_OP_PADV2 = 60, TR_OP_SLICE = 65, TR_OP_REDUCE_MAX = 82, TR_OP_REDUCE_MIN = 89, TR_OP_SHAPE = 77,
    TR_OP_PACK = 83, TR_OP_RESIZE_NEAREST_NEIGHBOR = 97, TR_OP_LEAKY_RELU = 98, TR_OP_ABS = 101, TR_OP_QUANTIZE = 114, TR_OP_HARD_SWISH = 117
};
/* Dimensions a tensor may have: 4 for every operator, up to 6 for ADD and MUL (broadcasting, as TFLite Micro). */
#define TR_MAX_DIMS 6

/* Inputs an operator may have (CONCATENATION takes this many at most). */
#define TR_OP_MAX_INPUTS 8

typedef struct {
    uint8_t type;
    uint8_t ndims;
    int32_t dims[TR_MAX_DIMS];
    int32_t elems;
    uint32_t bytes;
    const uint8_t *data;  /* constant data in the model, or NULL for an activation */
    int32_t arena_offset; /* activations: where the plan puts it */
    float scale;          /* first (per-tensor) quantisation scale; 0 when not quantised */
    int32_t zero_point;
    uint32_t scales_pos;  /* flatbuffer position of the scale vector (per-channel) */
    uint32_t n_scales;
    int16_t first_op, last_op; /* lifetime for the planner */
} tr_tensor;

typedef struct {
    uint8_t opcode;
    uint8_t n_inputs;
    uint8_t folded; /* shape arithmetic (SHAPE, STRIDED_SLICE, PACK) feeding only RESHAPE's shape: not executed */
    int16_t inputs[TR_OP_MAX_INPUTS];
    int16_t output;
    union {
        struct {
            tr_conv_params p;
            tr_per_channel q;
        } conv;
        tr_fc_params fc;
        tr_pool_params pool;
        tr_softmax_params softmax;
        tr_add_params add;
        tr_relu_params relu;
        tr_leaky_relu_params leaky_relu;
        tr_prelu_params prelu;
        tr_abs_params abs;
        tr_sigmoid_params sigmoid; /* LOGISTIC, TANH */
        tr_hard_swish_params hard_swish;
        tr_mul_params mul;
        tr_pad_params pad;
        tr_resize_params resize;
        tr_transpose_params transpose;
        tr_strided_slice_params strided_slice;
        uint32_t reduce_axes; /* REDUCE_MAX, REDUCE_MIN: bit d for dimension d of the 4-D shape */
        tr_mean_params mean;
        int32_t axis; /* CONCATENATION, positive */
        struct {
            int32_t multiplier, shift;
        } requant;
    } u;
} tr_op;

typedef struct {
    const uint8_t *bytes;
    uint32_t size;
    tr_tensor tensors[TR_MAX_TENSORS];
    tr_op ops[TR_MAX_OPS];
    uint16_t n_tensors, n_ops;
    int16_t input, output;
    uint8_t *input_data;   /* the model input tensor's bytes: outside the arena (tr_model_invoke never writes them) */
    uint32_t arena_needed; /* the plan's size (every activation but the model input) */
    uint32_t channels;     /* per-channel parameter sets in use */
    char error[96];        /* why the model was refused, for the e-[...] line */
} tr_model;

/* Reads and checks the model, resolves every operator (refusing unsupported ones by name and version), computes
 * quantisation parameters and plans the arena. Returns 0 on success; otherwise model->error says why. */
int tr_model_prepare(tr_model *model, const uint8_t *bytes, uint32_t size);
/* Runs the graph on model->input_data (set by the caller, at least the input tensor's bytes, 4-byte aligned; it is
 * only read, so every inference of a window sees the same input). The arena must be at least arena_needed bytes,
 * 16-byte aligned. */
void tr_model_invoke(const tr_model *model, uint8_t *arena);
static inline uint8_t *tr_tensor_ptr(const tr_model *m, int idx, uint8_t *arena)
{
    const tr_tensor *t = &m->tensors[idx];
    if (t->data) return (uint8_t *)(uintptr_t)t->data;
    return idx == m->input ? m->input_data : arena + t->arena_offset;
}
const char *tr_op_name(int opcode);
/* TFLite's broadcasting of an elementwise operator's inputs a and b into out (numpy's rules, shapes right-aligned):
 * each input's step per output dimension. Returns -1 where the shapes do not broadcast. Worked out at each invoke
 * rather than stored per operator (48 bytes of RAM each). */
int tr_broadcast_shapes(const tr_tensor *a, const tr_tensor *b, const tr_tensor *out, tr_broadcast *bc);

#endif

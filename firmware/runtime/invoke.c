/* The invoke loop: each prepared operator to its kernel, tensors resolved to the model's constants or the arena. */
#include <string.h>
#include "model.h"

static tr_shape4 shape_of(const tr_tensor *t)
{
    tr_shape4 s = {1, 1, 1, 1};
    int32_t *d[4] = {&s.n, &s.h, &s.w, &s.c};
    for (int i = 0; i < t->ndims; ++i) *d[4 - t->ndims + i] = t->dims[i];
    return s;
}

void tr_model_invoke(const tr_model *m, uint8_t *arena)
{
    for (uint16_t i = 0; i < m->n_ops; ++i) {
        const tr_op *op = &m->ops[i];
        if (op->folded) continue; /* shape arithmetic: RESHAPE takes its shape from its output tensor */
        const tr_tensor *in = &m->tensors[op->inputs[0]], *out = &m->tensors[op->output];
        const void *x = tr_tensor_ptr(m, op->inputs[0], arena);
        void *y = tr_tensor_ptr(m, op->output, arena);
        const int8_t *w = op->n_inputs > 1 && op->inputs[1] >= 0 ? (const int8_t *)tr_tensor_ptr(m, op->inputs[1], arena) : NULL;
        const void *bias = op->n_inputs > 2 && op->inputs[2] >= 0 ? tr_tensor_ptr(m, op->inputs[2], arena) : NULL;
        const int s16 = TR_INT16 && out->type == TR_I16; /* int16x8: int16 activations, int64 bias */
        switch (op->opcode) {
        case TR_OP_CONV_2D:
            if (s16) {
                tr_conv_s16_ref(&op->u.conv.p, &op->u.conv.q, shape_of(in), x, shape_of(&m->tensors[op->inputs[1]]), w, bias, shape_of(out), y);
                break;
            }
            tr_conv_s8(&op->u.conv.p, &op->u.conv.q, shape_of(in), x, shape_of(&m->tensors[op->inputs[1]]), w, bias,
                       shape_of(out), y);
            break;
        case TR_OP_DEPTHWISE_CONV_2D:
            if (s16) {
                tr_depthwise_conv_s16_ref(&op->u.conv.p, &op->u.conv.q, shape_of(in), x, shape_of(&m->tensors[op->inputs[1]]), w, bias,
                                          shape_of(out), y);
                break;
            }
            tr_depthwise_conv_s8(&op->u.conv.p, &op->u.conv.q, shape_of(in), x, shape_of(&m->tensors[op->inputs[1]]), w,
                                 bias, shape_of(out), y);
            break;
        case TR_OP_FULLY_CONNECTED: {
            const tr_tensor *wt = &m->tensors[op->inputs[1]];
            const int32_t depth = wt->dims[1];
            if (s16) tr_fully_connected_s16_ref(&op->u.fc, in->elems / depth, depth, x, wt->dims[0], w, bias, y);
            else tr_fully_connected_s8(&op->u.fc, in->elems / depth, depth, x, wt->dims[0], w, bias, y);
            break;
        }
        case TR_OP_AVERAGE_POOL_2D:
            if (s16) tr_avg_pool_s16_ref(&op->u.pool, shape_of(in), x, shape_of(out), y);
            else tr_avg_pool_s8(&op->u.pool, shape_of(in), x, shape_of(out), y);
            break;
        case TR_OP_MAX_POOL_2D:
            if (s16) tr_max_pool_s16_ref(&op->u.pool, shape_of(in), x, shape_of(out), y);
            else tr_max_pool_s8(&op->u.pool, shape_of(in), x, shape_of(out), y);
            break;
        case TR_OP_SOFTMAX: {
            const int32_t depth = in->dims[in->ndims - 1];
            if (s16 && in->type == TR_I16) tr_softmax_s16_ref(&op->u.softmax, in->elems / depth, depth, x, y);
            else if (s16) tr_softmax_s8_s16_ref(&op->u.softmax, in->elems / depth, depth, x, y);
            else tr_softmax_s8(&op->u.softmax, in->elems / depth, depth, x, y);
            break;
        }
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_0)
        case TR_OP_ADD: {
            tr_broadcast bc;
            tr_broadcast_shapes(in, &m->tensors[op->inputs[1]], out, &bc);
            if (s16) tr_add_s16_ref(&op->u.add, &bc, x, (const void *)w, y);
            else tr_add_s8(&op->u.add, &bc, x, w, y);
            break;
        }
#endif
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_41)
        case TR_OP_SUB: {
            tr_broadcast bc;
            tr_broadcast_shapes(in, &m->tensors[op->inputs[1]], out, &bc);
            if (s16) tr_sub_s16_ref(&op->u.add, &bc, x, (const void *)w, y);
            else tr_sub_s8_ref(&op->u.add, &bc, x, w, y);
            break;
        }
#endif
        case TR_OP_QUANTIZE:
            if (in->type == TR_F32 && s16) tr_quantize_f32_s16_ref(in->elems, x, out->scale, out->zero_point, y);
            else if (in->type == TR_F32) tr_quantize_f32_s8(in->elems, x, out->scale, out->zero_point, y);
            else if (!TR_INT16 || (in->type == TR_I8 && !s16)) tr_requantize_s8(in->elems, x, in->zero_point, op->u.requant.multiplier, op->u.requant.shift, out->zero_point, y);
            else
                tr_requantize_ref(in->elems, x, in->type == TR_I16 ? 16 : 8, in->zero_point, op->u.requant.multiplier, op->u.requant.shift, out->zero_point,
                                  y, s16 ? 16 : 8);
            break;
        case TR_OP_DEQUANTIZE:
            if (TR_INT16 && in->type == TR_I16) tr_dequantize_s16_f32_ref(in->elems, x, in->scale, in->zero_point, y);
            else tr_dequantize_s8_f32(in->elems, x, in->scale, in->zero_point, y);
            break;
        case TR_OP_RESHAPE:
        case TR_OP_SQUEEZE:
            if (x != y) memmove(y, x, out->bytes);
            break;
        case TR_OP_RELU:
        case TR_OP_RELU6:
        case TR_OP_RELU_N1_TO_1:
            if (s16) tr_relu_s16_ref(&op->u.relu, out->elems, x, y);
            else tr_relu_s8(&op->u.relu, out->elems, x, y);
            break;
        /* optional operators (the elementwise ones above too): linked where the model uses them (tr_plan lists them; the
         * native tests link all) */
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_14)
        case TR_OP_LOGISTIC:
            if (s16) tr_logistic_s16_ref(&op->u.sigmoid, out->elems, x, y);
            else tr_logistic_s8(&op->u.sigmoid, out->elems, x, y);
            break;
#endif
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_28)
        case TR_OP_TANH:
            if (s16) tr_tanh_s16_ref(&op->u.sigmoid, out->elems, x, y);
            else tr_tanh_s8(&op->u.sigmoid, out->elems, x, y);
            break;
#endif
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_54)
        case TR_OP_PRELU: {
            tr_broadcast bc;
            tr_broadcast_shapes(in, &m->tensors[op->inputs[1]], out, &bc);
            if (s16) tr_prelu_s16_ref(&op->u.prelu, &bc, x, w, y);
            else tr_prelu_s8_ref(&op->u.prelu, &bc, x, w, y);
            break;
        }
#endif
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_101)
        case TR_OP_ABS:
            if (s16) tr_abs_s16_ref(&op->u.abs, out->elems, x, y);
            else tr_abs_s8_ref(&op->u.abs, out->elems, x, y);
            break;
#endif
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_98)
        case TR_OP_LEAKY_RELU:
            if (s16) tr_leaky_relu_s16_ref(&op->u.leaky_relu, out->elems, x, y);
            else tr_leaky_relu_s8_ref(&op->u.leaky_relu, out->elems, x, y);
            break;
#endif
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_117)
        case TR_OP_HARD_SWISH: tr_hard_swish_s8(&op->u.hard_swish, out->elems, x, y); break;
#endif
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_55)
        case TR_OP_MAXIMUM: {
            tr_broadcast bc;
            tr_broadcast_shapes(in, &m->tensors[op->inputs[1]], out, &bc);
            if (s16) tr_maximum_s16_ref(&bc, x, (const void *)w, y);
            else tr_maximum_s8(&bc, x, w, y);
            break;
        }
#endif
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_57)
        case TR_OP_MINIMUM: {
            tr_broadcast bc;
            tr_broadcast_shapes(in, &m->tensors[op->inputs[1]], out, &bc);
            if (s16) tr_minimum_s16_ref(&bc, x, (const void *)w, y);
            else tr_minimum_s8(&bc, x, w, y);
            break;
        }
#endif
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_18)
        case TR_OP_MUL: {
            tr_broadcast bc;
            tr_broadcast_shapes(in, &m->tensors[op->inputs[1]], out, &bc);
            if (s16) tr_mul_s16_ref(&op->u.mul, &bc, x, (const void *)w, y);
            else tr_mul_s8(&op->u.mul, &bc, x, w, y);
            break;
        }
#endif
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_45) || defined(TR_MODEL_USES_OP_65) /* on data; as shape arithmetic it is folded */
        case TR_OP_SLICE: /* STRIDED_SLICE's walk, steps of 1 */
        case TR_OP_STRIDED_SLICE: tr_strided_slice_ref(&op->u.strided_slice, s16 ? 2 : 1, shape_of(in), x, y); break;
#endif
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_82) || defined(TR_MODEL_USES_OP_89)
        case TR_OP_REDUCE_MAX:
        case TR_OP_REDUCE_MIN: tr_reduce_max_min_s8_ref(shape_of(in), x, op->u.reduce_axes, op->opcode == TR_OP_REDUCE_MAX, y); break;
#endif
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_39)
        case TR_OP_TRANSPOSE: tr_transpose_ref(&op->u.transpose, s16 ? 2 : 1, shape_of(in), x, y); break;
#endif
#if !defined(TR_MODEL_OPS_KNOWN) || defined(TR_MODEL_USES_OP_97) /* links floorf and roundf */
        case TR_OP_RESIZE_NEAREST_NEIGHBOR: tr_resize_nearest_ref(&op->u.resize, s16 ? 2 : 1, shape_of(in), x, shape_of(out), y); break;
#endif
        case TR_OP_PAD:
        case TR_OP_PADV2: tr_pad_ref(&op->u.pad, s16 ? 2 : 1, shape_of(in), x, shape_of(out), y); break;
        case TR_OP_MEAN:
            if (s16) tr_mean_hw_s16_ref(&op->u.mean, shape_of(in), x, y);
            else tr_mean_hw_s8(&op->u.mean, shape_of(in), x, y);
            break;
        case TR_OP_CONCATENATION: {
            const int8_t *parts[TR_OP_MAX_INPUTS];
            int32_t inner[TR_OP_MAX_INPUTS], outer = 1;
            for (int d = 0; d < op->u.axis; ++d) outer *= out->dims[d];
            for (int k = 0; k < op->n_inputs; ++k) {
                parts[k] = (const int8_t *)tr_tensor_ptr(m, op->inputs[k], arena);
                inner[k] = m->tensors[op->inputs[k]].elems / outer * (s16 ? 2 : 1); /* bytes: the kernel copies */
            }
            tr_concatenation_s8(outer, op->n_inputs, parts, inner, y);
            break;
        }
        default: break; /* refused at prepare time */
        }
    }
}

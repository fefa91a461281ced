# Arithmetic semantics a build matches, where TFLite's runtimes differ (docs/architecture.md "Rounding"); shared by the
# firmware, its native tests and the kernel firmware. Set on the make command line or in board.mk.
#   ROUNDING = double (default) | single    requantisation (MultiplyByQuantizedMultiplier): TFLite Micro / CMSIS-NN's
#                                           two roundings, or TFLite's TFLITE_SINGLE_ROUNDING one (-DTR_ROUNDING_SINGLE)
#   QUANTIZE_DIVISION = double (default) | float   QUANTIZE float32 -> int8: x / scale in double, as TFLite's builtin
#                                           kernel, or in float, as its reference AffineQuantize (-DTR_QUANTIZE_FLOAT_DIVISION)
#   MEAN_INT8 = divide (default) | fold     int8 MEAN over H and W: requantise the sum, then divide by the count, as
#                                           TFLite's reference_integer_ops::Mean (its interpreter's kernel), or 1 / count
#                                           folded into the multiplier, one requantisation, as current TFLite Micro's
#                                           QuantizedMeanOrSum (-DTR_MEAN_INT8_FOLD)
ROUNDING ?= double
ifeq ($(ROUNDING),single)
SEMANTICS_CFLAGS := -DTR_ROUNDING_SINGLE
else ifeq ($(ROUNDING),double)
SEMANTICS_CFLAGS :=
else
$(error ROUNDING=$(ROUNDING): takes double or single)
endif
QUANTIZE_DIVISION ?= double
ifeq ($(QUANTIZE_DIVISION),float)
SEMANTICS_CFLAGS += -DTR_QUANTIZE_FLOAT_DIVISION
else ifneq ($(QUANTIZE_DIVISION),double)
$(error QUANTIZE_DIVISION=$(QUANTIZE_DIVISION): takes double or float)
endif
MEAN_INT8 ?= divide
ifeq ($(MEAN_INT8),fold)
SEMANTICS_CFLAGS += -DTR_MEAN_INT8_FOLD
else ifneq ($(MEAN_INT8),divide)
$(error MEAN_INT8=$(MEAN_INT8): takes divide or fold)
endif

# Arithmetic semantics a build matches, where TFLite's runtimes differ (docs/architecture.md "Rounding"); shared by the
# firmware, its native tests and the kernel firmware. Set on the make command line or in board.mk.
#   ROUNDING = double (default) | single    requantisation (MultiplyByQuantizedMultiplier): TFLite Micro / CMSIS-NN's
#                                           two roundings, or TFLite's TFLITE_SINGLE_ROUNDING one (-DTR_ROUNDING_SINGLE)
ROUNDING ?= double
ifeq ($(ROUNDING),single)
SEMANTICS_CFLAGS := -DTR_ROUNDING_SINGLE
else ifeq ($(ROUNDING),double)
SEMANTICS_CFLAGS :=
else
$(error ROUNDING=$(ROUNDING): takes double or single)
endif

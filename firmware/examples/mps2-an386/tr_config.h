/* Example of what the harness generates (harness/build/firmware.ts) for the vibration workload, for standalone builds. */
#ifndef TR_CONFIG_H
#define TR_CONFIG_H
#define TR_MODEL_ID "vib01"
#define TR_INPUT_BYTES 768u
#define TR_INPUT_TRANSFORM TR_IN_INT8
#define TR_FW_VERSION "tinyrig-0.1.0"
#define TR_BOARD_NAME "mps2-an386"
#endif

/* The model file, embedded in flash as it is (the build passes its path as TR_MODEL_PATH). */
__asm__(".section .rodata.tr_model,\"a\",%progbits\n"
        ".balign 16\n"
        ".global tr_model_data\n"
        "tr_model_data:\n"
        ".incbin \"" TR_MODEL_PATH "\"\n"
        ".global tr_model_end\n"
        "tr_model_end:\n"
        ".byte 0\n"
        ".previous\n");

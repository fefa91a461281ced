# Example of what the harness generates from boards/mps2-an386.yaml (harness/build/firmware.ts), for standalone builds.
BOARD := mps2-an386
ARCH := arm
CROSS := arm-none-eabi-
ARCH_FLAGS := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
PORT := cmsdk
KERNELS := dsp
LIBC_SPECS := nano.specs
BOARD_CFLAGS := -DTR_UART_BASE=0x40004000 -DTR_LED_BASE=0x40028000 -DTR_CPU_HZ=25000000 -DTR_UART_RX_IRQ=0 -DTR_IDLE_SPIN=150
FLASH_ORIGIN := 0x00000000
FLASH_LENGTH := 4194304
RAM_ORIGIN := 0x20000000
RAM_LENGTH := 4194304

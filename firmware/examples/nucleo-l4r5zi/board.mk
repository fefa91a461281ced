# A physical board's make fragment, written by hand (the harness writes the same from a board file):
# ST NUCLEO-L4R5ZI, STM32L4R5ZI Cortex-M4F, 2 MiB flash, 640 KiB SRAM (SRAM1+2+3 contiguous from 0x20000000).
BOARD := nucleo-l4r5zi
ARCH := arm
CROSS := arm-none-eabi-
ARCH_FLAGS := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
PORT := nucleo_l4r5zi
KERNELS := dsp
LIBC_SPECS := nano.specs
BOARD_CFLAGS := -DTR_UART_RX_IRQ=70
FLASH_ORIGIN := 0x08000000
FLASH_LENGTH := 2097152
RAM_ORIGIN := 0x20000000
RAM_LENGTH := 655360

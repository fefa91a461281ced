# Example of what the harness generates from boards/sifive-e.yaml (harness/build/firmware.ts), for standalone builds.
BOARD := sifive-e
ARCH := riscv
CROSS := riscv64-unknown-elf-
ARCH_FLAGS := -march=rv32imac -mabi=ilp32 -mcmodel=medany
PORT := sifive_e
KERNELS := ref
LIBC_SPECS := picolibc.specs
BOARD_CFLAGS := -DTR_UART_BASE=0x10013000 -DTR_GPIO_BASE=0x10012000 -DTR_CYCLE_HZ=1000000000 -DTR_PLIC_BASE=0x0C000000 -DTR_UART_PLIC_SOURCE=3 -DTR_IDLE_SPIN=150
FLASH_ORIGIN := 0x20400000
FLASH_LENGTH := 8388608
RAM_ORIGIN := 0x80000000
RAM_LENGTH := 16384

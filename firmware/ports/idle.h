/* The wait for the host's bytes, in a section of its own (tr_idle_start .. tr_idle_end in the linker scripts). A real
 * core sleeps there, in WFI. On an emulator whatever is retired there stands for that sleep: tinyrig's QEMU plugin
 * leaves those instructions out of its count, so a modelled meter sees the core's work alone (the interrupt handler
 * that wakes it, and the taking of each byte, are outside and count).
 * TR_IDLE_SPIN: how many times the wait checks the UART before it sleeps. 0 (a real board: sleep at once) unless the
 * board file sets it. QEMU's CMSDK UART holds one byte and takes the next from the host only after the guest has read
 * it, so the emulated core waits once per byte, and how long waking it from WFI takes depends on the host: on this
 * 2-core VM, 30 person-detection inputs on mps2-an386 took 58.4 s sleeping at once and 30.6 s after 20,000 checks
 * with one board running, but 28.8 s and 69.4 s with two boards (an386 and an505) running side by side, where the
 * spinning cores starve QEMU's I/O threads. 150 checks: 29.9 s alone, 42.4 s side by side; never sleeping: 65.0 s
 * side by side (`tinyrig run --mode accuracy --limit 30`, 2026-11-25). The emulated boards use 150. */
#ifndef TR_IDLE_H
#define TR_IDLE_H

#define TR_IDLE __attribute__((section(".text.tr_idle"), noinline))

#ifndef TR_IDLE_SPIN
#define TR_IDLE_SPIN 0u
#endif

#endif

/* The wait for the host's bytes, in a section of its own (tr_idle_start .. tr_idle_end in the linker scripts). A real
 * core sleeps there, in WFI. On an emulator whatever is retired there stands for that sleep: tinyrig's QEMU plugin
 * leaves those instructions out of its count, so a modelled meter sees the core's work alone (the interrupt handler
 * that wakes it, and the taking of each byte, are outside and count).
 * TR_IDLE_SPIN: how many times the wait checks the UART before it sleeps. 0 (a real board: sleep at once) unless the
 * board file sets it. QEMU's CMSDK UART holds one byte and takes the next from the host only after the guest has read
 * it, and waking the emulated core from WFI for every byte halves the rate: raw input blocks on mps2-an386 went at
 * 15.6 kB/s sleeping at once, 26.7 kB/s never sleeping and 30.3 kB/s after 20,000 checks (bench/session.ts, one run
 * each, 2026-11-25), so the emulated boards spin that long first. */
#ifndef TR_IDLE_H
#define TR_IDLE_H

#define TR_IDLE __attribute__((section(".text.tr_idle"), noinline))

#ifndef TR_IDLE_SPIN
#define TR_IDLE_SPIN 0u
#endif

#endif

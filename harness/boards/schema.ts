// The board file schema. A board is data (as Zephyr's boards are): it names its CPU, memory, console,
// flasher and, optionally, its power monitor and interface board. Validated once, where it is loaded.
import { namesAPort, serialPortFields } from "../resources/serial-port.ts";
import { z } from "zod";

/** Sizes may be written as numbers or as "640K" / "2M". */
const byteSize = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d+\s*[KMG]?$/i, 'a byte count such as 65536, "64K" or "2M"')
    .transform(parseByteSize),
]);

/** Addresses may be written as numbers or hex strings ("0x20000000"). */
const address = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^0x[0-9a-f]+$/i, 'a hex address such as "0x20000000"')
    .transform((s) => Number.parseInt(s, 16)),
]);

export function parseByteSize(text: string): number {
  const m = /^(\d+)\s*([KMG]?)$/i.exec(text.trim());
  if (!m) throw new Error(`not a byte size: ${text}`);
  const unit = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase() as "" | "K" | "M" | "G"];
  return Number(m[1]) * unit;
}

const memoryRegion = z.object({ origin: address, size: byteSize }).strict();

const cpu = z
  .object({
    arch: z.enum(["arm", "riscv", "xtensa"]),
    core: z.string().min(1), // cortex-m4, cortex-m7, cortex-m33, cortex-m55, rv32imac ...
    fpu: z.string().optional(), // fpv4-sp-d16, fpv5-d16 ...
    clockHz: z.number().int().positive(),
  })
  .strict();

const baudPerMode = z
  .object({
    performance: z.number().int().positive().default(115200),
    accuracy: z.number().int().positive().optional(),
    energy: z.number().int().positive().default(9600),
  })
  .strict();

/** A serial port (harness/resources/serial-port.ts) with the baud rates the firmware uses per mode. */
const serialConsole = z
  .object({ ...serialPortFields, baud: baudPerMode.default({ performance: 115200, energy: 9600 }) })
  .strict()
  .refine(namesAPort, { message: "a serial console needs a `path` or a `usb` id to find it by" });

export const qemuEmulator = z
  .object({
    binary: z.string().default("qemu-system-arm"),
    machine: z.string().min(1),
    cpu: z.string().optional(),
    /** -icount shift: one instruction = 2^shift virtual ns. Deterministic timers need it. */
    icountShift: z.number().int().min(0).max(10).default(0),
    memory: z.string().optional(), // -m
    extraArgs: z.array(z.string()).default([]),
    /** How the firmware's timestamp pin is observed: a QEMU trace event naming each write and its value. */
    timestampTrace: z.string().optional(),
    /** The pin register's address: tinyrig's QEMU plugin timestamps every store to it in virtual time. */
    timestampPinAddress: address.optional(),
  })
  .strict();

const console_ = z
  .object({
    serial: serialConsole.optional(),
    emulator: z.object({ qemu: qemuEmulator }).strict().optional(),
  })
  .strict()
  .refine((c) => (c.serial ? 1 : 0) + (c.emulator ? 1 : 0) === 1, {
    message: "the console is either `serial` (a physical board) or `emulator`, exactly one",
  });

/**
 * Build fields reach make (board.mk) and, through it, the shell that runs the compiler. They are data, never code: each
 * is held to characters that mean nothing to make or the shell (no `$`, backtick, quote, space, `;`, `|`, `&`, `#`,
 * parenthesis or backslash), and what cannot be passed that way is refused here, naming the field.
 */
export const SAFE_FLAG = /^-[A-Za-z0-9][A-Za-z0-9_=.,+/:-]*$/;
export const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A define's value: an integer (decimal or hex, with C's u/l suffixes), a decimal number, or a C identifier. */
export const C_LITERAL = /^(-?(0[xX][0-9a-fA-F]+|\d+)[uUlL]{0,3}|-?\d+\.\d*([eE][-+]?\d+)?[fF]?|[A-Za-z_][A-Za-z0-9_]*)$/;
const build = z
  .object({
    cross: z.string().regex(/^[A-Za-z0-9_./+-]*-$/, "a toolchain prefix such as arm-none-eabi- (letters, digits, '.', '_', '/', '+', '-', ending in '-')"),
    archFlags: z.array(z.string().regex(SAFE_FLAG, "a compiler flag such as -mcpu=cortex-m4: one word, no characters make or the shell would act on")).min(1),
    port: z.string().regex(/^[a-z0-9_]+$/, "a port file name under firmware/ports/, without .c"),
    kernels: z.enum(["ref", "dsp", "mve"]).default("ref"),
    libcSpecs: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, "a specs file name such as nano.specs")
      .optional(), // nano.specs, picolibc.specs
    defines: z
      .record(
        z.string().regex(C_IDENTIFIER, "a C identifier (letters, digits, '_', not starting with a digit)"),
        z.union([
          z.number().refine(Number.isFinite, "a finite number"),
          z.string().regex(C_LITERAL, 'a literal value: a number such as 115200 or "0x40004000", or a C identifier'),
        ]),
      )
      .default({}),
  })
  .strict();

/** Flasher sections are validated by each flasher module's own schema; here only the discriminant. */
const flasherSection = z.object({ tool: z.string().min(1) }).passthrough();
const powerMonitorSection = z.object({ driver: z.string().min(1) }).passthrough();

/** Power model of an emulated board: currents from the real chip's datasheet, integrated over virtual time. */
const powerModel = z
  .object({
    voltageV: z.number().positive(),
    activeCurrentA: z.number().positive(),
    /** Asleep (WFI) waiting for the host's bytes, clocks running; absent where no datasheet figure was found, and
     *  the core is then taken to draw its active current while it waits. */
    idleCurrentA: z.number().nonnegative().optional(),
    source: z.string().min(1), // datasheet and table the figures come from
  })
  .strict();

export const boardSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits, '.', '_' or '-'"),
    title: z.string().optional(),
    vendor: z.string().optional(),
    cpu,
    memory: z.object({ flash: memoryRegion, ram: memoryRegion }).strict(),
    console: console_,
    /** How an image reaches a physical board. An emulated board has none: its emulator loads the image at boot. */
    flasher: flasherSection.optional(),
    build,
    powerMonitor: powerMonitorSection.optional(),
    interfaceBoard: z
      .object({ kind: z.enum(["stm32h573i-dk", "arduino"]), serial: serialConsole })
      .strict()
      .optional(),
    powerModel: powerModel.optional(),
    notes: z.string().optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.console.emulator && b.flasher)
      ctx.addIssue({
        code: "custom",
        path: ["flasher"],
        message: "an emulated board has no flasher: its emulator (console.emulator) loads the image at boot; delete this section",
      });
    if (b.console.serial && !b.flasher)
      ctx.addIssue({ code: "custom", path: ["flasher"], message: "a physical board needs a flasher section (e.g. { tool: openocd, ... })" });
  });

export type BoardFile = z.output<typeof boardSchema>;

/** A loaded, validated board: the file's data plus where it came from. */
export interface BoardDefinition extends BoardFile {
  /** Absolute path of the YAML file. */
  file: string;
  /** sha256 of the file's bytes, stored with every run. */
  fileSha256: string;
  /** The YAML text as loaded (stored with runs, so a result always knows its board). */
  text: string;
  kind: "emulated" | "physical";
}

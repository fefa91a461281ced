// A firmware image tinyrig did not build (`tinyrig run --firmware ELF`): MLPerf Tiny's reference firmware, a TFLite
// Micro build, anything that speaks MLPerf's DUT protocol. It is run as given on an emulated board; what ran is the
// ELF's sha256, and what tinyrig can say of it is read off the file (machine, sizes, symbols, toolchain note), checked
// against the board before any work.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { BoardDefinition } from "../boards/schema.ts";
import { ELF_MACHINES, elfComment, ElfError, elfSizes, elfSymbolNames, machineName, readElf } from "./elf.ts";
import type { FirmwareImage } from "./firmware.ts";

/** What a run records of a prebuilt image in its settings (`firmware`): not tinyrig's build. */
export const PREBUILT_SETTING = "prebuilt: a user's image, run as given (not built by tinyrig)";

/** The symbols bounding tinyrig firmware's idle loop (ports/idle.h): the emulator's energy model leaves the
 * instructions between them out of its count, so an image without them cannot have its energy modelled. */
export const IDLE_SYMBOLS = ["tr_idle_start", "tr_idle_end"] as const;

/** ELF types that are not a firmware image (e_type 2, an executable, is). */
const ELF_TYPES: Record<number, string> = { 1: "a relocatable object (not linked)", 3: "a shared object", 4: "a core dump" };

export class PrebuiltFirmwareError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PrebuiltFirmwareError";
  }
}

export interface PrebuiltFirmware extends FirmwareImage {
  prebuilt: {
    /** The ELF, as given (absolute). */
    file: string;
    /** Which of IDLE_SYMBOLS the image lacks (empty: its energy can be modelled). */
    missingIdleSymbols: string[];
  };
}

/**
 * The ELF at `file` as the image a run on `board` uses; refused, naming the file, when it cannot be read, is not an
 * ELF, or is for another CPU than the board's.
 */
export function loadPrebuiltFirmware(file: string, board: BoardDefinition): PrebuiltFirmware {
  const full = path.resolve(file);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(full));
  } catch (err) {
    throw new PrebuiltFirmwareError(`${file}: cannot read the firmware: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let elf: ReturnType<typeof readElf>;
  try {
    elf = readElf(bytes);
  } catch (err) {
    if (err instanceof ElfError) throw new PrebuiltFirmwareError(`${file}: ${err.message}`);
    throw err;
  }
  const arch = board.cpu.arch as keyof typeof ELF_MACHINES;
  const wanted = ELF_MACHINES[arch];
  if (elf.machine !== wanted) {
    throw new PrebuiltFirmwareError(
      `${file}: an ELF for ${elf.machineName} (e_machine ${elf.machine}); ${board.name} is ${wanted === undefined ? `a ${board.cpu.arch}` : `an ${machineName(wanted)}`} board (${board.file}: cpu.arch ${board.cpu.arch})`,
    );
  }
  if (elf.type !== 2) throw new PrebuiltFirmwareError(`${file}: ${ELF_TYPES[elf.type] ?? `ELF type ${elf.type}`}, not a linked executable image`);
  const sizes = elfSizes(elf);
  if (sizes.flash === 0) throw new PrebuiltFirmwareError(`${file}: the ELF has no code or data to load (no allocated sections)`);
  const symbols = elfSymbolNames(bytes, elf);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return {
    dir: path.dirname(full),
    elf: full,
    // a prebuilt image runs on emulated boards, which load the ELF itself
    bin: "",
    hex: "",
    sha256,
    bytes: bytes.length,
    sizes,
    toolchain: `prebuilt: ${elfComment(bytes, elf) ?? "no toolchain note in the ELF"}`,
    kernels: "unknown (prebuilt image)",
    timestampMode: "performance",
    config: { PREBUILT: full, ELF_MACHINE: elf.machineName, BOARD: board.name },
    prebuilt: { file: full, missingIdleSymbols: IDLE_SYMBOLS.filter((s) => !symbols.has(s)) },
  };
}

export function isPrebuilt(firmware: FirmwareImage | undefined): firmware is PrebuiltFirmware {
  return (firmware as Partial<PrebuiltFirmware> | undefined)?.prebuilt !== undefined;
}

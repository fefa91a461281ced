// What tinyrig reads of a firmware ELF it did not build (`tinyrig run --firmware`): the header (is it an ELF, for which
// machine), the sizes the store records (text, data, bss, as binutils' `size -B` counts them), the symbols the
// emulator's energy model needs, and the toolchain's own note (.comment). 32-bit little-endian ELFs only: every
// board tinyrig knows is a 32-bit little-endian microcontroller. Offsets per the System V ABI's ELF chapter.

/** e_machine values of the CPU families in board files (cpu.arch). */
export const ELF_MACHINES = { arm: 40, riscv: 243, xtensa: 94 } as const;
const MACHINE_NAMES: Record<number, string> = { 3: "x86", 8: "MIPS", 40: "Arm", 62: "x86-64", 94: "Xtensa", 183: "AArch64", 243: "RISC-V" };

export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ElfError";
  }
}

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
}

export interface ElfFile {
  /** e_type: 1 relocatable, 2 executable, 3 shared object, 4 core. */
  type: number;
  machine: number;
  /** e.g. "Arm", or "machine 1234" for one tinyrig does not name. */
  machineName: string;
  sections: ElfSection[];
}

const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;
const SHF_WRITE = 1;
const SHF_ALLOC = 2;

export function machineName(machine: number): string {
  return MACHINE_NAMES[machine] ?? `machine ${machine}`;
}

/** The header and section table of a 32-bit little-endian ELF; an ElfError says what the bytes are not. */
export function readElf(bytes: Uint8Array): ElfFile {
  if (bytes.length < 52 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError("not an ELF file (it does not start with 0x7f 'ELF')");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[4] !== 1)
    throw new ElfError(`a ${bytes[4] === 2 ? "64" : "?"}-bit ELF (${machineName(view.getUint16(18, bytes[5] === 1))}); microcontroller firmware is 32-bit`);
  if (bytes[5] !== 1) throw new ElfError("a big-endian ELF; the boards tinyrig knows are little-endian");
  const type = view.getUint16(16, true);
  const machine = view.getUint16(18, true);
  const shoff = view.getUint32(32, true);
  const shentsize = view.getUint16(46, true);
  const shnum = view.getUint16(48, true);
  const shstrndx = view.getUint16(50, true);
  const sections: ElfSection[] = [];
  if (shoff !== 0 && shnum > 0) {
    if (shentsize < 40 || shoff + shnum * shentsize > bytes.length) throw new ElfError("its section header table lies outside the file (truncated?)");
    const raw = Array.from({ length: shnum }, (_, i) => {
      const at = shoff + i * shentsize;
      return {
        nameOffset: view.getUint32(at, true),
        type: view.getUint32(at + 4, true),
        flags: view.getUint32(at + 8, true),
        offset: view.getUint32(at + 16, true),
        size: view.getUint32(at + 20, true),
        link: view.getUint32(at + 24, true),
      };
    });
    const names = raw[shstrndx];
    for (const s of raw) {
      if (s.type !== SHT_NOBITS && s.offset + s.size > bytes.length) throw new ElfError("a section lies outside the file (truncated?)");
      sections.push({
        name: names ? cString(bytes, names.offset + s.nameOffset) : "",
        type: s.type,
        flags: s.flags,
        offset: s.offset,
        size: s.size,
        link: s.link,
      });
    }
  }
  return { type, machine, machineName: machineName(machine), sections };
}

/** Bytes by kind, as binutils' `size -B` adds them up: flash = text + data, ram = data + bss. */
export function elfSizes(elf: ElfFile): { text: number; data: number; bss: number; flash: number; ram: number } {
  let text = 0;
  let data = 0;
  let bss = 0;
  for (const s of elf.sections) {
    if (!(s.flags & SHF_ALLOC)) continue;
    if (s.type === SHT_NOBITS) bss += s.size;
    else if (s.flags & SHF_WRITE) data += s.size;
    else text += s.size;
  }
  return { text, data, bss, flash: text + data, ram: data + bss };
}

/** The names of the symbols in the ELF's symbol table (empty for a stripped image). */
export function elfSymbolNames(bytes: Uint8Array, elf: ElfFile): Set<string> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const names = new Set<string>();
  for (const symtab of elf.sections.filter((s) => s.type === SHT_SYMTAB)) {
    const strtab = elf.sections[symtab.link];
    if (!strtab) continue;
    for (let at = symtab.offset; at + 16 <= symtab.offset + symtab.size; at += 16) {
      const name = view.getUint32(at, true);
      if (name) names.add(cString(bytes, strtab.offset + name));
    }
  }
  return names;
}

/** The compiler's notes in .comment (e.g. "GCC: (15:12.2.rel1-1) 12.2.1 20221205"), joined; undefined without one. */
export function elfComment(bytes: Uint8Array, elf: ElfFile): string | undefined {
  const s = elf.sections.find((x) => x.name === ".comment");
  if (!s) return undefined;
  const text = Buffer.from(bytes.subarray(s.offset, s.offset + s.size))
    .toString("latin1")
    .split("\0")
    .map((x) => x.trim())
    .filter(Boolean);
  return text.length ? [...new Set(text)].join("; ") : undefined;
}

function cString(bytes: Uint8Array, at: number): string {
  let end = at;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return Buffer.from(bytes.subarray(at, end)).toString("latin1");
}

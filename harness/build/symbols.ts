// Addresses of named symbols in a firmware image, read with the board's cross toolchain's nm.
import { execa } from "execa";

/** The address of each symbol asked for; throws naming the first one the image lacks. */
export async function symbolAddresses(cross: string, elf: string, names: string[]): Promise<Map<string, number>> {
  const r = await execa(`${cross}nm`, [elf]);
  const found = new Map<string, number>();
  for (const line of r.stdout.split("\n")) {
    const m = /^([0-9a-f]+) [A-Za-z] (\S+)$/.exec(line);
    if (m && names.includes(m[2]!)) found.set(m[2]!, Number.parseInt(m[1]!, 16));
  }
  for (const name of names) if (!found.has(name)) throw new Error(`${elf} has no symbol ${name}`);
  return found;
}

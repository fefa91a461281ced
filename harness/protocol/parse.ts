// Parsers for the MLPerf Tiny DUT protocol's reply lines (see ../shared/reference/dut-protocol.md).

/** The value texts of a results line, or undefined when it is not one: `m-results-[0.94,0.06,]` -> ["0.94", "0.06"]
 * (real firmware sometimes ends with a comma). */
function resultTokens(line: string): string[] | undefined {
  const m = /^m-results-\[(.*)\]\s*$/.exec(line);
  if (!m) return undefined;
  return m[1]!
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** `m-results-[0.94,0.06,]` -> [0.94, 0.06]. Real firmware prints 3-6 decimals and sometimes a trailing comma. A value
 * that is not a finite number (`nan`, `inf`, text) is a protocol error naming the line: a NaN is not a result. */
export function parseResults(line: string): number[] | undefined {
  return resultTokens(line)?.map((s) => {
    const v = Number(s);
    if (!Number.isFinite(v)) throw new ProtocolError(`result value "${s}" is not a finite number in: ${line.slice(0, 200)}`);
    return v;
  });
}

/** The step of each value's last printed digit in a results line: `m-results-[0.992,1.5e-3]` -> [0.001, 0.0001]. What a
 * value printed at that precision can be compared with: the device rounded (or cut) its own value to it. */
export function resultSteps(line: string): number[] {
  return (resultTokens(line) ?? []).map((s) => {
    const [mantissa, exponent] = s.toLowerCase().split("e");
    const dot = mantissa!.indexOf(".");
    const decimals = dot < 0 ? 0 : mantissa!.length - dot - 1;
    return Number(`1e${Number(exponent ?? 0) - decimals}`);
  });
}

/** `m-lap-us-123456` -> 123456 */
export function parseLapUs(line: string): number | undefined {
  const m = /^m-lap-us-(\d+)\s*$/.exec(line);
  return m ? Number(m[1]) : undefined;
}

/** `m-caps-[proto=1,line-max=1024,...]` -> { proto: "1", "line-max": "1024", ... } */
export function parseBracketKv(line: string, prefix: string): Record<string, string> | undefined {
  if (!line.startsWith(`${prefix}[`) || !line.trimEnd().endsWith("]")) return undefined;
  const body = line.slice(prefix.length + 1, line.trimEnd().length - 1);
  const out: Record<string, string> = {};
  for (const part of body.split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** `m-outraw-[0a0bff]` -> bytes */
export function parseOutRaw(line: string): Uint8Array | undefined {
  const m = /^m-outraw-\[([0-9a-fA-F]*)\]\s*$/.exec(line);
  if (!m) return undefined;
  if (m[1]!.length % 2 !== 0) throw new ProtocolError(`odd number of hex digits in: ${line.slice(0, 80)}`);
  return Uint8Array.from(Buffer.from(m[1]!, "hex"));
}

/** Describes the first non-printable byte of a line, for errors about garbage on the wire. */
export function describeGarbage(line: string): string | undefined {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c > 0x7e) {
      return `byte 0x${c.toString(16).padStart(2, "0")} at column ${i + 1} of ${JSON.stringify(line.slice(0, 60))}`;
    }
  }
  return undefined;
}

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

/** An `e-[...]` line from the device. */
export class DutError extends Error {
  constructor(
    readonly command: string,
    readonly errorLine: string,
  ) {
    super(`device answered "${command}" with ${errorLine}`);
    this.name = "DutError";
  }
}

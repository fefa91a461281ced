// Usage errors and the option parsers that raise them. A usage error exits 2 before any work is done (nothing built,
// flashed or written); cli.ts maps it to that exit code in one place.
import { EXIT, TinyrigError } from "../errors.ts";

export class UsageError extends TinyrigError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = "UsageError";
  }
}

/** A whole number of at least 1 (`label`: how the error names it, e.g. "--windows"), from the text as typed (yargs' own number parsing hides "abc" as NaN). */
export function positiveInteger(label: string) {
  return (text: unknown): number | undefined => {
    if (text === undefined) return undefined;
    const value = number(label, text);
    if (!Number.isInteger(value) || value < 1) throw new UsageError(`${label} ${String(text)}: not a whole number of at least 1`);
    return value;
  };
}

/** A number above 0. */
export function positiveNumber(label: string) {
  return (text: unknown): number | undefined => {
    if (text === undefined) return undefined;
    const value = number(label, text);
    if (!(value > 0)) throw new UsageError(`${label} ${String(text)}: not a number above 0`);
    return value;
  };
}

/** An option given several times or with several values: each a whole number of at least 1. */
export function positiveIntegers(label: string) {
  const one = positiveInteger(label);
  return (texts: unknown): number[] | undefined => (texts === undefined ? undefined : (Array.isArray(texts) ? texts : [texts]).map((t) => one(t)!));
}

/** A campaign id (`--campaign`): a CI run id or a name, kept as it is; letters, digits and `._:-` only, at most 128. */
export function campaignId(text: unknown): string | undefined {
  if (text === undefined) return undefined;
  if (Array.isArray(text)) throw new UsageError(`--campaign given ${text.length} times: give it once`);
  const s = String(text);
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(s)) throw new UsageError(`--campaign ${JSON.stringify(s)}: use 1 to 128 letters, digits or . _ : -`);
  return s;
}

function number(label: string, text: unknown): number {
  if (Array.isArray(text)) throw new UsageError(`${label} given ${text.length} times: give it once`);
  const s = String(text).trim();
  if (s === "") throw new UsageError(`${label} needs a value`);
  const value = Number(s);
  if (!Number.isFinite(value)) throw new UsageError(`${label} ${s}: not a number`);
  return value;
}

// LOGISTIC and TANH, int16 (TFLite reference_integer_ops Logistic / Tanh for int16, as TFLite Micro runs them), as
// firmware/kernels/logistic_s16.c and tanh_s16.c: the input rescaled to steps of 1/(3 x 4096), sigmoid interpolated in
// TFLite's 256-entry table, tanh(x) = 2 sigmoid(2x) - 1. The table is rebuilt from the formula logistic_s16.c states
// (sigmoid(i/24) plus half its step's midpoint interpolation error, in 0.16; the last entry 65535), in double.
import type { SigmoidParams } from "./logistic_s8.ts";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export const sigmoidTableS16: Uint16Array = (() => {
  const t = new Uint16Array(256);
  const h = 1 / 24;
  for (let i = 0; i < 255; i++) {
    const v = sigmoid(i * h),
      next = sigmoid((i + 1) * h),
      mid = sigmoid(i * h + h / 2);
    t[i] = Math.floor((v + (mid - (v + next) / 2) / 2) * 65536 + 0.5);
  }
  t[255] = 65535;
  return t;
})();

/** TFLite CheckedLog2, in float: log2(x) rounded, and whether x is within 1e-3 (in log2) of that power of two. */
function checkedLog2(x: number): [boolean, number] {
  const f = Math.fround;
  const l = f(f(Math.log(f(x))) * f(1 / f(Math.log(2))));
  const r = l < 0 ? -Math.round(-l) : Math.round(l);
  return [Math.abs(f(l - r)) < f(1e-3), r];
}

/** TFLite Micro's int16 prepare for LOGISTIC / TANH, or why the quantisation is refused. */
export function sigmoidS16Params(inputScale: number, outputScale: number, tanh: boolean): Omit<SigmoidParams, "rounding"> | string {
  const [outPot, outLog2] = checkedLog2(outputScale);
  if (!outPot || outLog2 !== -15) return "int16 output is not scale 2^-15";
  const [pot, inLog2] = checkedLog2(inputScale);
  let shift = 12 + inLog2;
  if (pot && (shift === 0 || (tanh && shift === 1))) return { inputZp: 0, radius: 0, multiplier: 0, shift };
  let multiplier = inputScale * 4096.0 * 3.0;
  shift = 0;
  while (multiplier <= 32767.0 / 2.0 && shift <= 30) {
    shift++;
    multiplier *= 2.0;
  }
  if (Math.trunc(multiplier) > 32767) return "int16 input scale too large for the table (multiplier above 32767)";
  return { inputZp: 0, radius: 0, multiplier: Math.trunc(multiplier), shift };
}

function rescale(p: Omit<SigmoidParams, "rounding">, x: number): number {
  const [m, s] = p.multiplier === 0 ? [3 << p.shift, 0] : [p.multiplier, p.shift];
  return (x * m + (s > 0 ? 1 << (s - 1) : 0)) >> s;
}

/** sigmoid at |x| from the table, `frac` low bits interpolating (`frac` more fractional bits); `saturated` beyond it */
function interpolate(ax: number, frac: number, saturated: number): number {
  const t = sigmoidTableS16;
  const uh = ax >>> frac;
  return uh >= 255 ? saturated : t[uh]! * 2 ** frac + (ax & (2 ** frac - 1)) * (t[uh + 1]! - t[uh]!);
}

export function logisticS16(p: Omit<SigmoidParams, "rounding">, input: Int16Array, output: Int16Array): void {
  for (let i = 0; i < input.length; i++) {
    const x = rescale(p, input[i]!);
    let r = interpolate(Math.abs(x), 9, 0x7fff * 1024);
    r = x >= 0 ? r + 512 : 2 ** 25 - r + 511;
    output[i] = Math.floor(r / 1024);
  }
}

export function tanhS16(p: Omit<SigmoidParams, "rounding">, input: Int16Array, output: Int16Array): void {
  for (let i = 0; i < input.length; i++) {
    const x = rescale(p, input[i]!);
    let r = interpolate(Math.abs(x), 8, 0xffff * 256);
    r = x >= 0 ? r - 2 ** 23 + 128 : -r + 2 ** 23 + 127;
    output[i] = r >> 8;
  }
}

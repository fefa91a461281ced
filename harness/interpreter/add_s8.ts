// ADD int8 (TFLite reference_integer_ops AddElementwise, broadcast as TFLite does): 20 bits of headroom, common scale,
// requantise; as firmware/kernels/add_s8.c. int16 (firmware/kernels/add_s16.c) is the same arithmetic with 15 bits of
// headroom (addParams' leftShift) and the int16 clamp. SUB (firmware/kernels/sub_s8.c, sub_s16.c) subtracts the second
// input's rescaled value, its multipliers worked out in single precision as TFLite Micro's SUB prepare does.
import type { Broadcast } from "./broadcast.ts";
import { clamp, mulByQuantizedMultiplier, quantizeMultiplier, type Rounding } from "./quantization.ts";

export interface AddParams {
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  leftShift: number;
  input1Multiplier: number;
  input1Shift: number;
  input2Multiplier: number;
  input2Shift: number;
  outputMultiplier: number;
  outputShift: number;
  actMin: number;
  actMax: number;
  rounding: Rounding;
  /** SUB: the second input's rescaled value is subtracted */
  subtract: boolean;
}

export function addParams(
  s1: number,
  zp1: number,
  s2: number,
  zp2: number,
  so: number,
  zpo: number,
  act: [number, number],
  rounding: Rounding = "double",
  leftShift = 20,
  subtract = false,
): AddParams {
  // TFLite Micro's ADD prepare divides in double, its SUB prepare in single precision (the scales are floats already)
  const f = subtract ? Math.fround : (x: number) => x;
  const twiceMax = f(2 * Math.max(s1, s2));
  const i1 = quantizeMultiplier(f(s1 / twiceMax));
  const i2 = quantizeMultiplier(f(s2 / twiceMax));
  const o = quantizeMultiplier(f(twiceMax / (2 ** leftShift * so)));
  return {
    input1Offset: -zp1,
    input2Offset: -zp2,
    outputOffset: zpo,
    leftShift,
    input1Multiplier: i1.multiplier,
    input1Shift: i1.shift,
    input2Multiplier: i2.multiplier,
    input2Shift: i2.shift,
    outputMultiplier: o.multiplier,
    outputShift: o.shift,
    actMin: act[0],
    actMax: act[1],
    rounding,
    subtract,
  };
}

export function addS8(p: AddParams, bc: Broadcast, a: Int8Array | Int16Array, b: Int8Array | Int16Array, output: Int8Array | Int16Array): void {
  for (let i = 0; i < output.length; i++) {
    const x = ((p.input1Offset + a[bc.a[i]!]!) << p.leftShift) | 0;
    const y = ((p.input2Offset + b[bc.b[i]!]!) << p.leftShift) | 0;
    const sx = mulByQuantizedMultiplier(x, p.input1Multiplier, p.input1Shift, p.rounding);
    const sy = mulByQuantizedMultiplier(y, p.input2Multiplier, p.input2Shift, p.rounding);
    const raw = mulByQuantizedMultiplier((p.subtract ? sx - sy : sx + sy) | 0, p.outputMultiplier, p.outputShift, p.rounding) + p.outputOffset;
    output[i] = clamp(raw, p.actMin, p.actMax);
  }
}

// The host interpreter's arithmetic against independent references: BigInt for the 64-bit fixed-point steps,
// float computations (within one step of quantisation) for whole kernels, and cases worked by hand.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { avgPoolS8 } from "../harness/interpreter/avg_pool_s8.ts";
import { convS8 } from "../harness/interpreter/conv_s8.ts";
import { Interpreter } from "../harness/interpreter/interpreter.ts";
import { paddingFor, shape4 } from "../harness/interpreter/padding.ts";
import { planArena } from "../harness/interpreter/planner.ts";
import { mulByQuantizedMultiplier, quantizeMultiplier, roundingDivideByPot, srdhm } from "../harness/interpreter/quantization.ts";
import { softmaxParams, softmaxS8 } from "../harness/interpreter/softmax_s8.ts";
import { loadTflite, TfliteError } from "../harness/tflite/model.ts";
import { Prng } from "../workloads/common/prng.ts";

function srdhmBig(a: number, b: number): number {
  if (a === -(2 ** 31) && b === -(2 ** 31)) return 2 ** 31 - 1;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, as C's
}

describe("fixed-point arithmetic", () => {
  it("SaturatingRoundingDoublingHighMul equals a 64-bit BigInt computation", () => {
    const rng = new Prng(7);
    const edge = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 1 << 30, -(1 << 30), 12345, -98765];
    for (const a of edge) for (const b of edge) expect(srdhm(a, b)).toBe(srdhmBig(a, b));
    for (let i = 0; i < 20000; i++) {
      const a = rng.next() | 0;
      const b = rng.next() | 0;
      expect(srdhm(a, b)).toBe(srdhmBig(a, b));
    }
  });

  it("RoundingDivideByPOT rounds half away from zero", () => {
    expect(roundingDivideByPot(5, 1)).toBe(3); // 2.5 -> 3
    expect(roundingDivideByPot(-5, 1)).toBe(-3); // -2.5 -> -3
    expect(roundingDivideByPot(7, 2)).toBe(2); // 1.75 -> 2
    expect(roundingDivideByPot(-6, 2)).toBe(-2); // -1.5 -> -2
    expect(roundingDivideByPot(-7, 2)).toBe(-2); // -1.75 -> -2
  });

  it("QuantizeMultiplier gives a Q31 mantissa and exponent that reproduce the real multiplier", () => {
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    for (const real of [0.0001234, 0.07, 0.3333, 0.99999, 3.75, 1e-9]) {
      const { multiplier, shift } = quantizeMultiplier(real);
      expect(multiplier).toBeGreaterThanOrEqual(2 ** 30);
      expect(multiplier).toBeLessThan(2 ** 31);
      expect(Math.abs(((multiplier / 2 ** 31) * 2 ** shift) / real - 1)).toBeLessThanOrEqual(2 ** -31); // Q31 rounding
    }
    // x * 0.07 for many x against the real product: TFLite rounds twice (doubling high multiply, then the shift),
    // so the result may sit a little beyond half a step, never a whole step
    const { multiplier, shift } = quantizeMultiplier(0.07);
    for (let x = -20000; x <= 20000; x += 37) expect(Math.abs(mulByQuantizedMultiplier(x, multiplier, shift) - x * 0.07)).toBeLessThan(1);
    expect(mulByQuantizedMultiplier(100, multiplier, shift)).toBe(7);
    expect(mulByQuantizedMultiplier(-150, multiplier, shift)).toBe(-11); // -10.5 rounds away from zero
  });
});

describe("kernels", () => {
  it("CONV_2D SAME stride 2 with zero points and per-channel scales, worked by hand", () => {
    // 1x3x3x1 input, values 1..9 (zero point -1 => real values 2..10 at scale 1); 2 output channels, 3x3 filters.
    const input = Int8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const weights = Int8Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, /* ch1 */ 0, 0, 0, 0, 2, 0, 0, 0, 0]);
    const pad = paddingFor("SAME", 3, 3, 2, 1, 2);
    expect(pad).toBe(1); // out 2, total padding (2-1)*2+3-3 = 2 -> 1 before
    const q0 = quantizeMultiplier(0.5); // channel 0: out = acc * 0.5
    const q1 = quantizeMultiplier(0.25); // channel 1: out = acc * 0.25
    const out = new Int8Array(2 * 2 * 2);
    convS8(
      {
        strideW: 2,
        strideH: 2,
        dilationW: 1,
        dilationH: 1,
        padW: pad,
        padH: pad,
        inputOffset: 1,
        outputOffset: 3,
        actMin: -128,
        actMax: 127,
        depthMultiplier: 1,
        multiplier: Int32Array.from([q0.multiplier, q1.multiplier]),
        shift: Int32Array.from([q0.shift, q1.shift]),
        rounding: "double",
      },
      shape4([1, 3, 3, 1]),
      input,
      shape4([2, 3, 3, 1]),
      weights,
      Int32Array.from([10, -4]),
      shape4([1, 2, 2, 2]),
      out,
    );
    // output (0,0): window rows -1..1, cols -1..1 -> diagonal covers (0,0)=2 [in 1+1], (1,1)=... hand-worked:
    // ch0 acc = (x00+1)*1 + (x11... only in-bounds taps: center tap (1,1 of filter) is input (0,0)=1 -> 2; tap (2,2) is input (1,1)=5 -> 6
    //   acc = 2 + 6 + bias 10 = 18 -> 18*0.5 = 9 -> +3 = 12; ch1 acc = 2*2 - 4 = 0 -> 0 + 3 = 3
    expect(out[0]).toBe(12);
    expect(out[1]).toBe(3);
    // output (1,1): input center (2,2)=9 at filter centre; tap (0,0) is input (1,1)=5 -> acc0 = 6 + 10 + 10 = 26 -> 13 + 3
    expect(out[6]).toBe(16);
    expect(out[7]).toBe((2 * 10 - 4) * 0.25 + 3);
  });

  it("AVERAGE_POOL_2D rounds half away from zero over the in-bounds window", () => {
    const out = new Int8Array(1);
    avgPoolS8(
      { strideW: 1, strideH: 1, filterW: 2, filterH: 2, padW: 0, padH: 0, actMin: -128, actMax: 127 },
      shape4([1, 2, 2, 1]),
      Int8Array.from([1, 2, 2, 2]),
      shape4([1, 1, 1, 1]),
      out,
    );
    expect(out[0]).toBe(2); // 7/4 = 1.75 -> 2
    avgPoolS8(
      { strideW: 1, strideH: 1, filterW: 2, filterH: 2, padW: 0, padH: 0, actMin: -128, actMax: 127 },
      shape4([1, 2, 2, 1]),
      Int8Array.from([-1, -2, -2, -1]),
      shape4([1, 1, 1, 1]),
      out,
    );
    expect(out[0]).toBe(-2); // -6/4 = -1.5 -> -2
  });

  it("SOFTMAX int8 is within one output step of the float softmax", () => {
    const rng = new Prng(3);
    for (const scale of [0.05, 0.1, 0.25]) {
      const p = softmaxParams(1, scale);
      for (let t = 0; t < 200; t++) {
        const depth = rng.int(2, 12);
        const x = Int8Array.from({ length: depth }, () => rng.int(-128, 127));
        const out = new Int8Array(depth);
        softmaxS8(p, 1, depth, x, out);
        const real = Array.from(x, (v) => Math.exp(scale * v));
        const sum = real.reduce((a, b) => a + b, 0);
        real.forEach((r, i) => expect(Math.abs((out[i]! + 128) / 256 - r / sum)).toBeLessThanOrEqual(1 / 256 + 1e-9));
      }
    }
  });

  it("plans the arena: tensors alive at the same time never overlap, others share memory", () => {
    const plan = planArena([
      { index: 0, bytes: 100, firstOp: 0, lastOp: 0 },
      { index: 1, bytes: 64, firstOp: 0, lastOp: 1 },
      { index: 2, bytes: 100, firstOp: 1, lastOp: 2 },
      { index: 3, bytes: 10, firstOp: 2, lastOp: 2 },
    ]);
    // 0 and 2 (100 B each) never meet: both at offset 0; 1 meets both: after them at the next 16-byte boundary;
    // 3 meets only 2, and 1's lifetime is over by then: it shares 1's place
    expect(plan.offsets.get(0)).toBe(0);
    expect(plan.offsets.get(2)).toBe(0);
    expect(plan.offsets.get(1)).toBe(112);
    expect(plan.offsets.get(3)).toBe(112);
    expect(plan.size).toBe(176);
  });
});

describe("whole model", () => {
  const file = path.resolve(import.meta.dirname, "../workloads/vibration/model.tflite");
  it("runs the vibration model and refuses an unsupported operator by name", () => {
    const bytes = new Uint8Array(readFileSync(file));
    const interp = new Interpreter(loadTflite(bytes));
    const out = interp.invoke(new Int8Array(768));
    expect(out.length).toBe(5);
    const probs = Array.from(new Int8Array(out.buffer), (v) => (v + 128) / 256);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 1);
    const model = loadTflite(bytes);
    model.operators[0]!.name = "GELU";
    expect(() => new Interpreter(model)).toThrow(/unsupported operator GELU v\d/);
  });

  it("refuses malformed files naming what is wrong", () => {
    const bytes = new Uint8Array(readFileSync(file));
    const badIdent = bytes.slice();
    badIdent.set([0x58, 0x58, 0x58, 0x58], 4);
    expect(() => loadTflite(badIdent)).toThrow(/file identifier is "XXXX"/);
    expect(() => loadTflite(bytes.slice(0, 4))).toThrow(TfliteError);
    expect(() => loadTflite(bytes.slice(0, bytes.length >> 1))).toThrow(/outside the \d+-byte file/);
  });
});

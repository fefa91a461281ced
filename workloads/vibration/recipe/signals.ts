// Physics-based 3-axis accelerometer windows of a rotating machine (x, y radial; z axial), in g.
// Shaft-rate harmonics with per-fault signatures: imbalance (strong 1x, radial, 90 degrees between x and y),
// misalignment (2x and axial 1x/2x), bearing outer-race defect (impacts at BPFO ringing a structural resonance),
// looseness (many harmonics, half-order sub-harmonic, truncated peaks); plus sensor noise and varying speed and load.
import type { Prng } from "../../common/prng.ts";

export const SAMPLE_RATE_HZ = 3200;
export const WINDOW = 256;
export const CLASSES = ["normal", "imbalance", "misalignment", "bearing-defect", "looseness"] as const;

/** Returns WINDOW x 3 interleaved samples (x0, y0, z0, x1, ...), in g. */
export function synthesize(rng: Prng, label: number): Float32Array {
  const out = new Float32Array(WINDOW * 3);
  const shaftHz = rng.uniform(20, 60); // 1200-3600 rpm
  const load = rng.uniform(0.6, 1.4);
  const phase = rng.uniform(0, 2 * Math.PI);
  const tone = (axis: number, order: number, amp: number, ph: number) => {
    for (let i = 0; i < WINDOW; i++) {
      const t = i / SAMPLE_RATE_HZ;
      out[i * 3 + axis] += amp * Math.sin(2 * Math.PI * order * shaftHz * t + ph);
    }
  };
  // every machine: residual imbalance, a little 2x, broadband noise
  const residual = rng.uniform(0.03, 0.12) * load;
  tone(0, 1, residual, phase);
  tone(1, 1, residual, phase + Math.PI / 2);
  tone(0, 2, rng.uniform(0.01, 0.04), phase + rng.uniform(0, 6));
  tone(2, 1, rng.uniform(0.01, 0.03), phase + rng.uniform(0, 6));
  const name = CLASSES[label];
  if (name === "imbalance") {
    const a = rng.uniform(0.35, 1.0) * load;
    tone(0, 1, a, phase);
    tone(1, 1, a * rng.uniform(0.7, 1.1), phase + Math.PI / 2);
  } else if (name === "misalignment") {
    const a = rng.uniform(0.25, 0.7) * load;
    tone(0, 2, a, phase + 0.3);
    tone(1, 2, a * rng.uniform(0.5, 0.9), phase + 1.9);
    tone(2, 1, a * rng.uniform(0.6, 1.0), phase + 0.8);
    tone(2, 2, a * rng.uniform(0.4, 0.8), phase + 2.1);
  } else if (name === "bearing-defect") {
    const bpfo = shaftHz * rng.uniform(3.0, 3.6);
    const resonance = rng.uniform(700, 1300);
    const damping = rng.uniform(150, 350);
    const amp = rng.uniform(0.4, 1.5) * load;
    const period = SAMPLE_RATE_HZ / bpfo;
    for (let k = -1; k * period < WINDOW; k++) {
      const start = k * period + rng.uniform(0, period * 0.3) + rng.uniform(0, 1) * (k < 0 ? period : 0);
      const a = amp * rng.uniform(0.7, 1.2);
      for (let i = Math.max(0, Math.ceil(start)); i < WINDOW; i++) {
        const dt = (i - start) / SAMPLE_RATE_HZ;
        if (dt > 0.02) break;
        const ring = a * Math.exp(-damping * dt) * Math.sin(2 * Math.PI * resonance * dt);
        out[i * 3] += ring;
        out[i * 3 + 1] += 0.6 * ring;
        out[i * 3 + 2] += 0.3 * ring;
      }
    }
  } else if (name === "looseness") {
    const a = rng.uniform(0.15, 0.45) * load;
    for (let h = 1; h <= 6; h++) tone(1, h, a / Math.sqrt(h), phase + rng.uniform(0, 6));
    tone(1, 0.5, a * rng.uniform(0.4, 0.8), rng.uniform(0, 6));
    tone(0, 1, a * 0.5, phase);
    const clip = a * rng.uniform(0.8, 1.3);
    for (let i = 0; i < WINDOW; i++) out[i * 3 + 1] = Math.max(-clip * 2, Math.min(clip, out[i * 3 + 1]!));
  }
  const noise = rng.uniform(0.02, 0.06);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! + rng.normal(0, noise);
  return out;
}

/** The model input: int8 with scale 1/16 g (range +-8 g), zero point 0. */
export const INPUT_SCALE = 1 / 16;

export function quantizeWindow(g: Float32Array): Int8Array {
  const q = new Int8Array(g.length);
  for (let i = 0; i < g.length; i++) q[i] = Math.max(-128, Math.min(127, Math.round(g[i]! / INPUT_SCALE)));
  return q;
}

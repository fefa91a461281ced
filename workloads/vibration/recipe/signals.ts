// Physics-based 3-axis accelerometer windows of a rotating machine (x, y radial; z axial), in g, deterministic from the
// PRNG. What a vibration engineer sees on a plant floor rather than in a textbook figure:
// - the operating point varies: shaft speed 1200-3600 rpm across windows and drifting within one (run-up, coast-down,
//   load change) with a slow torque-ripple flutter, so harmonics smear across FFT bins; load 0.3-1.5 of rated;
// - severity is set as ISO 10816-style velocity (mm/s rms) and turned into acceleration at each order (a = 2 pi f v):
//   a healthy machine keeps a residual imbalance, misalignment and harmonics up to zone B (1x up to 2.2 mm/s), and
//   faults start at an incipient level just above it (imbalance from 3 mm/s, bearing impacts from ~0.13 g;
//   log-uniform severities), adding to the residual with a random phase: the mildest faults sit at the healthy
//   floor, at low speed within a few input steps (1/16 g) of it;
// - imbalance force grows with speed squared (amplitude follows the speed within the window), radial, 90 degrees
//   between x and y with a stiffness anisotropy; misalignment mixes angular (axial 1x) and parallel (radial 2x, 3x);
//   looseness is a harmonic series with half orders and one-sided truncation, whose 2x and 3x overlap misalignment's;
//   bearing defects are outer race (impacts at BPFO) or inner race (BPFI, amplitude-modulated by the load zone: 1x
//   sidebands), with slip jitter, ringing a structural resonance that varies machine to machine;
// - the sensor: its mount is a resonance (900-1550 Hz, Q 2-10, per axis) that colours the broadband noise like a
//   bearing's ringing, each axis has its own sensitivity (+-15%), the sensor is rotated on the housing (radial axes
//   mixed), and its own electrical noise is white;
// - the plant: broadband flow/friction noise growing with load, 2x line frequency (100/120 Hz) electrical vibration
//   of the motor, a neighbouring machine's tone at an unrelated frequency, and now and then a single knock.
import type { Prng } from "../../common/prng.ts";

export const SAMPLE_RATE_HZ = 3200;
export const WINDOW = 256;
export const CLASSES = ["normal", "imbalance", "misalignment", "bearing-defect", "looseness"] as const;

const G = 9.80665;
/** Samples simulated before the window so the mount resonance's filter has settled. */
const PRE_ROLL = 64;

/** Log-uniform in [lo, hi]: severities spread over decades as they do in the field. */
function logUniform(rng: Prng, lo: number, hi: number): number {
  return lo * Math.exp(rng.uniform(0, 1) * Math.log(hi / lo));
}

/** Peak acceleration (g) of a tone of velocity `mmps` (mm/s rms) at `hz`. */
function velocityToG(mmps: number, hz: number): number {
  return (Math.SQRT2 * (mmps / 1000) * 2 * Math.PI * hz) / G;
}

/** Returns WINDOW x 3 interleaved samples (x0, y0, z0, x1, ...), in g. */
export function synthesize(rng: Prng, label: number): Float32Array {
  const n = PRE_ROLL + WINDOW;
  const axes = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  // operating point: speed drifting linearly across the window, with a slow flutter; shaft angle by integration
  const shaftHz = rng.uniform(20, 60);
  const drift = rng.uniform(-0.06, 0.06); // relative speed change over the window
  const flutter = rng.uniform(0, 0.01);
  const flutterHz = rng.uniform(2, 10);
  const flutterPh = rng.uniform(0, 2 * Math.PI);
  const load = rng.uniform(0.3, 1.5);
  const theta = new Float64Array(n);
  const speed = new Float64Array(n); // instantaneous speed / shaftHz
  let angle = rng.uniform(0, 2 * Math.PI);
  for (let i = 0; i < n; i++) {
    const t = (i - PRE_ROLL) / SAMPLE_RATE_HZ;
    speed[i] = 1 + drift * ((i - PRE_ROLL) / WINDOW - 0.5) + flutter * Math.sin(2 * Math.PI * flutterHz * t + flutterPh);
    theta[i] = angle;
    angle += (2 * Math.PI * shaftHz * speed[i]!) / SAMPLE_RATE_HZ;
  }
  /** A shaft-order tone on one axis; speedExp: amplitude follows speed^speedExp (2 for a centrifugal force). */
  const order = (axis: number, k: number, amp: number, ph: number, speedExp = 0) => {
    const a = axes[axis]!;
    for (let i = 0; i < n; i++) a[i]! += amp * speed[i]! ** speedExp * Math.sin(k * theta[i]! + ph);
  };
  /** A radial tone as an elliptical orbit: x and y 90 degrees apart, y scaled by the stiffness anisotropy. */
  const radial = (k: number, amp: number, ph: number, aniso: number, speedExp = 0) => {
    order(0, k, amp, ph, speedExp);
    order(1, k, amp * aniso, ph + Math.PI / 2, speedExp);
  };
  const vg = (mmps: number, k: number) => velocityToG(mmps, k * shaftHz);
  const aniso = rng.uniform(0.5, 1.1); // vertical / horizontal stiffness response

  // every machine: residual imbalance, misalignment and harmonics of a healthy machine (ISO 10816 zones A-B)
  radial(1, vg(logUniform(rng, 0.3, 2.2), 1), rng.uniform(0, 6.3), aniso, 2);
  radial(2, vg(logUniform(rng, 0.1, 0.8), 2), rng.uniform(0, 6.3), aniso);
  order(2, 1, vg(logUniform(rng, 0.1, 0.8), 1), rng.uniform(0, 6.3));
  order(2, 2, vg(logUniform(rng, 0.05, 0.5), 2), rng.uniform(0, 6.3));
  for (let k = 3; k <= 5; k++) order(rng.int(0, 1), k, vg(logUniform(rng, 0.03, 0.3), k), rng.uniform(0, 6.3));

  const name = CLASSES[label];
  if (name === "imbalance") {
    // mass unbalance: centrifugal force m e w^2, radial 1x, whatever the load
    const v = logUniform(rng, 3.0, 11);
    radial(1, vg(v, 1), rng.uniform(0, 6.3), aniso, 2);
    radial(2, vg(v * rng.uniform(0.02, 0.12), 2), rng.uniform(0, 6.3), aniso);
  } else if (name === "misalignment") {
    // angular (axial 1x, 2x) and parallel (radial 2x, some 3x) in any mix; grows with the transmitted torque
    const v = logUniform(rng, 1.3, 7) * (0.6 + 0.4 * load);
    const angular = rng.uniform(0, 1);
    const ph = rng.uniform(0, 6.3);
    radial(2, vg(v * (1.1 - angular * 0.8), 2), ph, aniso * rng.uniform(0.6, 1.2));
    radial(1, vg(v * rng.uniform(0.2, 0.6), 1), ph + rng.uniform(0, 6.3), aniso);
    order(2, 1, vg(v * (0.2 + angular), 1), ph + Math.PI * rng.uniform(0.8, 1.2));
    order(2, 2, vg(v * (0.1 + 0.6 * angular) * rng.uniform(0.5, 1), 2), ph + rng.uniform(0, 6.3));
    order(rng.int(0, 1), 3, vg(v * rng.uniform(0.05, 0.35), 3), rng.uniform(0, 6.3));
  } else if (name === "bearing-defect") {
    // rolling-element bearing: impacts at the defect frequency ringing a structural resonance
    const inner = rng.uniform(0, 1) < 0.5;
    const defectOrder = inner ? rng.uniform(4.4, 5.6) : rng.uniform(2.9, 3.7); // BPFI / BPFO in shaft orders
    const resonance = rng.uniform(600, 1450);
    const damping = rng.uniform(180, 450); // 1/s
    const amp = logUniform(rng, 0.2, 1.2) * (0.5 + 0.5 * load);
    const toX = rng.uniform(0.5, 1);
    const toY = rng.uniform(0.5, 1);
    const toZ = rng.uniform(0.15, 0.45);
    const loadZonePh = rng.uniform(0, 2 * Math.PI);
    // impact instants: every 2 pi / defectOrder of shaft angle, with 1-2% slip jitter
    const step = (2 * Math.PI) / defectOrder;
    let next = theta[0]! - rng.uniform(0, step);
    let i = 0;
    while (next < theta[n - 1]!) {
      while (i < n - 1 && theta[i + 1]! < next) i++;
      const start = i + (next - theta[i]!) / (theta[i + 1]! - theta[i]!);
      // inner race: the defect rotates through the load zone once a revolution (1x sidebands)
      const zone = inner ? 0.35 + 0.65 * Math.max(0, Math.cos(next + loadZonePh)) : 1;
      const a = amp * zone * rng.uniform(0.6, 1.3);
      for (let j = Math.max(0, Math.ceil(start)); j < n; j++) {
        const dt = (j - start) / SAMPLE_RATE_HZ;
        if (dt > 0.015) break;
        const ring = a * Math.exp(-damping * dt) * Math.sin(2 * Math.PI * resonance * dt);
        axes[0]![j]! += toX * ring;
        axes[1]![j]! += toY * ring;
        axes[2]![j]! += toZ * ring;
      }
      next += step * (1 + rng.normal(0, 0.012));
    }
  } else if (name === "looseness") {
    // structural / rotating looseness: a harmonic series, half orders, truncated in one direction (mostly vertical)
    const v = logUniform(rng, 1.2, 6) * (0.6 + 0.4 * load);
    const ph = rng.uniform(0, 6.3);
    const decay = rng.uniform(0.3, 0.9);
    for (let k = 1; k <= 8; k++) order(1, k, vg(v * k ** -decay * rng.uniform(0.5, 1.2), k), ph + rng.uniform(0, 6.3));
    for (const k of [1, 2, 3]) order(0, k, vg(v * rng.uniform(0.1, 0.5), k) / k, rng.uniform(0, 6.3));
    if (rng.uniform(0, 1) < 0.7) order(1, 0.5, vg(v * rng.uniform(0.3, 1.0), 0.5), rng.uniform(0, 6.3));
    if (rng.uniform(0, 1) < 0.5) order(1, 1.5, vg(v * rng.uniform(0.2, 0.6), 1.5), rng.uniform(0, 6.3));
    // the loose foot lifts off: the vertical response is truncated on one side
    const y = axes[1]!;
    let peak = 0;
    for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(y[i]!));
    const clip = peak * rng.uniform(0.45, 0.9);
    const sign = rng.uniform(0, 1) < 0.5 ? 1 : -1;
    for (let i = 0; i < n; i++) if (sign * y[i]! > clip) y[i] = sign * clip;
  }

  // the plant around the machine
  if (rng.uniform(0, 1) < 0.4) {
    // 2x line frequency: the motor's magnetic pull, radial
    const hz = rng.uniform(0, 1) < 0.5 ? 100 : 120;
    const a = velocityToG(logUniform(rng, 0.1, 1.2), hz);
    const ph = rng.uniform(0, 6.3);
    for (let i = 0; i < n; i++) {
      const s = Math.sin((2 * Math.PI * hz * (i - PRE_ROLL)) / SAMPLE_RATE_HZ + ph);
      axes[0]![i]! += a * s;
      axes[1]![i]! += a * aniso * s;
    }
  }
  if (rng.uniform(0, 1) < 0.4) {
    // a neighbouring machine through the floor
    const hz = rng.uniform(15, 250);
    const a = logUniform(rng, 0.01, 0.12);
    const w = [rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0, 0.6)];
    const ph = rng.uniform(0, 6.3);
    for (let i = 0; i < n; i++) {
      const s = a * Math.sin((2 * Math.PI * hz * (i - PRE_ROLL)) / SAMPLE_RATE_HZ + ph);
      for (let c = 0; c < 3; c++) axes[c]![i]! += w[c]! * s;
    }
  }
  if (rng.uniform(0, 1) < 0.12) {
    // a single knock: a valve, a tool, a passing forklift
    const start = rng.uniform(PRE_ROLL, n - 8);
    const hz = rng.uniform(300, 1500);
    const damping = rng.uniform(150, 500);
    const a = logUniform(rng, 0.1, 1.0);
    const w = [rng.uniform(0.2, 1), rng.uniform(0.2, 1), rng.uniform(0.1, 0.6)];
    for (let j = Math.ceil(start); j < n; j++) {
      const dt = (j - start) / SAMPLE_RATE_HZ;
      const ring = a * Math.exp(-damping * dt) * Math.sin(2 * Math.PI * hz * dt);
      for (let c = 0; c < 3; c++) axes[c]![j]! += w[c]! * ring;
    }
  }
  const flow = rng.uniform(0.01, 0.05) * load; // broadband flow / friction noise, structure-borne
  for (let c = 0; c < 3; c++) for (let i = 0; i < n; i++) axes[c]![i]! += rng.normal(0, flow);

  // the sensor: mount resonance per axis (2nd order, unity gain at low frequency), rotation on the housing,
  // per-axis sensitivity, electrical noise
  const mountHz = rng.uniform(900, 1550);
  const mountQ = rng.uniform(2, 10);
  for (let c = 0; c < 3; c++) {
    const f0 = Math.min(1580, mountHz * rng.uniform(0.9, 1.1));
    const w0 = (2 * Math.PI * f0) / SAMPLE_RATE_HZ;
    const alpha = Math.sin(w0) / (2 * mountQ);
    const cw = Math.cos(w0);
    const a0 = 1 + alpha;
    const b0 = (1 - cw) / 2 / a0,
      b1 = (1 - cw) / a0,
      b2 = b0,
      a1 = (-2 * cw) / a0,
      a2 = (1 - alpha) / a0;
    const a = axes[c]!;
    let x1 = 0,
      x2 = 0,
      y1 = 0,
      y2 = 0;
    for (let i = 0; i < n; i++) {
      const x0 = a[i]!;
      const y0 = b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1;
      x1 = x0;
      y2 = y1;
      y1 = y0;
      a[i] = y0;
    }
  }
  const rot = rng.uniform(-0.6, 0.6); // radians about the shaft axis
  const cr = Math.cos(rot),
    sr = Math.sin(rot);
  const gain = [rng.uniform(0.85, 1.15), rng.uniform(0.85, 1.15), rng.uniform(0.85, 1.15)];
  const noise = rng.uniform(0.015, 0.06);
  const out = new Float32Array(WINDOW * 3);
  for (let i = 0; i < WINDOW; i++) {
    const x = axes[0]![PRE_ROLL + i]!,
      y = axes[1]![PRE_ROLL + i]!,
      z = axes[2]![PRE_ROLL + i]!;
    out[i * 3] = gain[0]! * (cr * x + sr * y) + rng.normal(0, noise);
    out[i * 3 + 1] = gain[1]! * (-sr * x + cr * y) + rng.normal(0, noise);
    out[i * 3 + 2] = gain[2]! * z + rng.normal(0, noise);
  }
  return out;
}

/** The model input: int8 with scale 1/16 g (range +-8 g), zero point 0. */
export const INPUT_SCALE = 1 / 16;

export function quantizeWindow(g: Float32Array): Int8Array {
  const q = new Int8Array(g.length);
  for (let i = 0; i < g.length; i++) q[i] = Math.max(-128, Math.min(127, Math.round(g[i]! / INPUT_SCALE)));
  return q;
}

// Machine sounds for the anomaly-detection workload, 16 kHz: a fan/pump-like harmonic series on a per-machine
// fundamental, broadband noise, slow amplitude modulation. Anomalies: bearing clicks (short broadband impulses),
// frequency drift (the harmonic series detuned), imbalance (strong modulation at the rotation rate and a boosted
// fundamental). Features: log-mel power, 128 bands, 1024-point frames, hop 512 (MLPerf ad01's front end).
import { hann, melFilterbank, powerSpectrum } from "../../common/dsp.ts";
import type { Prng } from "../../common/prng.ts";

export const SAMPLE_RATE = 16000;
export const N_FFT = 1024;
export const HOP = 512;
export const MELS = 128;
export const FRAMES_PER_WINDOW = 5;
export const ANOMALIES = ["bearing-clicks", "frequency-drift", "imbalance"] as const;

export interface Machine {
  fundamentalHz: number;
  harmonics: number[]; // relative amplitudes
  noise: number;
}

/** The machine every clip comes from (one machine type, as one ToyADMOS/MIMII machine id). */
export function machine(rng: Prng): Machine {
  return { fundamentalHz: rng.uniform(110, 130), harmonics: Array.from({ length: 12 }, (_, h) => rng.uniform(0.3, 1) / (h + 1)), noise: 0.02 };
}

export function clip(rng: Prng, m: Machine, frames: number, anomaly: (typeof ANOMALIES)[number] | undefined): Float64Array {
  const n = (frames - 1) * HOP + N_FFT;
  const x = new Float64Array(n);
  let f0 = m.fundamentalHz * rng.uniform(0.98, 1.02);
  const drift = anomaly === "frequency-drift" ? rng.uniform(1.06, 1.15) * (rng.uniform() < 0.5 ? 1 : 0.88) : 1;
  f0 *= drift;
  const modRate = rng.uniform(0.5, 2);
  const modDepth = anomaly === "imbalance" ? rng.uniform(0.5, 0.8) : rng.uniform(0.02, 0.08);
  const modRateHz = anomaly === "imbalance" ? f0 / rng.uniform(4, 8) : modRate;
  const gain = rng.uniform(0.7, 1.3);
  const phases = m.harmonics.map(() => rng.uniform(0, 2 * Math.PI));
  for (let i = 0; i < n; i++) {
    const t = i / SAMPLE_RATE;
    let s = 0;
    m.harmonics.forEach((a, h) => {
      const boost = anomaly === "imbalance" && h === 0 ? 3 : 1;
      s += boost * a * Math.sin(2 * Math.PI * f0 * (h + 1) * t + phases[h]!);
    });
    x[i] = gain * 0.1 * s * (1 + modDepth * Math.sin(2 * Math.PI * modRateHz * t)) + rng.normal(0, m.noise);
  }
  if (anomaly === "bearing-clicks") {
    const rate = rng.uniform(15, 40); // clicks per second
    for (let c = rng.uniform(0, SAMPLE_RATE / rate); c < n; c += SAMPLE_RATE / rate) {
      const amp = rng.uniform(0.2, 0.5);
      const res = rng.uniform(2500, 5000);
      for (let k = 0; k < 160 && c + k < n; k++) x[Math.floor(c) + k]! += amp * Math.exp(-k / 25) * Math.sin((2 * Math.PI * res * k) / SAMPLE_RATE);
    }
  }
  return x;
}

const window = hann(N_FFT);
const filters = melFilterbank(MELS, N_FFT, SAMPLE_RATE, 0, SAMPLE_RATE / 2);

/** frames x 128 log-mel power (dB), frame-major, float32. */
export function logMel(x: Float64Array): Float32Array {
  const frames = Math.floor((x.length - N_FFT) / HOP) + 1;
  const out = new Float32Array(frames * MELS);
  for (let f = 0; f < frames; f++) {
    const p = powerSpectrum(x.subarray(f * HOP, f * HOP + N_FFT), window, N_FFT);
    for (let b = 0; b < MELS; b++) {
      let e = 0;
      const fl = filters[b]!;
      for (let k = 0; k < p.length; k++) e += fl[k]! * p[k]!;
      out[f * MELS + b] = 10 * Math.log10(e + 1e-10);
    }
  }
  return out;
}

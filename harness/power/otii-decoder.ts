// What the Otii driver computes from a recording: the timestamp pin's falling edges from the GPI channel's changes,
// and each window's energy from the main current (`mc`) between two edges' timestamps, counting the fractions of the
// samples the edges cut (at the Arc's 4 kS/s a whole sample at each end would be up to 0.5% of a 100 ms window).
// The driver (otii.ts) fetches; these functions decide, and the tests call them as the driver does.
import type { EdgeSpans, Span } from "./types.ts";

/** A digital channel's change, as the server reports it. */
export interface DigitalValue {
  timestamp: number;
  value: boolean | 0 | 1;
}

/**
 * Appends the timestamps of high-to-low changes (MLPerf's pin idles high and pulses low) to `edges`; `level` is the
 * pin's level before `values` (undefined: not known yet). Returns the level after them.
 */
export function fallingEdges(values: DigitalValue[], level: boolean | undefined, edges: number[]): boolean | undefined {
  for (const v of values) {
    const high = v.value === true || v.value === 1;
    if (level === true && !high) edges.push(v.timestamp);
    level = high;
  }
  return level;
}

/** Main current samples fetched from a recording: sample j of `values` covers [t0 + (first+j)*interval, + interval). */
export interface CurrentSamples {
  t0: number;
  interval: number;
  first: number;
  values: Float32Array;
}

/** The spans between consecutive edges (timestamps in s): charge x voltage, sample fractions included. */
export function integrateSpans(at: number[], mc: CurrentSamples, voltageV: number, trace: boolean): EdgeSpans {
  const { t0, interval, first, values } = mc;
  const chargeUpTo = (t: number): number => {
    const x = (t - t0) / interval - first; // position in samples from the first fetched
    const whole = Math.min(values.length, Math.max(0, Math.floor(x)));
    let sum = 0;
    for (let j = 0; j < whole; j++) sum += values[j]!;
    if (whole < values.length) sum += values[whole]! * (x - whole);
    return sum * interval;
  };
  const charges = at.map(chargeUpTo);
  const spans: Span[] = [];
  for (let k = 0; k + 1 < at.length; k++) {
    spans.push({ energyUj: (charges[k + 1]! - charges[k]!) * voltageV * 1e6, durationUs: (at[k + 1]! - at[k]!) * 1e6 });
  }
  const result: EdgeSpans = { spans };
  if (trace) {
    result.trace = {
      unit: "A",
      sampleRateHz: 1 / interval,
      voltageV,
      samples: values,
      edges: at.map((t) => Math.floor((t - t0) / interval) - first), // the sample each edge falls in
    };
  }
  return result;
}

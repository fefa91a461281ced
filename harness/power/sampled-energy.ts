// The part every sampling monitor shares: a stream of samples, the sample positions where the device's timestamp pin
// fell, and the energy between those edges. Drivers feed it as bytes arrive; the energy mode takes spans from it.
import { setTimeout as sleep } from "node:timers/promises";
import { EnergyError, type EdgeSpans, type Span } from "./types.ts";

export class SampledEnergy {
  /** Samples kept while no edge is pending: how late after its sample an edge may still be reported. */
  static readonly KEEP = 1 << 14;
  /** Running sum of joules: cumulative[i] is the energy of samples [base, base + i). Float64 keeps microjoules exact. */
  private cumulative = new Float64Array(1 << 16);
  /** The samples themselves (in the monitor's unit), for raw traces. */
  private raw = new Float32Array(1 << 16);
  private count = 0; // samples held (after `base`)
  private base = 0; // absolute index of the first sample held
  private edges: number[] = []; // absolute sample index of each edge not yet consumed
  private consumedEdges = 0;

  constructor(
    readonly sampleRateHz: number,
    readonly unit: "J" | "A",
    readonly voltageV: number,
  ) {}

  /** Absolute index of the next sample. */
  get sampleCount(): number {
    return this.base + this.count;
  }

  get pendingEdges(): number {
    return this.edges.length;
  }

  get edgesSeen(): number {
    return this.consumedEdges + this.edges.length;
  }

  /** One sample: joules in its period (unit J) or amperes (unit A). */
  add(value: number): void {
    // A span starts at an edge: with none pending, only the latest samples can still become part of one (a monitor may
    // report an edge a little after the sample it fell on). Dropping the rest keeps memory to about one window's
    // samples however long the monitor streams between windows (an accuracy run, hours at 100 kS/s).
    if (this.edges.length === 0 && this.count >= 2 * SampledEnergy.KEEP) this.dropBefore(this.sampleCount - SampledEnergy.KEEP);
    if (this.count + 1 >= this.cumulative.length) this.grow();
    const joules = this.unit === "J" ? value : (value * this.voltageV) / this.sampleRateHz;
    this.raw[this.count] = value;
    this.cumulative[this.count + 1] = this.cumulative[this.count]! + joules;
    this.count++;
  }

  /** A timestamp edge at the next sample's position (where the monitor reported it in its stream). */
  edge(): void {
    this.edges.push(this.sampleCount);
  }

  /** A timestamp edge at an absolute sample index already known (monitors that report edges by their own index). */
  edgeAt(sample: number): void {
    if (sample < this.base) throw new EnergyError(`timestamp edge at sample ${sample} reported after its samples were dropped (kept from ${this.base})`);
    this.edges.push(sample);
  }

  /** Consumes `n` edges; the spans between them; samples before the last consumed edge are dropped. */
  take(n: number, trace = false): EdgeSpans {
    if (n < 2) throw new EnergyError(`a span needs 2 edges, asked for ${n}`);
    if (this.edges.length < n) throw new EnergyError(`only ${this.edges.length} of ${n} timestamp edges have arrived`);
    const at = this.edges.splice(0, n);
    this.consumedEdges += n;
    const last = at[n - 1]!;
    if (last > this.sampleCount) throw new EnergyError(`timestamp edge at sample ${last} is beyond the ${this.sampleCount} samples received`);
    const sum = (i: number) => this.cumulative[i - this.base]!;
    const spans: Span[] = [];
    for (let k = 0; k + 1 < n; k++) {
      spans.push({ energyUj: (sum(at[k + 1]!) - sum(at[k]!)) * 1e6, durationUs: ((at[k + 1]! - at[k]!) / this.sampleRateHz) * 1e6 });
    }
    const result: EdgeSpans = { spans };
    if (trace) {
      result.trace = {
        unit: this.unit,
        sampleRateHz: this.sampleRateHz,
        voltageV: this.voltageV,
        samples: this.raw.slice(at[0]! - this.base, last - this.base),
        edges: at.map((e) => e - at[0]!),
      };
    }
    this.dropBefore(last);
    return result;
  }

  /** Forgets the edges not yet consumed (and so the samples before now). */
  discardEdges(): void {
    this.consumedEdges += this.edges.length;
    this.edges = [];
  }

  /** Forget everything (a new acquisition). */
  reset(): void {
    this.base = 0;
    this.count = 0;
    this.cumulative[0] = 0;
    this.edges = [];
    this.consumedEdges = 0;
  }

  private dropBefore(absolute: number): void {
    const drop = absolute - this.base;
    if (drop === 0 || drop < this.count - drop) return; // compact once the dropped part is at least what stays
    const offset = this.cumulative[drop]!;
    this.cumulative.copyWithin(0, drop, this.count + 1);
    this.raw.copyWithin(0, drop, this.count);
    for (let i = 0; i <= this.count - drop; i++) this.cumulative[i] = this.cumulative[i]! - offset;
    this.count -= drop;
    this.base = absolute;
  }

  private grow(): void {
    const c = new Float64Array(this.cumulative.length * 2);
    c.set(this.cumulative);
    this.cumulative = c;
    const r = new Float32Array(this.raw.length * 2);
    r.set(this.raw);
    this.raw = r;
  }
}

/**
 * Waits until `ready()` holds, polling; fails with the monitor's own failure, the end of its acquisition, or the
 * timeout, each saying how many of the wanted edges had arrived.
 */
export async function waitForEdges(
  want: number,
  timeoutMs: number,
  state: { pending(): number; failure(): Error | undefined; completed(): boolean; monitor: string; hint?: string },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = state.pending();
    if (seen >= want) return;
    const failure = state.failure();
    if (failure) throw new EnergyError(`${failure.message}; ${seen} of the window's ${want} timestamp edges had arrived`);
    if (state.completed())
      throw new EnergyError(`the ${state.monitor} acquisition ended with ${seen} of the window's ${want} timestamp edges: a timestamp edge is missing`);
    if (Date.now() > deadline) {
      throw new EnergyError(
        `only ${seen} of the window's ${want} timestamp edges within ${timeoutMs} ms: a timestamp edge is missing${state.hint ? ` (${state.hint})` : ""}`,
      );
    }
    await sleep(10);
  }
}

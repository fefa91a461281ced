// What the energy mode needs from a power monitor, whatever it is: the energy between consecutive timestamp-pin
// pulses of the device under test. A physical monitor measures it; an emulated board's monitor models it.

export interface WindowEnergy {
  /** Energy between the window's two timestamp pulses. */
  energyUj: number;
  /** Time between them, as the monitor saw it. */
  durationUs: number;
  /** Split by phase, when the firmware marks phases with extra pulses. */
  phasesUj?: Record<string, number>;
}

export interface EnergyMeter {
  /** e.g. "LPM01A sn 1234 fw 1.0.6" or "modelled: mps2-an386 power model". */
  readonly identity: string;
  readonly kind: "measured" | "modelled";
  readonly voltageV: number;
  readonly sampleRateHz?: number;
  /** Starts observing; pulses before this are not any window's. */
  begin(): Promise<void>;
  /** The next window: between the next two timestamp pulses not yet consumed. */
  nextWindow(timeoutMs: number): Promise<WindowEnergy>;
  end(): Promise<void>;
}

export class EnergyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnergyError";
  }
}

// Nordic Power Profiler Kit II: its USB CDC byte protocol. Commands are opcode bytes without replies, except
// GetMetadata (0x19), which answers `Key: value` lines (the calibration) ending `END`. After AverageStart (0x06) the
// port streams one little-endian 32-bit word per 10 us (ppk2-decoder.ts reads them).
// Protocol facts: ../shared/reference/power-monitors.md (from Nordic's nRF Connect Power Profiler and peer hosts).
import { EnergyError } from "./types.ts";

export const PPK2_USB = { vid: "1915", pid: "c00a" } as const;
export const PPK2_SAMPLE_RATE_HZ = 100_000;
/** The CDC port ignores the rate; Nordic's app opens it at this one. */
export const PPK2_BAUD = 115_200;

export const PPK2_OPCODE = {
  AverageStart: 0x06,
  AverageStop: 0x07,
  DeviceRunningSet: 0x0c,
  RegulatorSet: 0x0d,
  SetPowerMode: 0x11,
  GetMetadata: 0x19,
} as const;
export const POWER_MODE = { ampere: 1, source: 2 } as const;

// ---- calibration --------------------------------------------------------------------------------------------------

/** Per-range calibration (index = range 0..4), as the metadata reply gives it. */
export interface Ppk2Calibration {
  r: number[];
  gs: number[];
  gi: number[];
  o: number[];
  s: number[];
  i: number[];
  ug: number[];
}

/** Nordic's defaults for a key the metadata lacks (or gives as nan). */
export const PPK2_DEFAULT_CALIBRATION: Readonly<Ppk2Calibration> = Object.freeze({
  r: [1031.64, 101.65, 10.15, 0.94, 0.043],
  gs: [1, 1, 1, 1, 1],
  gi: [1, 1, 1, 1, 1],
  o: [0, 0, 0, 0, 0],
  s: [0, 0, 0, 0, 0],
  i: [0, 0, 0, 0, 0],
  ug: [1, 1, 1, 1, 1],
});

export interface Ppk2Metadata {
  calibration: Ppk2Calibration;
  calibrated?: boolean;
  vddMv?: number;
  hw?: number;
  /** 1 ampere meter, 2 source meter (the mode the device was left in). */
  mode?: number;
  /** Calibration keys the device sent as nan (their defaults were used). */
  defaulted: string[];
}

const CAL_KEYS: Record<string, keyof Ppk2Calibration> = { R: "r", GS: "gs", GI: "gi", O: "o", S: "s", I: "i", UG: "ug" };
const META_LINE = /^([A-Za-z]+?)(\d?): (.*)$/;

/** Parses the GetMetadata reply; junk before the first `Key: value` line (stale stream bytes) is skipped. */
export function parsePpk2Metadata(text: string): Ppk2Metadata {
  const end = /(?:^|\n)END(?:\r?\n|$)/.exec(text);
  if (!end) throw new EnergyError(`PPK2 metadata has no END line: ${JSON.stringify(text.slice(-120))}`);
  const body = text.slice(0, end.index).split(/\r?\n/);
  const cal: Ppk2Calibration = structuredClone(PPK2_DEFAULT_CALIBRATION) as Ppk2Calibration;
  const meta: Ppk2Metadata = { calibration: cal, defaulted: [] };
  let started = false;
  for (const line of body) {
    const m = META_LINE.exec(line.trim());
    if (!m) {
      if (started) throw new EnergyError(`PPK2 metadata: unexpected line ${JSON.stringify(line)}`);
      continue;
    }
    started = true;
    const [, name, digit, raw] = m as unknown as [string, string, string, string];
    const value = raw.trim();
    const field = CAL_KEYS[name.toUpperCase()];
    const key = `${name}${digit}`;
    if (field && digit !== "") {
      const range = Number(digit);
      if (range > 4) throw new EnergyError(`PPK2 metadata: ${key}: there are 5 ranges (0..4)`);
      if (/^-?nan$/i.test(value)) {
        meta.defaulted.push(key);
        continue;
      }
      const n = Number(value);
      if (value === "" || !Number.isFinite(n)) throw new EnergyError(`PPK2 metadata: ${key}: ${JSON.stringify(value)} is not a number`);
      if (field === "r" && n <= 0) {
        meta.defaulted.push(key); // a zero shunt factor (seen on some units) would divide by zero
        continue;
      }
      cal[field][range] = n;
      continue;
    }
    const integer = () => {
      if (!/^-?\d+$/.test(value)) throw new EnergyError(`PPK2 metadata: ${key}: ${JSON.stringify(value)} is not an integer`);
      return Number(value);
    };
    switch (key.toUpperCase()) {
      case "CALIBRATED":
        meta.calibrated = integer() !== 0;
        break;
      case "VDD":
        meta.vddMv = integer();
        break;
      case "HW":
        meta.hw = integer();
        break;
      case "MODE":
        meta.mode = integer();
        if (meta.mode !== 1 && meta.mode !== 2) throw new EnergyError(`PPK2 metadata: mode: ${value} is neither 1 (ampere) nor 2 (source)`);
        break;
      default:
        break; // other keys (IA, ...) do not enter the conversion
    }
  }
  if (!started) throw new EnergyError(`PPK2 metadata has no "Key: value" line before END: ${JSON.stringify(text.slice(0, 120))}`);
  return meta;
}

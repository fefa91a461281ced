// The PPK2 driver against a protocol-level simulator on a real PTY pair (test/fixtures/power/ppk2-sim.ts), which
// streams a known current waveform at 100 kS/s through the inverse of the documented conversion, with the DUT's
// timestamp pin on one logic input: each window's energy must match the waveform's within 0.5%; a monitor that
// stops answering, a truncated stream, lost samples and a missing timestamp edge each give a clear error, with the
// windows already returned kept.
import { execa, type ResultPromise } from "execa";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadBoardFile } from "../harness/boards/load.ts";
import { powerMonitorFor } from "../harness/power/index.ts";
import { findPpk2Port, Ppk2Monitor, ppk2Schema, type Ppk2Options } from "../harness/power/ppk2.ts";
import { decodePpk2Word, ppk2Amperes, Ppk2StreamDecoder } from "../harness/power/ppk2-decoder.ts";
import { SampledEnergy } from "../harness/power/sampled-energy.ts";
import { parsePpk2Metadata, PPK2_DEFAULT_CALIBRATION, PPK2_SAMPLE_RATE_HZ } from "../harness/power/ppk2-protocol.ts";

const SIM = path.resolve(import.meta.dirname, "fixtures/power/ppk2-sim.ts");
const TSX = path.resolve(import.meta.dirname, "../node_modules/.bin/tsx");
const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-ppk2-"));
let sim: ResultPromise | undefined;

interface Truth {
  energyJ: number;
  durationS: number;
}

async function simulator(fault = "", opts: Partial<Ppk2Options> = {}) {
  const id = Math.random().toString(36).slice(2);
  const truth = path.join(dir, `truth-${id}.json`);
  const log = path.join(dir, `log-${id}.txt`);
  sim = execa(TSX, [SIM, "--truth", truth, "--log", log, "--pin", "2", ...(fault ? ["--fault", fault] : [])], { buffer: false, reject: false });
  const pty = await new Promise<string>((resolve, reject) => {
    sim!.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()));
    sim!.once("exit", () => reject(new Error("the simulator exited before printing its PTY")));
  });
  const monitor = await Ppk2Monitor.open(pty, { mode: "source", voltageV: 1.8, timestampBit: 2, metadataTimeoutMs: 1500, stallMs: 1000, ...opts });
  // the simulator writes the truth once AverageStart (sent last by begin()) has reached it
  const expected = async () => {
    for (let i = 0; i < 200 && !existsSync(truth); i++) await new Promise((r) => setTimeout(r, 10));
    return JSON.parse(readFileSync(truth, "utf8")) as Truth[];
  };
  /** The command bytes the simulator received, once `last` has arrived (or 3 s passed). */
  const commands = async (last: string) => {
    const read = () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);
    for (let i = 0; i < 300 && read().at(-1) !== last; i++) await new Promise((r) => setTimeout(r, 10));
    return read();
  };
  return { monitor, expected, commands, pty };
}

/** Whether this process still has the PTY open (end() must close it, whatever happened). */
const holds = (pty: string) =>
  readdirSync("/proc/self/fd").some((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === pty;
    } catch {
      return false;
    }
  });

const window = async (monitor: Ppk2Monitor, timeoutMs = 5000) => (await monitor.nextSpans(2, timeoutMs)).spans[0]!;
const relError = (energyUj: number, t: Truth) => Math.abs(energyUj / (t.energyJ * 1e6) - 1);

afterEach(async () => {
  sim?.kill();
  await sim;
});

describe("PPK2 sample conversion", () => {
  it("decodes a word's fields and converts it with the documented formula", () => {
    // adc 0x1234, range 2, counter 0x2A, logic 0b1010_0101
    const word = (0x1234 | (2 << 14) | (0x2a << 18) | (0xa5 << 24)) >>> 0;
    expect(decodePpk2Word(word)).toEqual({ adc: 0x1234, range: 2, counter: 0x2a, logic: 0xa5 });
    // defaults: x = adc*4 * (1.8/163840) / R2 = 18640 * 1.0986328125e-5 / 10.15; amps = x*(x + 1)
    const x = (0x1234 * 4 * (1.8 / 163840)) / 10.15;
    expect(ppk2Amperes(0x1234, 2, PPK2_DEFAULT_CALIBRATION, 3300)).toBeCloseTo(x * (x + 1), 15);
    expect(x).toBeCloseTo(0.0201759, 6); // by hand: 18640 x 1.8 / 163840 = 0.204785 V over 10.15 ohm-ish = 20.18 mA
    // a calibration with every term in play: offsets, quadratic gain, the VDD-dependent term, the user gain
    const cal = {
      r: [1, 1, 10.3027, 1, 1],
      gs: [1, 1, 18.0115, 1, 1],
      gi: [1, 1, 0.9609, 1, 1],
      o: [0, 0, 64.602, 0, 0],
      s: [0, 0, 0.000005281, 0, 0],
      i: [0, 0, 0.000036439, 0, 0],
      ug: [1, 1, 1.02, 1, 1],
    };
    const y = ((1000 * 4 - 64.602) * (1.8 / 163840)) / 10.3027;
    expect(ppk2Amperes(1000, 2, cal, 1800)).toBeCloseTo(1.02 * (y * (18.0115 * y + 0.9609) + (0.000005281 * 1.8 + 0.000036439)), 15);
  });

  it("the stream decoder the driver feeds: words split across reads, edges at their sample, a counter jump refused", () => {
    const out = new SampledEnergy(PPK2_SAMPLE_RATE_HZ, "A", 3.3);
    const decoder = new Ppk2StreamDecoder({ timestampBit: 2, decimation: 1, calibration: PPK2_DEFAULT_CALIBRATION, vddMv: 3300, spikeFilter: false }, out);
    // D2 high, then low from sample 3 on (a falling edge opens sample 3); counter 0..5; range 2, ADC 0x1234
    const word = (n: number, pinHigh: boolean) => (0x1234 | (2 << 14) | (n << 18) | ((pinHigh ? 1 << 2 : 0) << 24)) >>> 0;
    const bytes = Buffer.alloc(24);
    for (let n = 0; n < 6; n++) bytes.writeUInt32LE(word(n, n < 3), n * 4);
    for (const [a, b] of [
      [0, 5],
      [5, 6],
      [6, 17],
      [17, 24],
    ] as const)
      decoder.push(bytes.subarray(a, b));
    expect(decoder.sampleCount).toBe(6);
    expect(decoder.partialBytes).toBe(0);
    expect(out.sampleCount).toBe(6);
    expect(out.pendingEdges).toBe(1);
    expect(decodePpk2Word(word(4, false))).toEqual({ adc: 0x1234, range: 2, counter: 4, logic: 0 });
    const jump = Buffer.alloc(4);
    jump.writeUInt32LE(word(9, false));
    expect(() => decoder.push(jump)).toThrow(/the PPK2 lost 3 samples .* counter went from 5 to 9/);
  });

  it("parses metadata: calibration, nan as the default, junk before the block skipped, bad values named", () => {
    const m = parsePpk2Metadata(
      "\x12\x34garbage\nCalibrated: 1\nR0: 1003.3506\nR1: -nan\nGS1: 112.7890\nO2: 64.6020\nVDD: 3000\nHW: 9173\nmode: 2\nS4: 0.002940743\nIA: 56\nEND\n",
    );
    expect(m.calibrated).toBe(true);
    expect(m.hw).toBe(9173);
    expect(m.vddMv).toBe(3000);
    expect(m.mode).toBe(2);
    expect(m.calibration.r).toEqual([1003.3506, 101.65, 10.15, 0.94, 0.043]);
    expect(m.calibration.gs[1]).toBe(112.789);
    expect(m.calibration.o[2]).toBe(64.602);
    expect(m.calibration.s[4]).toBe(0.002940743);
    expect(m.defaulted).toEqual(["R1"]);
    expect(() => parsePpk2Metadata("R0: 1.0\nGI3: 0,95\nEND\n")).toThrow(/GI3: "0,95" is not a number/);
    expect(() => parsePpk2Metadata("R0: 1.0\nmode: 7\nEND\n")).toThrow(/mode: 7 is neither 1/);
    expect(() => parsePpk2Metadata("R0: 1.0\nHW: 9173")).toThrow(/no END line/);
  });

  it("validates the board file's section", () => {
    const ok = ppk2Schema.parse({ driver: "ppk2", serial: { usb: { vid: "1915", pid: "c00a" } }, voltageV: 1.8, timestampPin: "D0" });
    expect(ok).toMatchObject({ mode: "source", decimation: 1, spikeFilter: true });
    const bad = ppk2Schema.safeParse({ driver: "ppk2", serial: {}, voltageV: 5.5, timestampPin: "D8" });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["serial", "voltageV", "timestampPin"]));
  });

  it("the nRF5340 DK's board file names a valid PPK2 section", () => {
    const { driver, config } = powerMonitorFor(loadBoardFile(path.resolve(import.meta.dirname, "../boards/nrf5340-dk.yaml")));
    expect(driver.driver).toBe("ppk2");
    expect(config).toMatchObject({ mode: "source", voltageV: 1.8, timestampPin: "D0", serial: { usb: { vid: "1915", pid: "c00a" } } });
  });

  it("finds the data port among the PPK2's two CDC ports by asking each for metadata", async () => {
    const ports = [
      { path: "/dev/ttyACM5", vendorId: "1915", productId: "C00A", serialNumber: "E1", pnpId: "usb-Nordic_Semiconductor_PPK2_E1-if03" },
      { path: "/dev/ttyACM4", vendorId: "1915", productId: "C00A", serialNumber: "E1", pnpId: "usb-Nordic_Semiconductor_PPK2_E1-if01" },
    ];
    const asked: string[] = [];
    const probe = async (p: string) => (asked.push(p), p === "/dev/ttyACM5");
    expect(await findPpk2Port({ usb: { vid: "1915", pid: "c00a" } }, 1000, async () => ports, probe)).toBe("/dev/ttyACM5");
    expect(asked).toEqual(["/dev/ttyACM4", "/dev/ttyACM5"]);
    const two = [...ports, { path: "/dev/ttyACM6", vendorId: "1915", productId: "c00a", serialNumber: "F2" }];
    await expect(findPpk2Port({ usb: { vid: "1915", pid: "c00a" } }, 1000, async () => two, probe)).rejects.toThrow(/2 PPK2s match .*serialNumber/);
    await expect(
      findPpk2Port(
        { usb: { vid: "1915", pid: "c00a" } },
        1000,
        async () => ports,
        async () => false,
      ),
    ).rejects.toThrow(/none of the PPK2's ports/);
  });
});

describe("PPK2 driver", () => {
  it("measures each window's energy within 0.5% of the waveform's, powers the DUT only while measuring", async () => {
    const { monitor, expected, commands, pty } = await simulator();
    expect(monitor.identity).toMatch(/Nordic PPK2 hw 9173 \(calibration flag 0\) source meter 1\.8 V, timestamp D2, 100 kS\/s/);
    await monitor.begin();
    const truth = await expected();
    expect(truth).toHaveLength(3);
    for (const t of truth) {
      const w = await window(monitor);
      console.log(
        `PPK2 window: ${w.energyUj.toFixed(3)} uJ vs ${(t.energyJ * 1e6).toFixed(3)} uJ true (${(relError(w.energyUj, t) * 100).toFixed(4)}%), ${w.durationUs} us vs ${(t.durationS * 1e6).toFixed(1)} us`,
      );
      expect(relError(w.energyUj, t)).toBeLessThan(0.005);
      expect(Math.abs(w.durationUs - t.durationS * 1e6)).toBeLessThanOrEqual(10); // one 10 us sample
    }
    await monitor.end();
    expect(holds(pty)).toBe(false);
    // metadata, then source mode at 1800 mV (0x0708) with the output on, the stream, and at the end the output off
    expect(await commands("0c 00")).toEqual(["07", "19", "0c 00", "11 02", "0d 07 08", "0c 01", "06", "07", "0c 00"]);
  }, 30_000);

  it("keeps a trace of the window's samples and edges on request", async () => {
    const { monitor, expected } = await simulator();
    await monitor.begin();
    const { spans, trace } = await monitor.nextSpans(2, 5000, { trace: true });
    expect(trace).toMatchObject({ unit: "A", sampleRateHz: 100_000, voltageV: 1.8 });
    expect(trace!.edges).toEqual([0, trace!.samples.length]);
    const fromTrace = trace!.samples.reduce((a, b) => a + b, 0) * 1.8 * 10e-6 * 1e6;
    expect(fromTrace / spans[0]!.energyUj).toBeCloseTo(1, 5);
    expect(relError(spans[0]!.energyUj, (await expected())[0]!)).toBeLessThan(0.005);
    await monitor.end();
  }, 30_000);

  it("several edges at once: the spans between consecutive edges (phase-marking firmware)", async () => {
    const { monitor, expected } = await simulator();
    await monitor.begin();
    const { spans } = await monitor.nextSpans(4, 5000); // window 1 start..end, the gap, window 2 start..end
    const truth = await expected();
    expect(spans).toHaveLength(3);
    expect(relError(spans[0]!.energyUj, truth[0]!)).toBeLessThan(0.005);
    expect(relError(spans[2]!.energyUj, truth[1]!)).toBeLessThan(0.005);
    expect(relError((await window(monitor)).energyUj, truth[2]!)).toBeLessThan(0.005);
    await monitor.end();
  }, 30_000);

  it("decimated: fewer samples, the same energy within 0.5%", async () => {
    const { monitor, expected } = await simulator("", { decimation: 10 });
    expect(monitor.sampleRateHz).toBe(10_000);
    await monitor.begin();
    for (const t of await expected()) expect(relError((await window(monitor)).energyUj, t)).toBeLessThan(0.005);
    await monitor.end();
  }, 30_000);

  it("ampere mode: no DUT power switching at the end (the DUT has its own supply)", async () => {
    const { monitor, expected, commands } = await simulator("", { mode: "ampere" });
    await monitor.begin();
    expect(relError((await window(monitor)).energyUj, (await expected())[0]!)).toBeLessThan(0.005);
    await monitor.end();
    expect(await commands("07")).toEqual(["07", "19", "11 01", "0d 07 08", "0c 01", "06", "07"]);
  }, 30_000);

  it("a PPK2 left streaming by an earlier session: stopped and drained before its metadata is read", async () => {
    const { monitor, expected } = await simulator("stale");
    expect(monitor.metadata!.hw).toBe(9173);
    await monitor.begin();
    expect(relError((await window(monitor)).energyUj, (await expected())[0]!)).toBeLessThan(0.005);
    await monitor.end();
  }, 30_000);

  it("a PPK2 that never answers: GetMetadata is named, the port is closed", async () => {
    const err = await simulator("silent").then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/the PPK2 at \/dev\/pts\/\d+ did not answer GetMetadata \(0x19\) within 1500 ms/);
    expect(holds(/\/dev\/pts\/\d+/.exec(err!.message)![0])).toBe(false);
  }, 30_000);

  it("a PPK2 that stops streaming: the first window is kept, the second fails naming the stall", async () => {
    const { monitor, expected, pty } = await simulator("mute");
    await monitor.begin();
    expect(relError((await window(monitor)).energyUj, (await expected())[0]!)).toBeLessThan(0.005);
    await expect(window(monitor)).rejects.toThrow(
      /the PPK2 stopped streaming: no data for 1000 ms after \d+ samples; 0 of the window's 2 timestamp edges had arrived/,
    );
    await monitor.end();
    expect(holds(pty)).toBe(false);
  }, 30_000);

  it("a truncated stream: the first window is kept, the second fails clearly", async () => {
    const { monitor, expected } = await simulator("truncate");
    await monitor.begin();
    expect(relError((await window(monitor)).energyUj, (await expected())[0]!)).toBeLessThan(0.005);
    // the port goes away (or, if its hangup were not noticed, the stream stalls): either way inside a sample word
    await expect(window(monitor)).rejects.toThrow(
      /PPK2('s port .* closed| stopped streaming).*inside a sample word: 2 of 4 bytes.*1 of the window's 2 timestamp edges/,
    );
    await monitor.end();
  }, 30_000);

  it("lost samples: the counter jump is an error naming how many, never integrated over", async () => {
    const { monitor, expected } = await simulator("drop");
    await monitor.begin();
    expect(relError((await window(monitor)).energyUj, (await expected())[0]!)).toBeLessThan(0.005);
    await expect(window(monitor)).rejects.toThrow(
      /the PPK2 lost 37 samples \(0\.37 ms\) after sample \d+: its 6-bit counter went from \d+ to \d+.*1 of the window's 2 timestamp edges/,
    );
    await monitor.end();
  }, 30_000);

  it("a missing timestamp edge: the error says so, earlier windows are kept", async () => {
    const { monitor, expected } = await simulator("missing-edge");
    await monitor.begin();
    expect(relError((await window(monitor)).energyUj, (await expected())[0]!)).toBeLessThan(0.005);
    // edges pair up positionally: the second window runs to the third's opening edge (energy mode rejects it by its
    // length), and the third finds one edge where it needs two
    const second = await window(monitor);
    expect(second.durationUs).toBeGreaterThan((await expected())[1]!.durationS * 1e6 * 1.5);
    await expect(window(monitor, 1500)).rejects.toThrow(
      /only 1 of the window's 2 timestamp edges within 1500 ms: a timestamp edge is missing \(is logic input D2 wired/,
    );
    await monitor.end();
  }, 30_000);
});

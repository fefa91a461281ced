// The Otii driver against a protocol-level simulator of the Otii 3 TCP server (test/fixtures/power/otii-sim.ts) on a
// loopback socket, which records a known current waveform at 4 kS/s and the DUT's timestamp pin on GPI i1 with
// edges between samples: each window's energy must match the waveform's within 0.5%; a server that stops answering,
// a connection dropped mid-recording and a missing timestamp edge each give a clear error, earlier windows kept.
import { execa, type ResultPromise } from "execa";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadBoardFile } from "../harness/boards/load.ts";
import { powerMonitorFor } from "../harness/power/index.ts";
import { OtiiMonitor, otiiSchema, type OtiiOptions } from "../harness/power/otii.ts";
import { fallingEdges, integrateSpans } from "../harness/power/otii-decoder.ts";

const SIM = path.resolve(import.meta.dirname, "fixtures/power/otii-sim.ts");
const TSX = path.resolve(import.meta.dirname, "../node_modules/.bin/tsx");
const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-otii-"));
let sim: ResultPromise | undefined;

interface Truth {
  energyJ: number;
  durationS: number;
}

async function simulator(fault = "", opts: Partial<OtiiOptions> = {}) {
  const id = Math.random().toString(36).slice(2);
  const truth = path.join(dir, `truth-${id}.json`);
  const log = path.join(dir, `log-${id}.txt`);
  sim = execa(TSX, [SIM, "--truth", truth, "--log", log, ...(fault ? ["--fault", fault] : [])], { buffer: false, reject: false });
  const port = await new Promise<number>((resolve, reject) => {
    sim!.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
    sim!.once("exit", () => reject(new Error("the simulator exited before printing its port")));
  });
  const open = () => OtiiMonitor.open({ host: "127.0.0.1", port, voltageV: 3.3, timestampPin: "i1", commandTimeoutMs: 1000, ...opts });
  const expected = () => JSON.parse(readFileSync(truth, "utf8")) as Truth[];
  const commands = () =>
    existsSync(log)
      ? readFileSync(log, "utf8")
          .trim()
          .split("\n")
          .map((l) => l.split(" ")[0])
      : [];
  return { open, expected, commands, port };
}

const window = async (monitor: OtiiMonitor, timeoutMs = 5000) => (await monitor.nextSpans(2, timeoutMs)).spans[0]!;
const relError = (energyUj: number, t: Truth) => Math.abs(energyUj / (t.energyJ * 1e6) - 1);

afterEach(async () => {
  sim?.kill();
  await sim;
});

describe("Otii driver", () => {
  it("decodes as the driver does: falling edges of the GPI channel, energy with the fractions of cut samples", () => {
    const edges: number[] = [];
    const level = fallingEdges(
      [
        { timestamp: 0, value: 0 },
        { timestamp: 0.1, value: true },
        { timestamp: 0.2, value: false },
        { timestamp: 0.3, value: 1 },
        { timestamp: 0.4, value: 0 },
      ],
      undefined,
      edges,
    );
    expect(edges).toEqual([0.2, 0.4]); // the first low is a level, not an edge: nothing was known before it
    expect(level).toBe(false);
    // 1 mA for a 1 ms sample, 3 mA for the next: edges half-way through each (0.5 + 1.5 = 2 uC at 2 V = 4 uJ)
    const mc = { t0: 10, interval: 0.001, first: 0, values: Float32Array.from([0.001, 0.003]) };
    const { spans, trace } = integrateSpans([10.0005, 10.0015], mc, 2, true);
    expect(spans[0]!.energyUj).toBeCloseTo(4, 6);
    expect(spans[0]!.durationUs).toBeCloseTo(1000, 6);
    expect(trace!.edges).toEqual([0, 1]);
  });

  it("validates the board file's section", () => {
    expect(otiiSchema.parse({ driver: "otii", voltageV: 3.3, timestampPin: "i2" })).toMatchObject({ host: "127.0.0.1", port: 1905 });
    const bad = otiiSchema.safeParse({ driver: "otii", voltageV: 7, timestampPin: "rx", port: 0 });
    expect(bad.error!.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["voltageV", "timestampPin", "port"]));
    const { driver, config } = powerMonitorFor(loadBoardFile(path.resolve(import.meta.dirname, "../boards/rpi-pico2.yaml")));
    expect(driver.driver).toBe("otii");
    expect(config).toMatchObject({ host: "127.0.0.1", port: 1905, voltageV: 3.3, timestampPin: "i1" });
  });

  it("measures each window's energy within 0.5% of the waveform's; supply on only while measuring", async () => {
    const { open, expected, commands } = await simulator();
    const monitor = await open();
    expect(monitor.identity).toMatch(
      /^Qoitech Otii Arc "Arc-1432" \(id 1432\) via otii-server 3\.5\.5 at 127\.0\.0\.1:\d+, main 3\.3 V, 4000 S\/s, timestamp i1$/,
    );
    expect(monitor.sampleRateHz).toBe(4000);
    await monitor.begin();
    const truth = expected();
    expect(truth).toHaveLength(3);
    for (const t of truth) {
      const w = await window(monitor);
      console.log(
        `Otii window: ${w.energyUj.toFixed(3)} uJ vs ${(t.energyJ * 1e6).toFixed(3)} uJ true (${(relError(w.energyUj, t) * 100).toFixed(5)}%), ${w.durationUs.toFixed(3)} us vs ${(t.durationS * 1e6).toFixed(3)} us`,
      );
      expect(relError(w.energyUj, t)).toBeLessThan(0.005);
      // edges come with their own timestamps and the samples they cut count in part: rounding to whole samples would
      // be off by 0.1-0.4% here, this is well under
      expect(relError(w.energyUj, t)).toBeLessThan(0.0005);
      expect(w.durationUs).toBeCloseTo(t.durationS * 1e6, 3);
    }
    await monitor.end();
    const sent = commands();
    expect(sent.slice(0, 11)).toEqual([
      "otii_get_devices",
      "arc_add_to_project",
      "arc_get_channel_samplerate",
      "otii_get_active_project",
      "otii_create_project",
      "arc_set_main_voltage",
      "arc_enable_channel",
      "arc_enable_channel",
      "project_start_recording",
      "project_get_last_recording",
      "arc_set_main",
    ]);
    expect(sent.slice(-2)).toEqual(["arc_set_main", "project_stop_recording"]);
  }, 30_000);

  it("keeps a trace of the window's samples on request", async () => {
    const { open, expected } = await simulator();
    const monitor = await open();
    await monitor.begin();
    const { spans, trace } = await monitor.nextSpans(2, 5000, { trace: true });
    expect(trace).toMatchObject({ unit: "A", sampleRateHz: 4000, voltageV: 3.3 });
    expect(trace!.edges[0]).toBe(0);
    expect(trace!.edges[1]).toBeGreaterThan(trace!.samples.length - 2);
    expect(relError(spans[0]!.energyUj, expected()[0]!)).toBeLessThan(0.005);
    await monitor.end();
  }, 30_000);

  it("several edges at once: the spans between consecutive edges (phase-marking firmware)", async () => {
    const { open, expected } = await simulator();
    const monitor = await open();
    await monitor.begin();
    const { spans } = await monitor.nextSpans(4, 5000);
    const truth = expected();
    expect(spans).toHaveLength(3);
    expect(relError(spans[0]!.energyUj, truth[0]!)).toBeLessThan(0.0005);
    expect(relError(spans[2]!.energyUj, truth[1]!)).toBeLessThan(0.0005);
    expect(relError((await window(monitor)).energyUj, truth[2]!)).toBeLessThan(0.0005);
    await monitor.end();
  }, 30_000);

  it("refuses an unknown device, naming the ones there are, and a rate an Arc cannot set", async () => {
    const a = await simulator();
    await expect(OtiiMonitor.open({ host: "127.0.0.1", port: a.port, voltageV: 3.3, timestampPin: "i1", device: { name: "Arc-9999" } })).rejects.toThrow(
      /has no Arc or Ace named "Arc-9999"; it has: Arc-1432 \(Arc, id 1432\)/,
    );
    const b = await simulator();
    await expect(OtiiMonitor.open({ host: "127.0.0.1", port: b.port, voltageV: 3.3, timestampPin: "i1", sampleRateHz: 50_000 })).rejects.toThrow(
      /Otii refused "arc_set_channel_samplerate": Command not valid for device type/,
    );
  }, 30_000);

  it("no server: the address is named", async () => {
    await expect(OtiiMonitor.open({ host: "127.0.0.1", port: 1, voltageV: 3.3, timestampPin: "i1" })).rejects.toThrow(
      /cannot reach the Otii server at 127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
  });

  it("a server that stops answering: the first window is kept, the second names the unanswered command", async () => {
    const { open, expected } = await simulator("mute");
    const monitor = await open();
    await monitor.begin();
    expect(relError((await window(monitor)).energyUj, expected()[0]!)).toBeLessThan(0.005);
    await expect(window(monitor)).rejects.toThrow(
      /the Otii server at 127\.0\.0\.1:\d+ did not answer "recording_get_channel_data_count" within 1000 ms; 0 of the window's 2 timestamp edges had arrived/,
    );
    await monitor.end(); // its own requests time out too; the socket is closed regardless
  }, 30_000);

  it("a connection dropped mid-recording: the first window is kept, the second fails clearly", async () => {
    const { open, expected } = await simulator("drop");
    const monitor = await open();
    await monitor.begin();
    expect(relError((await window(monitor)).energyUj, expected()[0]!)).toBeLessThan(0.005);
    await expect(window(monitor)).rejects.toThrow(
      /the Otii server at 127\.0\.0\.1:\d+ closed the connection( \(ECONNRESET\))?; [01] of the window's 2 timestamp edges had arrived/,
    );
    await monitor.end();
  }, 30_000);

  it("a missing timestamp edge: the error says so, earlier windows are kept", async () => {
    const { open, expected } = await simulator("missing-edge");
    const monitor = await open();
    await monitor.begin();
    expect(relError((await window(monitor)).energyUj, expected()[0]!)).toBeLessThan(0.005);
    const second = await window(monitor); // runs to the third window's opening edge
    expect(second.durationUs).toBeGreaterThan(expected()[1]!.durationS * 1e6 * 1.5);
    await expect(window(monitor, 1500)).rejects.toThrow(
      /only 1 of the window's 2 timestamp edges within 1500 ms: a timestamp edge is missing \(is GPI i1 wired/,
    );
    await monitor.end();
  }, 30_000);
});

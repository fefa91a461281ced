// Fault matrix, device rows: a device that resets, spews an endless line, answers NaN, a results vector of the wrong
// length or a window of zero time, or whose port vanishes, ends the run failed with a message naming what was received,
// and the inferences stored before the fault stay as they were. The device is the protocol-level simulator
// (test/fixtures/pty-device.ts) on a real PTY, reached by a "physical" board file with the manual flasher; the same
// board file text for every case, so the firmware (built but, with the manual flasher, never flashed) builds once.
import Database from "better-sqlite3";
import { execa, type ResultPromise } from "execa";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, ROOT, tinyrig } from "../helpers/cli.ts";

const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-device-faults-"));
const tty = path.join(dir, "ttyDUT");
const boardFile = path.join(dir, "pty-board.yaml");
writeFileSync(
  boardFile,
  readFileSync(path.join(ROOT, "boards/mps2-an386.yaml"), "utf8")
    .replace("name: mps2-an386", "name: pty-board")
    .replace(/console:\n  emulator:\n(    .*\n)+?(?=build:)/, `console:\n  serial: { path: "${tty}" }\nflasher:\n  tool: manual\n`),
);
let device: ResultPromise | undefined;

/** Starts the simulated device and points the board file's console at its PTY. */
async function startDevice(scenario: string, ...options: string[]): Promise<void> {
  device = execa(TSX, [path.join(ROOT, "test/fixtures/pty-device.ts"), scenario, ...options], { stdin: "pipe", buffer: false, reject: false });
  const pty = await new Promise<string>((resolve) => device!.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim())));
  rmSync(tty, { force: true });
  symlinkSync(pty, tty);
}

afterEach(async () => {
  device?.stdin?.end();
  device?.kill();
  await device;
  device = undefined;
});

function stored(db: string) {
  const sql = new Database(db, { readonly: true });
  const runs = sql.prepare("SELECT id, mode, status, error, simulated, console, flasher, dut_model_id FROM run ORDER BY id").all() as {
    id: number;
    mode: string;
    status: string;
    error: string;
    simulated: number;
    console: string;
    flasher: string;
    dut_model_id: string;
  }[];
  const inferences = sql.prepare("SELECT input_index, outputs_json FROM inference ORDER BY input_index").all() as {
    input_index: number;
    outputs_json: string;
  }[];
  sql.close();
  return { runs, inferences };
}

const accuracy = (db: string, extra: string[] = []) =>
  tinyrig(["run", "--board", boardFile, "--workload", "vibration", "--mode", "accuracy", "--limit", "6", "--db", db, "--json", ...extra]);
const vib = ["--model", "vib01", "--outputs", "5"];

describe("device faults mid-run", () => {
  const cases: [string, string[], RegExp, number][] = [
    ["reset", ["--after", "3"], /board reset during "infer 1 0": it printed its boot line m-timestamp-mode-performance again/, 3],
    ["endless", ["--after", "3"], /more than 65536 bytes without a line end while answering "infer 1 0" \(starting "xxxx/, 3],
    ["nan", ["--after", "3"], /result value "nan" is not a finite number in: m-results-\[nan,/, 3],
    ["zero-time", ["--after", "3"], /"infer 1 0" timed 1 inferences at zero: m-lap-us-(\d+) then m-lap-us-\1/, 3],
    ["vanish", ["--after", "3"], /connection closed|port .*closed|device.*(gone|closed)/i, 3],
  ];
  it.each(cases)(
    "%s: the run fails naming what arrived, earlier inferences intact",
    async (scenario, after, message, kept) => {
      await startDevice(scenario, ...vib, ...after);
      const db = path.join(dir, `${scenario}.db`);
      const r = await accuracy(db);
      expect(r.exitCode, r.all).toBe(1);
      const s = stored(db);
      expect(s.runs).toHaveLength(1);
      expect(s.runs[0]).toMatchObject({ mode: "accuracy", status: "failed", flasher: "manual", dut_model_id: "vib01" });
      expect(s.runs[0]!.error).toMatch(message);
      expect(s.inferences.map((i) => i.input_index)).toEqual(Array.from({ length: kept }, (_, i) => i));
      for (const i of s.inferences) expect(JSON.parse(i.outputs_json)).toEqual([0.031, 0.031, 0.031, 0.031, 0.875]);
    },
    180_000,
  );

  it("a results vector of the wrong length is refused, naming the line", async () => {
    await startDevice("well", "--model", "vib01", "--outputs", "2");
    const db = path.join(dir, "length.db");
    const r = await accuracy(db);
    expect(r.exitCode, r.all).toBe(1);
    const s = stored(db);
    expect(s.runs[0]!.error).toMatch(/"infer 1 0" answered m-results-\[0\.125,0\.875,\]: 2 values, the model has 5 outputs/);
    expect(s.inferences).toEqual([]);
  }, 180_000);

  it("a calibrated window that comes out short (inputs faster than the calibration's) is measured again, longer; no stored window is short", async () => {
    // 5 infers calibrate at 250 us an inference (probes of 1, 10, 100, 1000 and 2000); the windows then run at 245 us
    await startDevice("faster", ...vib, "--after", "5");
    const db = path.join(dir, "short-windows.db");
    const r = await tinyrig([
      "run",
      "--board",
      boardFile,
      "--workload",
      "vibration",
      "--mode",
      "performance",
      "--windows",
      "3",
      "--min-window-seconds",
      "1",
      "--db",
      db,
    ]);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toMatch(/window 1\/3 \(\S+\) lasted 0\.990 s, under 1 s: measured again with \d+ iterations \(not stored\)/);
    const sql = new Database(db, { readonly: true });
    const windows = sql.prepare("SELECT idx, iterations, t1_us - t0_us AS span FROM window ORDER BY idx").all() as {
      idx: number;
      iterations: number;
      span: number;
    }[];
    const summary = JSON.parse((sql.prepare("SELECT summary_json FROM run").get() as { summary_json: string }).summary_json) as Record<string, number>;
    sql.close();
    expect(windows.map((w) => w.idx)).toEqual([0, 1, 2]);
    expect(Math.min(...windows.map((w) => w.span))).toBeGreaterThanOrEqual(1e6);
    expect(summary.minWindowUs).toBe(Math.min(...windows.map((w) => w.span)));
  }, 60_000);

  it("firmware answering for another model is refused by name before anything is measured, and the refusal is stored", async () => {
    await startDevice("well", "--model", "kws01", "--outputs", "5");
    const db = path.join(dir, "model.db");
    const r = await tinyrig(["run", "--board", boardFile, "--workload", "vibration", "--limit", "3", "--db", db]);
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stderr).toMatch(/results stored in .*model\.db \(runs \d+, \d+\)/);
    const s = stored(db);
    expect(s.runs.map((x) => [x.mode, x.status])).toEqual([
      ["performance", "failed"],
      ["accuracy", "failed"],
    ]);
    for (const run of s.runs) {
      expect(run.error).toMatch(
        /check the device: the device reports model kws01 \(m-model-\[kws01\]\); vibration needs vib01: other firmware is on the board \(flashed by hand/,
      );
      // the console is named for what it is: a pseudo-terminal held by a program, not a hardware port
      expect(run.console).toMatch(/pseudo-terminal \/dev\/pts\/\d+ held by socat/);
    }
    expect(s.inferences).toEqual([]);
  }, 180_000);

  it("firmware on an emulated board reached through the manual flasher is recorded as emulated, its console named", async () => {
    // `tinyrig flash` keeps an emulated mps2-an386 running on a PTY (MLPerf's runner would drive it there); the
    // "physical" board file reaches it as a plain serial port.
    const flash = execa("node", [BIN, "flash", "--workload", "vibration"], { cwd: ROOT, buffer: false, reject: false });
    try {
      const pty = await new Promise<string>((resolve, reject) => {
        flash.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()));
        flash.then(() => reject(new Error("tinyrig flash ended before it printed its PTY")), reject);
      });
      rmSync(tty, { force: true });
      symlinkSync(pty, tty);
      const db = path.join(dir, "emulated.db");
      const r = await accuracy(db);
      const s = stored(db);
      expect(s.runs).toHaveLength(1);
      expect(s.runs[0]).toMatchObject({ simulated: 1, flasher: "manual" });
      expect(s.runs[0]!.console).toMatch(/^emulator qemu-system-arm \(pid \d+\) on \/dev\/pts\/\d+$/);
      // The image running was built for mps2-an386, not for this board file: firmware that reports its build id is
      // refused as not the one built; firmware that reports none is measured, and recorded as unconfirmed.
      if (r.exitCode === 0) expect(s.inferences).toHaveLength(6);
      else expect(s.runs[0]!.error, r.all).toMatch(/reports firmware build [0-9a-f]{16}; tinyrig built/);
    } finally {
      flash.kill("SIGTERM");
      await flash;
    }
  }, 240_000);

  it("energy the device cannot give does not stop latency and accuracy: noted with the performance run when defaulted, a failed energy run when asked for", async () => {
    // MLPerf-style firmware (no caps, so no timestamp pin on request) on a board with an LPM01A (the simulator)
    const sim = execa(TSX, [path.join(ROOT, "test/fixtures/power/lpm01a-sim.ts"), "--truth", path.join(dir, "truth.json")], { buffer: false, reject: false });
    try {
      const monitorPty = await new Promise<string>((resolve) => sim.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim())));
      const withMonitor = path.join(dir, "energy-board", "pty-board.yaml");
      mkdirSync(path.dirname(withMonitor), { recursive: true });
      writeFileSync(withMonitor, readFileSync(boardFile, "utf8") + `powerMonitor: { driver: lpm01a, serial: { path: "${monitorPty}" }, voltageV: 1.8 }\n`);
      await startDevice("well", ...vib);
      const defaulted = path.join(dir, "energy-defaulted.db");
      const d = await tinyrig(["run", "--board", withMonitor, "--workload", "vibration", "--limit", "4", "--db", defaulted]);
      expect(d.exitCode, d.all).toBe(0);
      const ds = stored(defaulted);
      expect(ds.runs.map((r) => [r.mode, r.status])).toEqual([
        ["performance", "completed"],
        ["accuracy", "completed"],
      ]);
      const sql = new Database(defaulted, { readonly: true });
      const summary = JSON.parse((sql.prepare("SELECT summary_json FROM run WHERE mode = 'performance'").get() as { summary_json: string }).summary_json) as {
        energyNotMeasured?: string;
      };
      sql.close();
      expect(summary.energyNotMeasured).toMatch(/cannot pulse its timestamp pin/);
      // asked for by name: the energy run is stored as failed with the reason, the rest measured, exit 1
      const asked = path.join(dir, "energy-asked.db");
      const a = await tinyrig([
        "run",
        "--board",
        withMonitor,
        "--workload",
        "vibration",
        "--mode",
        "performance",
        "accuracy",
        "energy",
        "--limit",
        "4",
        "--db",
        asked,
      ]);
      expect(a.exitCode, a.all).toBe(1);
      const as = stored(asked);
      expect(as.runs.map((r) => [r.mode, r.status])).toEqual([
        ["performance", "completed"],
        ["accuracy", "completed"],
        ["energy", "failed"],
      ]);
      expect(as.runs[2]!.error).toMatch(/cannot pulse its timestamp pin in performance mode/);
    } finally {
      sim.kill();
      await sim;
    }
  }, 240_000);

  it("a failed build stores a failed run with the error; nothing is said to be stored that was not", async () => {
    const db = path.join(dir, "build.db");
    const r = await tinyrig(["run", "--board", "nucleo-h7a3zi-q", "--workload", "vibration", "--mode", "accuracy", "--db", db]);
    expect(r.exitCode, r.all).toBe(1);
    const s = stored(db);
    expect(s.runs).toMatchObject([{ mode: "accuracy", status: "failed" }]);
    expect(s.runs[0]!.error).toMatch(/^build: .*build\.port needs firmware\/ports\/stm32h7\.c/);
    expect(r.stderr).toContain(`results stored in ${db} (run ${s.runs[0]!.id})`);
  }, 60_000);
});

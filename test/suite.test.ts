// The main job end to end on the default emulated board: real QEMU, real PTY, real SQLite, the real CLI.
import Database from "better-sqlite3";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tinyrig } from "./helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-suite-"));

describe("tinyrig run on mps2-an386 (emulated)", () => {
  it("benchmarks vibration in performance and accuracy modes, stores every window and inference, writes the report", async () => {
    const db = path.join(dir, "a.db");
    const r = await tinyrig(["run", "--workload", "vibration", "--windows", "2", "--min-window-seconds", "0.5", "--limit", "25", "--db", db, "--json"]);
    expect(r.exitCode, r.all).toBe(0);
    const results = JSON.parse(r.stdout) as { mode: string; status: string; accuracy?: { value: number; bitExact: { matched: number; compared: number } } }[];
    expect(results.map((x) => [x.mode, x.status])).toEqual([
      ["performance", "completed"],
      ["accuracy", "completed"],
    ]);
    const acc = results[1]!.accuracy!;
    expect(acc.bitExact).toEqual({ matched: 25, compared: 25 }); // firmware (SMLAD kernels) == host interpreter, bit for bit
    expect(acc.value).toBeGreaterThanOrEqual(0.9);
    const sql = new Database(db, { readonly: true });
    const runs = sql.prepare("SELECT mode, status, simulated FROM run ORDER BY id").all();
    expect(runs).toEqual([
      { mode: "performance", status: "completed", simulated: 1 },
      { mode: "accuracy", status: "completed", simulated: 1 },
    ]);
    const windows = sql.prepare("SELECT iterations, latency_us, t1_us - t0_us AS span FROM window").all() as {
      iterations: number;
      latency_us: number;
      span: number;
    }[];
    expect(windows).toHaveLength(2);
    for (const w of windows) expect(w.span).toBeGreaterThanOrEqual(500_000); // each window lasts the requested device time
    expect((sql.prepare("SELECT COUNT(*) AS n FROM inference WHERE equals_host_reference = 1").get() as { n: number }).n).toBe(25);
    sql.close();
    // that a second run gives the same timer figures (-icount) is test/reproducible.test.ts's, on every emulated board

    const report = await tinyrig(["report", "--db", db, "--out", path.join(dir, "report")]);
    expect(report.exitCode, report.all).toBe(0);
    const html = readFileSync(path.join(dir, "report", "index.html"), "utf8");
    expect(html).toContain('src="latency.svg"');
    expect(html).toContain("emulated");
    const svg = readFileSync(path.join(dir, "report", "latency.svg"), "utf8");
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain("vibration");
    expect(existsSync(path.join(dir, "report", "accuracy.svg"))).toBe(true);
  }, 300_000);

  it("energy mode: modelled energy per inference and per phase from virtual-time pin edges, identical run after run", async () => {
    const energy = async (name: string, extra: string[] = ["--workload", "vibration"]) => {
      const db = path.join(dir, name);
      const r = await tinyrig(["run", "--mode", "energy", "--windows", "3", "--min-window-seconds", "1", "--db", db, "--json", ...extra]);
      expect(r.exitCode, r.all).toBe(0);
      const sql = new Database(db, { readonly: true });
      const rows = sql
        .prepare(
          "SELECT w.name AS workload, iterations, energy_uj, energy_per_inference_uj, energy_kind, monitor, phases_json, t1_us - t0_us AS span FROM window JOIN run r ON r.id = window.run_id JOIN workload w ON w.id = r.workload_id ORDER BY w.name, idx",
        )
        .all() as {
        workload: string;
        energy_uj: number;
        energy_kind: string;
        monitor: string;
        iterations: number;
        energy_per_inference_uj: number;
        phases_json: string | null;
        span: number;
      }[];
      const run = sql
        .prepare("SELECT modelled, simulated, summary_json, settings_json FROM run r JOIN workload w ON w.id = r.workload_id WHERE w.name = 'vibration'")
        .get() as { modelled: number; simulated: number; summary_json: string; settings_json: string };
      sql.close();
      return {
        rows,
        run,
        summary: JSON.parse(run.summary_json) as {
          medianEnergyPerInferenceUj: number;
          medianLatencyUs: number;
          latencyFrom: string;
          phasesUj?: Record<string, number>;
        },
      };
    };
    // every reference workload on the default board, twice; all includes the streaming workload (its short stream here:
    // the long one takes about a minute, tinyrig run --workload streaming-wake-word)
    const a = await energy("e1.db", ["--workload", "all", "--stream", "short"]);
    const b = await energy("e2.db", ["--workload", "all", "--stream", "short"]);
    expect(new Set(a.rows.map((r) => r.workload))).toEqual(new Set(["anomaly-detection", "person-detection", "vibration", "wake-word"]));
    for (const name of ["e1.db", "e2.db"]) {
      const sql = new Database(path.join(dir, name), { readonly: true });
      const streams = sql
        .prepare("SELECT s.stream, s.true_positives + s.false_negatives AS windows, r.status FROM stream_result s JOIN run r ON r.id = s.run_id")
        .all();
      sql.close();
      expect(streams).toEqual([{ stream: "short", windows: 6, status: "completed" }]);
    }
    expect(a.rows).toHaveLength(12); // 1-s windows each hold 1 or 2 SysTick wraps (every 0.67 s) unless the firmware aligns its timer
    for (const w of a.rows) {
      expect(w.energy_kind).toBe("modelled");
      expect(w.monitor).toMatch(/^modelled: mps2-an386 power model/);
      expect(w.energy_uj).toBeGreaterThan(0);
    }
    expect(a.run).toMatchObject({ modelled: 1, simulated: 1 });
    // reproducible to the microjoule (and beyond), phases included: the firmware restarts its timer before pre-processing,
    // so no SysTick wrap lands in a phase in one run and not the other (the wait for the bytes before it varies)
    expect(b.rows).toEqual(a.rows);
    // measured in the same windows as latency: the device timer times them, the pin edges give the energy
    expect(a.summary.latencyFrom).toBe("device timer");
    expect(JSON.parse(a.run.settings_json)).toMatchObject({ energyFlow: "direct" });
    // energy = V x I x time: the power model's 40.5 mW over the window's virtual duration (edges vs timer: < 0.01%)
    expect(Math.abs(a.summary.medianEnergyPerInferenceUj / (1.8 * 0.0225 * a.summary.medianLatencyUs) - 1)).toBeLessThan(1e-4);
    // phases: the input load is modelled from the bytes on the wire at 115200 baud (db load + dbraw header + 768 raw
    // bytes = 799 bytes of 10 bits), pre- and post-processing from their pin edges
    const phases = a.summary.phasesUj!;
    expect(Object.keys(phases).sort()).toEqual(["inference", "load", "post", "pre"]);
    expect(phases.load).toBeCloseTo(1.8 * 0.0225 * ((799 * 10) / 115200) * 1e6, 6);
    expect(phases.pre).toBeGreaterThan(0);
    expect(phases.post).toBeGreaterThan(0);
    expect(phases.inference).toBe(a.summary.medianEnergyPerInferenceUj);
    for (const w of a.rows) expect(Object.keys(JSON.parse(w.phases_json!)).sort()).toEqual(["inference", "load", "post", "pre"]);

    // MLPerf's set-up: energy-mode firmware that prints no timestamps; the pin edges time the window as well
    const m = await energy("e3.db", ["--workload", "vibration", "--energy-flow", "mlperf"]);
    expect(m.summary.latencyFrom).toBe("monitor edges");
    expect(JSON.parse(m.run.settings_json)).toMatchObject({ energyFlow: "mlperf" });
    expect(Math.abs(m.summary.medianEnergyPerInferenceUj / a.summary.medianEnergyPerInferenceUj - 1)).toBeLessThan(1e-3);
  }, 300_000);
});

// How long the leaderboard site takes to build for a large result database, and how big its index page is, printed:
//   npx tsx bench/site.ts [--db FILE] [--keep]
// Fills a fresh SQLite database through the store's own API (startRun, window, inference, finishRun): 10,000 runs
// (10 boards x 5 targets x 50 campaigns x performance, partial performance, accuracy, energy) and 1,000,000 stored
// inferences (400 per accuracy run), then builds the site from it as `tinyrig publish` does (database opened
// read-only). Goal (issue 13): under 10 s to build, index page under 1 MB. The figures depend on the machine and
// its load: the bench prints the load average beside them. --db reuses a database an earlier --keep left.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { findBoard } from "../harness/boards/load.ts";
import type { FirmwareImage } from "../harness/build/firmware.ts";
import type { BoardConnection } from "../harness/run/connect.ts";
import type { SuiteWorkload } from "../harness/run/suite.ts";
import { writeSite } from "../harness/site/publish.ts";
import { ResultStore } from "../harness/store/store.ts";

const { values } = parseArgs({ options: { db: { type: "string" }, keep: { type: "boolean", default: false } } });
const work = mkdtempSync(path.join(tmpdir(), "tinyrig-bench-site-"));
const db = values.db ?? path.join(work, "bench.db");

const BOARDS = [
  "mps2-an386",
  "mps2-an500",
  "mps2-an505",
  "mps3-an547",
  "riscv32-virt",
  "sifive-e",
  "nucleo-l4r5zi",
  "nucleo-h7a3zi-q",
  "nrf5340-dk",
  "rpi-pico2",
];
const TARGETS: { workload: string; variant: string | null; latencyUs: number }[] = [
  { workload: "wake-word", variant: null, latencyUs: 61_000 },
  { workload: "person-detection", variant: null, latencyUs: 180_000 },
  { workload: "anomaly-detection", variant: null, latencyUs: 4_800 },
  { workload: "vibration", variant: null, latencyUs: 21_000 },
  { workload: "vibration", variant: "forest", latencyUs: 3_400 },
];
const CAMPAIGNS = 50;
const INFERENCES_PER_ACCURACY_RUN = 400;

function fill(file: string): void {
  const store = ResultStore.open(file);
  const firmware = {
    sha256: "ab".repeat(32),
    bytes: 180_000,
    sizes: { flash: 180_000, ram: 96_000 },
    toolchain: "arm-none-eabi-gcc 12.2",
    kernels: "dsp",
    timestampMode: "performance",
    config: {},
  } as unknown as FirmwareImage;
  const connection = { identity: { name: "tinyrig", profile: "tinyrig", caps: { arenaUsed: 21_000, arenaSize: 32_768 } } } as unknown as BoardConnection;
  let runs = 0;
  let inferences = 0;
  for (let c = 0; c < CAMPAIGNS; c++) {
    store.campaign = `nightly-${String(c + 1).padStart(3, "0")}`;
    // one transaction per campaign: the store's statements as a run makes them, committed in batches
    store.db.transaction(() => {
      for (const [bi, name] of BOARDS.entries()) {
        const board = findBoard(name);
        const speed = 1 + bi * 0.37;
        for (const t of TARGETS) {
          const workload = {
            id: t.workload,
            variant: t.variant ?? undefined,
            manifestSha256: "c".repeat(64),
            modelSha256: (t.variant ? "f" : "d").repeat(64),
            modelBytes: t.variant ? 12_000 : 50_000,
            macs: 2_000_000,
            dataset: { sha256: "e".repeat(64), source: "committed", inputs: new Array(INFERENCES_PER_ACCURACY_RUN) },
          } as unknown as SuiteWorkload;
          const latency = t.latencyUs * speed * (1 + 0.01 * Math.sin(c));
          for (const windows of [5, 2]) {
            const id = store.startRun({ mode: "performance", board, workload, firmware, connection, settings: {}, simulated: false });
            for (let w = 0; w < windows; w++)
              store.window(id, {
                index: w,
                inputIndex: w,
                iterations: Math.ceil(10e6 / latency),
                warmup: 10,
                t0Us: 0,
                t1Us: 10.5e6,
                latencyUs: latency + w,
                throughput: 1e6 / latency,
              });
            store.finishRun(id, {
              windows,
              iterations: Math.ceil(10e6 / latency),
              medianLatencyUs: latency,
              minLatencyUs: latency - 1,
              maxLatencyUs: latency + windows,
            });
            runs++;
          }
          const acc = store.startRun({ mode: "accuracy", board, workload, firmware, connection, settings: {}, simulated: false });
          for (let i = 0; i < INFERENCES_PER_ACCURACY_RUN; i++) {
            store.inference(acc, {
              inputIndex: i,
              file: `input_${i}.bin`,
              label: i % 12,
              outputs: [i % 12],
              score: 1,
              predicted: i % 12,
              equalsHostReference: i % 97 !== 0,
              latencyUs: latency + (i % 7),
            });
          }
          inferences += INFERENCES_PER_ACCURACY_RUN;
          store.finishRun(acc, { metric: "top1", value: 0.85 + 0.001 * bi, count: INFERENCES_PER_ACCURACY_RUN });
          const energy = store.startRun({
            mode: "energy",
            board,
            workload,
            firmware,
            connection,
            settings: {},
            simulated: false,
            modelled: board.kind === "emulated",
          });
          store.finishRun(energy, {
            windows: 5,
            iterations: Math.ceil(10e6 / latency),
            medianLatencyUs: latency,
            minLatencyUs: latency,
            medianEnergyPerInferenceUj: latency * 0.04,
          });
          runs += 2;
        }
      }
    })();
  }
  store.close();
  console.log(`filled ${file}: ${runs} runs, ${inferences} inferences`);
}

if (!values.db || !existsSync(db)) {
  const t0 = performance.now();
  fill(db);
  console.log(`fill (store API): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const out = path.join(work, "site");
const t0 = performance.now();
const store = ResultStore.open(db, { readOnly: true });
let summary: Awaited<ReturnType<typeof writeSite>>;
try {
  summary = await writeSite({ store, outDir: out });
} finally {
  store.close();
}
const seconds = (performance.now() - t0) / 1000;
const indexBytes = statSync(summary.index).size;
const files = [...readdirSync(out), ...readdirSync(path.join(out, "charts")).map((f) => path.join("charts", f))];
const total = files.reduce((n, f) => n + statSync(path.join(out, f)).size, 0);
const largest = files
  .filter((f) => f.endsWith(".html"))
  .map((f) => [f, statSync(path.join(out, f)).size] as const)
  .sort((a, b) => b[1] - a[1])[0]!;
console.log(`site build: ${seconds.toFixed(2)} s (goal < 10 s); ${summary.pages} pages, ${summary.charts} charts`);
console.log(
  `index.html: ${(indexBytes / 1024).toFixed(1)} KiB (goal < 1 MB); whole site ${(total / 1024 / 1024).toFixed(1)} MiB; largest page ${largest[0]} ${(largest[1] / 1024).toFixed(0)} KiB`,
);
console.log(
  `load average (1, 5, 15 min): ${loadavg()
    .map((l) => l.toFixed(2))
    .join(", ")}`,
);
if (values.keep) console.log(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });

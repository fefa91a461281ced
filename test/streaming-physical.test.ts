// sww01 on a physical board, MLPerf's way, through `tinyrig run`: the board file names an enhanced interface board
// (here the protocol-level simulator, test/fixtures/streaming/interface-board-sim.ts, on a real PTY) with an sww01 DUT
// behind it. tinyrig writes the stream as the board plays it (two channels), refuses to play before it is on the SD
// card (naming the file to copy), then plays it, scores the DUT's detections exactly as the emulated stream's and
// stores the run with every detection, marked as reached through a simulated device (a PTY held by a program).
import Database from "better-sqlite3";
import { execa, type ResultPromise } from "execa";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { scoreDetections } from "../harness/streaming/scoring.ts";
import { readTruth } from "../harness/streaming/wav.ts";
import { ROOT, tinyrig } from "./helpers/cli.ts";

const SIM = path.join(ROOT, "test/fixtures/streaming/interface-board-sim.ts");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-sww-physical-"));
const sd = path.join(dir, "sd");
const truth = readTruth(path.join(ROOT, "workloads/streaming-wake-word/data/short.json"))[0]!;
const DETECTION_HOPS = [275, 276, 277, 590, 1000, 1001, 1500];
let sim: ResultPromise | undefined;
let boardFile: string;
const env = { TINYRIG_BUILD_DIR: path.join(dir, "build"), TINYRIG_LOCK_DIR: path.join(dir, "locks") };

beforeAll(async () => {
  mkdirSync(sd);
  writeFileSync(path.join(dir, "dut.json"), JSON.stringify({ detectionHops: DETECTION_HOPS }));
  sim = execa(TSX, [SIM, "--sd", sd, "--dut", path.join(dir, "dut.json"), "--processing-us", "6100"], { buffer: false, reject: false });
  const pty = await new Promise<string>((resolve) => sim!.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim())));
  boardFile = path.join(dir, "bench-l4r5.yaml");
  writeFileSync(
    boardFile,
    readFileSync(path.join(ROOT, "boards/nucleo-l4r5zi.yaml"), "utf8")
      .replace("name: nucleo-l4r5zi", "name: bench-l4r5")
      .replace(/flasher: \{[^}]*\}/, "flasher: { tool: manual, note: MLPerf's sww01 reference firmware }")
      .replace(/powerMonitor: .*\n/, "")
      .replace(/notes: >[\s\S]*$/, `interfaceBoard: { kind: stm32h573i-dk, serial: { path: "${pty}" } }\n`),
  );
}, 30_000);
afterAll(async () => {
  sim?.kill();
  await sim?.catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

it("refuses to play a stream the SD card lacks, naming the file to copy; plays it once copied, scored and stored", async () => {
  const db = path.join(dir, "sww.db");
  // the DUT runs its owner's firmware: the run names the model it was built from (here a copy of the workload's own)
  const model = path.join(dir, "dut-model.tflite");
  copyFileSync(path.join(ROOT, "workloads/streaming-wake-word/model.tflite"), model);
  const noModel = await tinyrig(["run", "--board", boardFile, "--workload", "streaming-wake-word", "--stream", "short", "--db", db], { env });
  expect(noModel.exitCode, noModel.all).toBe(2);
  expect(noModel.all).toMatch(/cannot play a stream \(its DUT runs its own sww01 firmware: name the \.tflite that firmware runs with --model/);
  const args = ["run", "--board", boardFile, "--workload", "streaming-wake-word", "--stream", "short", "--model", model, "--db", db];
  const missing = await tinyrig(args, { env });
  expect(missing.exitCode, missing.all).toBe(1);
  const copy = /the interface board's SD card has no (\S+\.wav): copy (\S+) \(stream short, both channels\)/.exec(missing.all)!;
  expect(copy, missing.all).not.toBeNull();
  copyFileSync(copy[2]!, path.join(sd, copy[1]!));

  const r = await tinyrig(args, { env });
  expect(r.exitCode, r.all).toBe(0);
  const want = scoreDetections(
    DETECTION_HOPS.map((h) => h * 0.032),
    truth.detection_windows,
    truth.length_sec,
  );
  expect(r.stdout).toContain(`TP ${want.truePositives} FN ${want.falseNegatives} FP ${want.falsePositives} of ${truth.detection_windows.length}`);
  const sql = new Database(db, { readonly: true });
  const runs = sql.prepare("SELECT id, status, simulated, modelled, console, firmware_provenance, settings_json FROM run ORDER BY id").all() as Record<
    string,
    unknown
  >[];
  expect(runs.map((x) => x.status)).toEqual(["completed"]); // the refusal came before the stream started: nothing stored
  const run = runs[0]!;
  expect(run).toMatchObject({ simulated: 1, modelled: 0 });
  expect(String(run.console)).toMatch(/pseudo-terminal \/dev\/pts\/\d+ held by/);
  expect(String(run.firmware_provenance)).toMatch(/unconfirmed: the DUT's own sww01 firmware/);
  expect(JSON.parse(String(run.settings_json))).toMatchObject({
    stream: "short",
    cardFile: copy[1],
    kind: "stream",
    userModel: { file: model, declared: "by the user, not read off the DUT" },
  });
  const stream = sql
    .prepare("SELECT true_positives, false_negatives, false_positives, duty_cycle, time_base FROM stream_result WHERE run_id = ?")
    .get(run.id) as Record<string, number | string>;
  expect(stream).toMatchObject({ true_positives: want.truePositives, false_negatives: want.falseNegatives, false_positives: want.falsePositives });
  expect(stream.duty_cycle as number).toBeCloseTo(610 / 3200, 9); // the simulated DUT's 6.1 ms of every 32 ms frame
  expect(String(stream.time_base)).toMatch(/interface board's timer .* first 100 frames/);
  const detections = sql.prepare("SELECT hop, time_s FROM stream_detection WHERE run_id = ? ORDER BY idx").all(run.id) as {
    hop: number | null;
    time_s: number;
  }[];
  expect(detections.map((d) => d.hop)).toEqual(detections.map(() => null)); // the board reports times, not hops
  expect(detections.map((d) => Math.round(d.time_s * 1000))).toEqual(DETECTION_HOPS.map((h) => h * 32));
  sql.close();
}, 120_000);

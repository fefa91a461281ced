// Workloads outside tinyrig (issue 14): a workload folder found through TINYRIG_WORKLOADS whose manifest has no quality
// fields (no host-measured quality, no target, no recipe) loads, lists and runs, and its run stores no quality verdict;
// a workload without a test set of its own asks for --dataset. `tinyrig workloads import-mlperf` turns a checkout of
// MLPerf Tiny into workload folders: the fake checkout here has MLPerf's relative paths holding tinyrig's own committed
// models and data as stand-ins (nothing of MLPerf's is in this repository), with ic01's model missing.
import Database from "better-sqlite3";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { createHash } from "node:crypto";
import { ROOT, tinyrig } from "./helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-workload-folders-"));
const folders = path.join(dir, "workloads");
const env = { TINYRIG_WORKLOADS: folders, TINYRIG_LOCK_DIR: path.join(dir, "locks") };

/** tinyrig's vibration workload copied as `id`, its manifest edited by `edit`. */
function userWorkload(id: string, edit: (doc: ReturnType<typeof parseDocument>) => void): string {
  const to = path.join(folders, id);
  mkdirSync(to, { recursive: true });
  cpSync(path.join(ROOT, "workloads/vibration/model.tflite"), path.join(to, "model.tflite"));
  cpSync(path.join(ROOT, "workloads/vibration/data"), path.join(to, "data"), { recursive: true });
  const doc = parseDocument(readFileSync(path.join(ROOT, "workloads/vibration/manifest.yaml"), "utf8"));
  doc.set("id", id);
  for (const key of ["quality", "recipe", "variants"]) doc.delete(key);
  doc.deleteIn(["metric", "target"]);
  edit(doc);
  writeFileSync(path.join(to, "manifest.yaml"), doc.toString());
  return to;
}

describe("a user's workload folder", () => {
  it("without quality fields: loads, lists, runs, and its run stores no quality verdict", async () => {
    userWorkload("my-vibration", () => {});
    const list = await tinyrig(["workloads", "list"], { env });
    expect(list.exitCode, list.all).toBe(0);
    expect(list.stdout).toMatch(/my-vibration +vib01 .* quality not measured \(no target\) +300 test inputs/);
    // the same folder named on the command line instead (before or after the command), which wins over the environment
    for (const args of [
      ["--workloads", folders, "workloads", "list"],
      ["workloads", "list", `--workloads=${folders}`],
    ]) {
      const byOption = await tinyrig(args, { env: { TINYRIG_WORKLOADS: path.join(dir, "nothing-here") } });
      expect(byOption.exitCode, byOption.all).toBe(0);
      expect(byOption.stdout).toMatch(/my-vibration +vib01/);
    }
    const config = await tinyrig(["config", "--workloads", folders]);
    expect(config.stdout).toMatch(new RegExp(`workloads +${folders.replaceAll("\\", "\\\\")} +option --workloads`));
    const db = path.join(dir, "run.db");
    const r = await tinyrig(["run", "--workload", "my-vibration", "--mode", "accuracy", "--limit", "3", "--db", db, "--json"], { env });
    expect(r.exitCode, r.all).toBe(0);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ workload: "my-vibration", status: "completed", accuracy: { count: 3 } });
    const sql = new Database(db, { readonly: true });
    const { summary_json } = sql.prepare("SELECT summary_json FROM run").get() as { summary_json: string };
    sql.close();
    const summary = JSON.parse(summary_json) as Record<string, unknown>;
    expect(summary).toMatchObject({ metric: "top1", count: 3 });
    expect(summary).not.toHaveProperty("target");
  }, 180_000);

  it("a streaming workload in a user's folder is listed, and so is in a run of all, beside tinyrig's", async () => {
    const to = path.join(folders, "my-stream");
    mkdirSync(to, { recursive: true });
    const src = path.join(ROOT, "workloads/streaming-wake-word");
    cpSync(path.join(src, "model.tflite"), path.join(to, "model.tflite"));
    cpSync(path.join(src, "data"), path.join(to, "data"), { recursive: true });
    const doc = parseDocument(readFileSync(path.join(src, "streaming.yaml"), "utf8"));
    doc.set("id", "my-stream");
    writeFileSync(path.join(to, "streaming.yaml"), doc.toString());
    const list = await tinyrig(["workloads", "list"], { env });
    expect(list.exitCode, list.all).toBe(0);
    expect(list.stdout).toMatch(/^my-stream +sww01 .* stream: /m);
    expect(list.stdout).toMatch(/^streaming-wake-word +sww01 .* stream: /m);
  });

  it("without a test set of its own: named, with --dataset DIR as the way to give one", async () => {
    userWorkload("no-data", (doc) => {
      for (const key of ["dir", "count", "sha256", "seed"]) doc.deleteIn(["dataset", key]);
      doc.setIn(["dataset", "source"], "inputs from elsewhere");
    });
    const r = await tinyrig(["run", "--workload", "no-data", "--mode", "accuracy", "--db", path.join(dir, "no-data.db")], { env });
    expect(r.exitCode, r.all).not.toBe(0);
    expect(r.stderr).toMatch(/no-data[/\\]manifest\.yaml: workload no-data has no test set of its own \(inputs from elsewhere\): give one with --dataset DIR/);
    expect(r.all).not.toMatch(/make -C/);
  }, 60_000);
});

/** A checkout of MLPerf Tiny as far as import-mlperf reads it, with tinyrig's models and data standing in. */
function fakeCheckout(): string {
  const root = path.join(dir, "tiny");
  const put = (from: string, to: string) => {
    mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
    copyFileSync(path.join(ROOT, from), path.join(root, to));
  };
  put("workloads/wake-word/model.tflite", "benchmark/training/keyword_spotting/trained_models/kws_ref_model.tflite");
  put("workloads/person-detection/model.tflite", "benchmark/training/visual_wake_words/trained_models/vww_96_int8.tflite");
  put("workloads/anomaly-detection/model.tflite", "benchmark/training/anomaly_detection/trained_models/ad01_int8.tflite");
  // datasets: kws01 and ad01 with their files copied beside y_labels.csv (MLPerf's instructions), vww01 without them
  const rows = (id: string, n: number) =>
    readFileSync(path.join(ROOT, `workloads/${id}/data/y_labels.csv`), "utf8")
      .trim()
      .split("\n")
      .slice(0, n);
  const dataset = (from: string, to: string, n: number, withFiles: boolean) => {
    const dest = path.join(root, "benchmark/evaluation/datasets", to);
    mkdirSync(dest, { recursive: true });
    const r = rows(from, n);
    writeFileSync(path.join(dest, "y_labels.csv"), `${r.map((l) => l.replaceAll(",", ", ")).join("\n")}\n`); // some copies space the commas
    if (withFiles) for (const l of r) copyFileSync(path.join(ROOT, `workloads/${from}/data`, l.split(",")[0]!), path.join(dest, l.split(",")[0]!));
  };
  // sww01: the streaming model, and its scored stream (tinyrig's short stream in the long one's place) with its truth
  put("workloads/streaming-wake-word/model.tflite", "benchmark/training/streaming_wakeword/trained_models/str_ww_ref_model.tflite");
  put("workloads/streaming-wake-word/data/short.wav", "benchmark/runner/sww_data_dir/long_wav.wav");
  const truth = JSON.parse(readFileSync(path.join(ROOT, "workloads/streaming-wake-word/data/short.json"), "utf8")) as { wav_file: string }[];
  truth[0]!.wav_file = "long_wav.wav";
  writeFileSync(path.join(root, "benchmark/runner/sww_data_dir/sww_long_test.json"), JSON.stringify(truth));
  dataset("wake-word", "kws01", 6, true);
  dataset("anomaly-detection", "ad01", 4, true);
  dataset("person-detection", "vww01", 3, false);
  return root;
}

describe("tinyrig workloads import-mlperf", () => {
  const checkout = fakeCheckout();
  const imported = path.join(dir, "mlperf-workloads");
  const envImported = { TINYRIG_WORKLOADS: imported, TINYRIG_LOCK_DIR: path.join(dir, "locks") };

  it("imports each model the checkout holds, with its test set where the files are there; names what it cannot", async () => {
    const r = await tinyrig(["workloads", "import-mlperf", checkout, "--out", imported]);
    expect(r.exitCode, r.all).toBe(1); // ic01's model is missing
    expect(r.stdout).toMatch(/kws01 +imported +.*mlperf-workloads[/\\]kws01 +\(6 test inputs from benchmark\/evaluation\/datasets\/kws01\)/);
    expect(r.stdout).toMatch(/ad01 +imported .*\(4 test inputs/);
    expect(r.stdout).toMatch(/vww01 +imported .*\(MLPerf Tiny's inputs are not redistributed: 0 of the 3 files/);
    expect(r.stderr).toMatch(
      /ic01 +failed: model not found: .*benchmark[/\\]training[/\\]image_classification[/\\]trained_models[/\\]pretrainedResnet_quant\.tflite/,
    );
    expect(r.stdout).toMatch(/sww01 +imported .*\(streams long from benchmark\/runner\/sww_data_dir\)/);
    const sww = readFileSync(path.join(imported, "sww01/streaming.yaml"), "utf8");
    expect(sww).toMatch(/detect:\n {4}class: 0\n {4}aboveInt8: 115/);
    expect(sww).toMatch(
      /streams:\n {2}long:\n {4}file: data\/long_wav\.wav\n {4}truth: data\/sww_long_test\.json\n {4}sha256: [0-9a-f]{64}\n {4}seconds: 60\n {4}wakeWords: 6/,
    );
    expect(r.stderr).toMatch(/TINYRIG_WORKLOADS=/);

    const list = await tinyrig(["workloads", "list"], { env: envImported });
    expect(list.stdout).toMatch(/kws01 +kws01 .*quality not measured \(target 0\.9\) +6 test inputs/);
    expect(list.stdout).toMatch(/vww01 +vww01 .*no test set of its own/);
    const kws = readFileSync(path.join(imported, "kws01/manifest.yaml"), "utf8");
    expect(kws).toMatch(/input:\n {2}shape:\n {4}- 1\n {4}- 49\n {4}- 10\n {4}- 1\n {2}dtype: int8\n {2}bytes: 490\n {2}transform: int8/);
    expect(readFileSync(path.join(imported, "ad01/manifest.yaml"), "utf8")).toMatch(
      /transform: (float32-quantize|raw)[\s\S]*window:\n {4}bytes: 2560\n {4}stride: 512/,
    );
    expect(readFileSync(path.join(imported, "vww01/manifest.yaml"), "utf8")).toMatch(/transform: uint8-minus-128/);
  }, 60_000);

  it("tinyrig run --workload kws01 benchmarks the imported model with one command", async () => {
    const db = path.join(dir, "kws01.db");
    const r = await tinyrig(["run", "--workload", "kws01", "--mode", "accuracy", "--db", db, "--json"], { env: envImported });
    expect(r.exitCode, r.all).toBe(0);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ workload: "kws01", status: "completed", accuracy: { count: 6, bitExact: { matched: 6, compared: 6 } } });
    const sql = new Database(db, { readonly: true });
    const row = sql.prepare("SELECT r.dut_model_id, r.summary_json, w.model_sha256 FROM run r JOIN workload w ON w.id = r.workload_id").get() as Record<
      string,
      string
    >;
    sql.close();
    expect(row.dut_model_id).toBe("kws01");
    expect(row.model_sha256).toBe(
      createHash("sha256")
        .update(readFileSync(path.join(ROOT, "workloads/wake-word/model.tflite")))
        .digest("hex"),
    );
    expect(JSON.parse(row.summary_json!)).toMatchObject({ target: { metric: "top1", value: 0.9 } }); // MLPerf's own target
    // sww01 is found as a streaming workload in the user's folder (a stream cannot be resumed: refused before any work)
    const stream = await tinyrig(["run", "--workload", "sww01", "--resume", "1", "--db", db], { env: envImported });
    expect(stream.exitCode, stream.all).toBe(2);
    expect(stream.stderr).toMatch(/--resume: streaming runs \(sww01\) cannot be resumed/);
    const noData = await tinyrig(["run", "--workload", "vww01", "--mode", "accuracy", "--db", db], { env: envImported });
    expect(noData.exitCode).not.toBe(0);
    expect(noData.stderr).toMatch(/workload vww01 has no test set of its own \(MLPerf Tiny's inputs are not redistributed: .*\): give one with --dataset DIR/);
  }, 180_000);

  it("--workloads DIR reaches each board's worker: several boards run the imported workload", async () => {
    const db = path.join(dir, "boards.db");
    const r = await tinyrig(
      ["--workloads", imported, "run", "--board", "mps2-an386", "mps2-an500", "--workload", "kws01", "--mode", "accuracy", "--limit", "2", "--db", db],
      { env: { TINYRIG_LOCK_DIR: path.join(dir, "locks") } },
    );
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toMatch(/mps2-an386 +completed .*1 of 1 measurements completed/);
    expect(r.stdout).toMatch(/mps2-an500 +completed .*1 of 1 measurements completed/);
  }, 180_000);

  it("never overwrites a workload folder without --force, and refuses what is not a checkout or no folder to write to", async () => {
    const marker = path.join(imported, "kws01", "mine.txt");
    writeFileSync(marker, "kept");
    const again = await tinyrig(["workloads", "import-mlperf", checkout, "--out", imported]);
    expect(again.exitCode, again.all).toBe(2);
    expect(again.stderr).toMatch(/kws01, .*sww01: already there; --force replaces them/);
    expect(readFileSync(marker, "utf8")).toBe("kept");
    const forced = await tinyrig(["workloads", "import-mlperf", checkout, "--out", imported, "--only", "kws01", "--force"]);
    expect(forced.exitCode, forced.all).toBe(0);
    expect(existsSync(marker)).toBe(false);

    const notCheckout = await tinyrig(["workloads", "import-mlperf", dir, "--out", path.join(dir, "elsewhere")]);
    expect(notCheckout.exitCode, notCheckout.all).toBe(2);
    expect(notCheckout.stderr).toMatch(/not a checkout of MLPerf Tiny .*it has no benchmark\/training\/ or benchmark\/evaluation\/datasets\//);
    const noOut = await tinyrig(["workloads", "import-mlperf", checkout]);
    expect(noOut.exitCode, noOut.all).toBe(2);
    expect(noOut.stderr).toMatch(/name the folder the workloads go in: --out DIR/);
    const ours = await tinyrig(["workloads", "import-mlperf", checkout, "--out", path.join(ROOT, "workloads")]);
    expect(ours.exitCode, ours.all).toBe(2);
    expect(ours.stderr).toMatch(/inside tinyrig's own files/);
    expect(existsSync(path.join(dir, "elsewhere"))).toBe(false);
  }, 60_000);
});

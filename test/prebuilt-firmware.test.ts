// `tinyrig run --firmware ELF` (issue 14): a prebuilt image that speaks MLPerf Tiny's protocol only runs as given on
// the emulated board, over MLPerf's 31-byte db lines, and the run stores the ELF's sha256 as what ran. The image here
// is tinyrig's own firmware built MLPerf-only (`tinyrig build --protocol mlperf`: tinyrig's commands are unknown to it
// and its command buffer is MLPerf's 80 characters, so a host that used anything but MLPerf's protocol would fail).
// Bad input is refused before any work, and a resumed run refuses another image.
import Database from "better-sqlite3";
import { execa } from "execa";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, tinyrig } from "./helpers/cli.ts";
import { loadTflite } from "../harness/tflite/model.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-prebuilt-"));
const elf = path.join(dir, "mlperf-vib01.elf");
const stripped = path.join(dir, "stripped.elf");
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** tinyrig's firmware for the vibration model, MLPerf-only (`--protocol mlperf`), copied to `file`. */
async function buildMlperfOnly(file: string, extra: string[] = []): Promise<void> {
  const model = path.join(ROOT, "workloads/vibration/model.tflite");
  const r = await tinyrig(["build", "--board", "mps2-an386", "--model", model, "--model-id", "vib01", "--protocol", "mlperf", ...extra]);
  expect(r.exitCode, r.all).toBe(0);
  copyFileSync(r.stdout.split("\n")[0]!.trim(), file);
}

beforeAll(async () => {
  await buildMlperfOnly(elf);
  await execa("arm-none-eabi-strip", ["-o", stripped, elf]);
  writeFileSync(path.join(dir, "object.c"), "int x;\n");
  await execa("arm-none-eabi-gcc", ["-c", path.join(dir, "object.c"), "-o", path.join(dir, "object.o")]);
}, 300_000);

describe("--firmware: a prebuilt image on an emulated board", () => {
  it("refuses, before any work, a missing file, a file that is not an ELF, an ELF for another CPU, energy it cannot model", async () => {
    const text = path.join(dir, "firmware.txt");
    writeFileSync(text, "not firmware\n");
    const riscv = path.join(dir, "riscv.elf");
    const bytes = readFileSync(elf);
    bytes.writeUInt16LE(243, 18); // e_machine: RISC-V
    writeFileSync(riscv, bytes);
    const db = path.join(dir, "refused.db");
    const cases: [string[], RegExp][] = [
      [["--firmware", path.join(dir, "missing.elf"), "--workload", "vibration"], /--firmware: .*missing\.elf: cannot read the firmware: ENOENT/],
      [["--firmware", text, "--workload", "vibration"], /firmware\.txt: not an ELF file/],
      [["--firmware", riscv, "--workload", "vibration"], /riscv\.elf: an ELF for RISC-V \(e_machine 243\); mps2-an386 is an Arm board/],
      [["--firmware", path.join(dir, "object.o"), "--workload", "vibration"], /object\.o: a relocatable object \(not linked\), not a linked executable image/],
      [
        ["--firmware", stripped, "--workload", "vibration", "--mode", "energy"],
        /stripped\.elf has no tr_idle_start or tr_idle_end symbol .* so its energy cannot be modelled: leave out --mode energy/,
      ],
      [["--firmware", elf], /the image holds one model; name its workload/],
      [["--firmware", elf, "--workload", "vibration", "--board", "nucleo-l4r5zi"], /nucleo-l4r5zi is a physical board/],
      [
        ["--firmware", elf, "--workload", "vibration", "--energy-flow", "mlperf"],
        /--energy-flow mlperf: the image must be MLPerf's energy-mode build .* add --mode energy alone/,
      ],
      [["--firmware", elf, "--workload", "vibration", "--mode", "performance", "energy", "--energy-flow", "mlperf"], /add --mode energy alone/],
    ];
    for (const [extra, message] of cases) {
      const r = await tinyrig(["run", ...extra, "--db", db], { env: { TINYRIG_LOCK_DIR: path.join(dir, "locks") } });
      expect(r.exitCode, r.all).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.all).not.toMatch(/make -C|starting qemu/);
    }
    expect(existsSync(db)).toBe(false);
  }, 120_000);

  it("runs an MLPerf-only image over MLPerf's db lines and timestamps, stored as the ELF's sha256, a user's prebuilt image", async () => {
    const db = path.join(dir, "run.db");
    const r = await tinyrig(
      [
        "run",
        "--firmware",
        elf,
        "--workload",
        "vibration",
        "--mode",
        "performance",
        "accuracy",
        "--windows",
        "2",
        "--iterations",
        "20",
        "--limit",
        "5",
        "--trace",
        "--json",
        "--db",
        db,
      ],
      { env: { TINYRIG_LOCK_DIR: path.join(dir, "locks") } },
    );
    expect(r.exitCode, r.all).toBe(0);
    const results = JSON.parse(r.stdout) as { mode: string; status: string; accuracy?: { count: number; bitExact: { compared: number } } }[];
    expect(results.map((x) => [x.mode, x.status])).toEqual([
      ["performance", "completed"],
      ["accuracy", "completed"],
    ]);
    // no outraw: no bit-exact check; the printed values agree with the host reference's to their last digit
    expect(results[1]!.accuracy).toMatchObject({ count: 5, bitExact: { compared: 0 }, printedAgreement: { matched: 5, compared: 5 } });
    // nothing built; the device answered as MLPerf firmware; the input went as MLPerf's hex lines of at most 31 bytes
    expect(r.stderr).not.toMatch(/make -C/);
    expect(r.stderr).toMatch(/MLPerf Tiny firmware: 31-byte db lines/);
    expect(r.stderr).toMatch(/< e-\[Unknown command: caps\]/);
    const dbLines = [...r.stderr.matchAll(/> db ([0-9a-f]+)%/g)].map((m) => m[1]!.length / 2);
    expect(dbLines.length).toBeGreaterThan(0);
    expect(Math.max(...dbLines)).toBe(31);
    expect(r.stderr).not.toMatch(/> dbraw/);

    const sql = new Database(db, { readonly: true });
    const runs = sql
      .prepare(
        "SELECT r.mode, r.settings_json, r.summary_json, r.dut_model_id, r.arena_used_bytes, r.firmware_provenance, f.sha256, f.bytes, f.toolchain, f.kernels, f.config_json FROM run r JOIN firmware f ON f.id = r.firmware_id ORDER BY r.id",
      )
      .all() as Record<string, string | number | null>[];
    sql.close();
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      expect(run).toMatchObject({
        sha256: sha256(elf),
        bytes: readFileSync(elf).length,
        dut_model_id: "vib01",
        arena_used_bytes: null,
        kernels: "unknown (prebuilt image)",
      });
      expect(run.toolchain).toMatch(/^prebuilt: GCC: /);
      expect(JSON.parse(run.config_json as string)).toMatchObject({ PREBUILT: elf, ELF_MACHINE: "Arm" });
      expect(JSON.parse(run.settings_json as string)).toMatchObject({
        firmwareFile: elf,
        firmware: expect.stringMatching(/^prebuilt: a user's image, run as given/),
      });
      expect(run.firmware_provenance).toMatch(new RegExp(`^prebuilt image ${elf} \\(sha256 ${sha256(elf).slice(0, 12)}\\), run as given`));
    }
    expect(JSON.parse(runs[0]!.summary_json as string).medianLatencyUs).toBeGreaterThan(0);
  }, 300_000);

  it("with --model: the image's model id is not the user model's, so its printed outputs are compared with the model's on the host: they agree, and a changed model does not", async () => {
    const data = path.join(dir, "data");
    mkdirSync(data);
    const rows = readFileSync(path.join(ROOT, "workloads/vibration/data/y_labels.csv"), "utf8").trim().split("\n").slice(0, 4);
    for (const row of rows) copyFileSync(path.join(ROOT, "workloads/vibration/data", row.split(",")[0]!), path.join(data, row.split(",")[0]!));
    writeFileSync(path.join(data, "y_labels.csv"), `${rows.join("\n")}\n`);
    const model = path.join(ROOT, "workloads/vibration/model.tflite");
    const db = path.join(dir, "model.db");
    const r = await tinyrig(["run", "--firmware", elf, "--model", model, "--dataset", data, "--mode", "accuracy", "--json", "--db", db], {
      env: { TINYRIG_LOCK_DIR: path.join(dir, "locks") },
    });
    expect(r.exitCode, r.all).toBe(0);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({
      workload: "model",
      status: "completed",
      accuracy: { count: 4, bitExact: { compared: 0 }, printedAgreement: { matched: 4, compared: 4 } },
    });
    expect(r.stderr).toMatch(/the device says model vib01: tinyrig cannot check that the prebuilt image runs model\.tflite/);
    expect(r.stderr).not.toMatch(/make -C/);

    // the same model with its largest weight tensor negated: the same input and output shapes, another model. The image
    // still runs vib01, and its printed outputs say so
    const bytes = new Uint8Array(readFileSync(model));
    const weights = loadTflite(bytes).tensors.reduce((a, t) => ((t.data?.length ?? 0) > (a.data?.length ?? 0) ? t : a));
    const other = path.join(dir, "other.tflite");
    const changed = bytes.slice();
    for (let i = 0; i < weights.data!.length; i++) changed[weights.data!.byteOffset + i] = -((weights.data![i]! << 24) >> 24) & 0xff;
    writeFileSync(other, changed);
    const o = await tinyrig(["run", "--firmware", elf, "--model", other, "--dataset", data, "--mode", "accuracy", "--json", "--db", db], {
      env: { TINYRIG_LOCK_DIR: path.join(dir, "locks") },
    });
    expect(o.exitCode, o.all).toBe(0);
    const accuracy = JSON.parse(o.stdout)[0].accuracy as { printedAgreement: { matched: number; compared: number } };
    expect(accuracy.printedAgreement.compared).toBe(4);
    expect(accuracy.printedAgreement.matched).toBeLessThan(4);
    expect(o.stderr).toMatch(/printed outputs differ from the host reference's beyond their last digit: /);
  }, 180_000);

  it("energy asked of an image that cannot pulse its pin on request: latency measured, the energy run stored failed, saying why", async () => {
    const db = path.join(dir, "energy.db");
    const r = await tinyrig(
      ["run", "--firmware", elf, "--workload", "vibration", "--mode", "performance", "energy", "--windows", "1", "--iterations", "20", "--json", "--db", db],
      { env: { TINYRIG_LOCK_DIR: path.join(dir, "locks") } },
    );
    expect(r.exitCode, r.all).toBe(1);
    const results = JSON.parse(r.stdout) as { mode: string; status: string; error?: string }[];
    expect(results.map((x) => [x.mode, x.status])).toEqual([
      ["performance", "completed"],
      ["energy", "failed"],
    ]);
    expect(results[1]!.error).toMatch(
      /\(prebuilt image mlperf-vib01\.elf\) cannot pulse its timestamp pin in performance mode \(no pins in its caps: it speaks MLPerf's protocol only\), so its energy cannot be modelled/,
    );
    expect(results[1]!.error).toMatch(/MLPerf's energy-mode build of it can be: --firmware ENERGY-ELF --mode energy --energy-flow mlperf/);
  }, 180_000);

  it("MLPerf's energy flow on an energy-mode image (its pin pulses, no m-lap-us lines); an image in the other mode is refused, at bring-up or on its first infer", async () => {
    const energyElf = path.join(dir, "mlperf-vib01-energy.elf");
    await buildMlperfOnly(energyElf, ["--energy"]);
    const env = { env: { TINYRIG_LOCK_DIR: path.join(dir, "locks") } };
    const flow = ["--workload", "vibration", "--windows", "1", "--iterations", "20", "--json"];
    const db = path.join(dir, "energy-flow.db");
    const r = await tinyrig(["run", "--firmware", energyElf, ...flow, "--mode", "energy", "--energy-flow", "mlperf", "--db", db], env);
    expect(r.exitCode, r.all).toBe(0);
    const [result] = JSON.parse(r.stdout) as { mode: string; status: string; energy?: { medianEnergyPerInferenceUj: number; energyKind: string } }[];
    expect(result).toMatchObject({ mode: "energy", status: "completed", energy: { energyKind: "modelled" } });
    expect(result!.energy!.medianEnergyPerInferenceUj).toBeGreaterThan(0);
    expect(r.stderr).not.toMatch(/make -C/);
    expect(readdirSync(dir).filter((f) => f.startsWith("pin-"))).toEqual([]); // the pin log is not left beside the image

    const wrongMode = await tinyrig(["run", "--firmware", elf, ...flow, "--mode", "energy", "--energy-flow", "mlperf", "--db", db], env);
    expect(wrongMode.exitCode, wrongMode.all).toBe(1);
    expect(JSON.parse(wrongMode.stdout)[0].error).toMatch(/performance mode \(m-timestamp-mode-performance\): .* give it MLPerf's energy-mode build/);
    const noTimestamps = await tinyrig(["run", "--firmware", energyElf, ...flow, "--mode", "performance", "--db", db], env);
    expect(noTimestamps.exitCode, noTimestamps.all).toBe(1);
    // refused at bring-up where the boot line was read, else by the first infer's reply (a PTY opened after boot
    // misses the boot line): either way named as energy mode, with the flow that measures it
    expect(JSON.parse(noTimestamps.stdout)[0].error).toMatch(/energy mode \(m-timestamp-mode-energy.*--mode energy --energy-flow mlperf/);
  }, 300_000);

  it("a resumed run refuses another image, named or in the stored file's place, and resumes with the same one", async () => {
    const db = path.join(dir, "run.db");
    const sql = new Database(db);
    const { id } = sql.prepare("SELECT id FROM run WHERE mode = 'accuracy'").get() as { id: number };
    sql.prepare("UPDATE run SET status = 'interrupted' WHERE id = ?").run(id); // as a killed run leaves it
    sql.close();
    const env = { env: { TINYRIG_LOCK_DIR: path.join(dir, "locks") } };
    const named = await tinyrig(["run", "--resume", String(id), "--firmware", stripped, "--db", db], env);
    expect(named.exitCode, named.all).toBe(2);
    expect(named.stderr).toMatch(
      new RegExp(`stripped\\.elf is ${sha256(stripped).slice(0, 12)}, another image: a resumed run needs the image it started with`),
    );
    const original = readFileSync(elf);
    copyFileSync(stripped, elf);
    const replaced = await tinyrig(["run", "--resume", String(id), "--db", db], env);
    writeFileSync(elf, original);
    expect(replaced.exitCode, replaced.all).toBe(2);
    expect(replaced.stderr).toMatch(/another image: a resumed run needs the image it started with/);
    const same = await tinyrig(["run", "--resume", String(id), "--db", db, "--json"], env);
    expect(same.exitCode, same.all).toBe(0);
    expect(same.stderr).not.toMatch(/make -C/);
    expect(JSON.parse(same.stdout)[0]).toMatchObject({ mode: "accuracy", runId: id, status: "completed" });
  }, 180_000);
});

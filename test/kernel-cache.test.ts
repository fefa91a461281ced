// Kernel objects are shared between builds (firmware/Makefile's KERNEL_CACHE): the kernels read neither the model
// nor the build's config header, so builds of other models with the same kernel sources, compiler and flags link the
// same objects.
// Shared objects must give the very image a private build gives, when two builds fill the cache at once too, and other
// flags must never pick up these objects.
import { execa } from "execa";
import { cpSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findBoard } from "../harness/boards/load.ts";
import { buildFirmware, FIRMWARE_DIR } from "../harness/build/firmware.ts";
import { ROOT } from "./helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-kernel-cache-"));
const cache = path.join(dir, "cache");
const model = (name: string) => path.join(ROOT, "workloads", name, "model.tflite");

/** A standalone build of the worked mps2-an386 example (firmware/examples), with or without the shared cache. */
async function make(buildDir: string, modelPath: string, extra: string[] = [], firmwareDir = FIRMWARE_DIR) {
  const r = await execa(
    "make",
    [
      "-C",
      firmwareDir,
      "-j2",
      `BUILD_DIR=${path.join(dir, buildDir)}`,
      "CONFIG_MK=examples/mps2-an386/board.mk",
      "TR_CONFIG_DIR=examples/mps2-an386",
      `MODEL=${modelPath}`,
      ...extra,
    ],
    { all: true, reject: false },
  );
  expect(r.exitCode, r.all).toBe(0);
  return r;
}
const image = (buildDir: string) => readFileSync(path.join(dir, buildDir, "firmware.bin"));
const compiledKernels = (output: string) => output.split("\n").filter((l) => / -c kernels\/\S+\.c /.test(l)).length;

describe("shared kernel objects", () => {
  it("two builds filling the cache at once, and a third reading it, give the images of private builds", async () => {
    const cached = ["KERNEL_CACHE=" + cache];
    const [vib, kws] = await Promise.all([make("vib", model("vibration"), cached), make("kws", model("wake-word"), cached)]);
    expect(compiledKernels(vib.all) + compiledKernels(kws.all)).toBeGreaterThan(0);
    const ad = await make("ad", model("anomaly-detection"), cached);
    expect(compiledKernels(ad.all), ad.all).toBe(0); // every kernel object came from the cache
    const keys = readdirSync(cache).filter((d) => !d.startsWith("host-"));
    expect(keys).toHaveLength(1);
    expect(readdirSync(path.join(cache, keys[0]!, "kernels")).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    await Promise.all([make("vib-private", model("vibration")), make("kws-private", model("wake-word"))]);
    await make("ad-private", model("anomaly-detection"));
    expect(image("vib").equals(image("vib-private"))).toBe(true);
    expect(image("kws").equals(image("kws-private"))).toBe(true);
    expect(image("ad").equals(image("ad-private"))).toBe(true);
  }, 180_000);

  it("other flags build their own kernel objects, in a folder of their own", async () => {
    const r = await make("vib-single", model("vibration"), ["KERNEL_CACHE=" + cache, "ROUNDING=single"]);
    expect(compiledKernels(r.all)).toBeGreaterThan(40);
    expect(readdirSync(cache).filter((d) => !d.startsWith("host-")).length).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it("another checkout shares the objects while its kernels are the same bytes, and not once one differs, however old", async () => {
    await make("vib-this-checkout", model("vibration"), ["KERNEL_CACHE=" + cache]);
    const keys = () => readdirSync(cache).filter((d) => !d.startsWith("host-")).length;
    const before = keys();
    const same = path.join(dir, "same-checkout", "firmware");
    cpSync(FIRMWARE_DIR, same, { recursive: true, preserveTimestamps: true, filter: (src) => path.basename(src) !== "build" });
    const shared = await make("vib-same-checkout", model("vibration"), ["KERNEL_CACHE=" + cache], same);
    expect(compiledKernels(shared.all), shared.all).toBe(0);
    expect(keys()).toBe(before);

    // one kernel changed, its time set before every cached object's: make alone would take the cached object as current
    const other = path.join(dir, "other-checkout", "firmware");
    cpSync(FIRMWARE_DIR, other, { recursive: true, preserveTimestamps: true, filter: (src) => path.basename(src) !== "build" });
    const changed = path.join(other, "kernels", "abs.c");
    writeFileSync(changed, `${readFileSync(changed, "utf8")}/* another checkout's change */\n`);
    utimesSync(changed, new Date(2000, 0, 1), new Date(2000, 0, 1));
    const r = await make("vib-other-checkout", model("vibration"), ["KERNEL_CACHE=" + cache], other);
    expect(compiledKernels(r.all)).toBeGreaterThan(40);
    expect(keys()).toBe(before + 1);
  }, 180_000);

  it("the harness builds with the cache under its build folder", async () => {
    const lines: string[] = [];
    await buildFirmware(
      {
        board: findBoard("mps2-an386"),
        modelId: "vib01",
        modelPath: model("vibration"),
        inputBytes: 768,
        transform: "int8",
        timestampMode: "performance",
        buildRoot: path.join(dir, "harness"),
      },
      (l) => lines.push(l),
    );
    expect(lines.join("\n")).toMatch(/KERNEL_CACHE=\S+\/kernel-objects\b/);
  }, 180_000);
});

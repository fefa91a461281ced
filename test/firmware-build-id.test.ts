// The firmware build id (issue 10, defect 10): the harness hashes what goes into a build, writes it into tr_config.h,
// and the firmware reports it in its caps line, which parseCaps reads. The emulated board's answer is checked in
// test/firmware-infer-repeat.test.ts (every workload's image reports the id it was built with).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findBoard } from "../harness/boards/load.ts";
import { configHeader, firmwareBuildId, firmwareSources, type FirmwareSpec } from "../harness/build/firmware.ts";
import { parseCaps } from "../harness/protocol/session.ts";

const model = path.resolve(import.meta.dirname, "../workloads/vibration/model.tflite");
const spec: FirmwareSpec = {
  board: findBoard("mps2-an386"),
  modelId: "vib01",
  modelPath: model,
  inputBytes: 768,
  transform: "int8",
  timestampMode: "performance",
};

describe("firmware build id", () => {
  it("is 16 hex digits, the same for the same inputs, and written into tr_config.h", () => {
    const id = firmwareBuildId(spec);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(firmwareBuildId({ ...spec })).toBe(id);
    expect(configHeader(spec, id)).toContain(`#define TR_BUILD_ID "${id}"`);
  });

  it("changes with the model's bytes, the generated configuration and the board", () => {
    const id = firmwareBuildId(spec);
    const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-buildid-"));
    const changed = path.join(dir, "model.tflite");
    const bytes = readFileSync(model);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(changed, bytes);
    expect(firmwareBuildId({ ...spec, modelPath: changed })).not.toBe(id);
    expect(firmwareBuildId({ ...spec, timestampMode: "energy" })).not.toBe(id);
    expect(firmwareBuildId({ ...spec, kernels: "ref" })).not.toBe(id);
    expect(firmwareBuildId({ ...spec, inputBytes: 769 })).not.toBe(id);
    expect(firmwareBuildId({ ...spec, board: findBoard("mps2-an500") })).not.toBe(id);
  });

  it("covers the sources the board's build compiles", () => {
    const files = firmwareSources(spec);
    expect(files).toEqual(
      expect.arrayContaining([
        "Makefile",
        "core/dut.c",
        "runtime/model.c",
        "kernels/conv_s8_dsp.c",
        "ports/cmsdk.c",
        "ports/startup_arm.c",
        "ports/systick.c",
        "ports/arm.ld.in",
      ]),
    );
    expect(files.filter((f) => f.startsWith("ports/") && f.endsWith(".c"))).toEqual(["ports/cmsdk.c", "ports/startup_arm.c", "ports/systick.c"]);
  });

  it("parseCaps reads build= and refuses a malformed one, naming it", () => {
    const line = "m-caps-[proto=1,line-max=1024,db-max=509,out-raw=1,raw-max=1024,pins=1,build=0123456789abcdef]";
    expect(parseCaps(line).buildId).toBe("0123456789abcdef");
    expect(parseCaps("m-caps-[proto=1,line-max=1024,pins=1]").buildId).toBeUndefined();
    expect(() => parseCaps(line.replace("0123456789abcdef", "0123xyz"))).toThrow(/caps field build=0123xyz is not a build id/);
  });
});

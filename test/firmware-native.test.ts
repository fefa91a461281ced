// The firmware's portable C (protocol, .tflite reader, fixed-point arithmetic, kernels) built natively with gcc,
// AddressSanitizer and UBSan, and run: `make -C firmware test`.
import { execa } from "execa";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";

it("native firmware tests pass", async () => {
  const build = mkdtempSync(path.join(tmpdir(), "tinyrig-fwtest-"));
  const r = await execa("make", ["-s", "-C", path.resolve(import.meta.dirname, "../firmware"), "test", `BUILD_DIR=${build}`], { all: true, reject: false });
  expect(r.exitCode, r.all).toBe(0);
  expect(r.all).toMatch(/\d+ checks, 0 failures/);
}, 180_000);

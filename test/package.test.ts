// tinyrig as an npm user gets it: `npm pack`'s tarball installed into a fresh global prefix and run from an empty
// folder. The suite must build, run and report there, writing its database, builds and report in that folder and
// nothing inside the installed package; the tarball must hold what a run needs and no tests.
import { execa } from "execa";
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.ts";

const work = mkdtempSync(path.join(tmpdir(), "tinyrig-package-"));
const prefix = path.join(work, "prefix");
const user = path.join(work, "empty folder"); // a space in the path, as users' folders have
let tarball = "";
let installed = "";
let files: string[] = [];

/** Every file under a folder, relative to it. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p, base) : [path.relative(base, p)];
  });
}

beforeAll(async () => {
  const packed = await execa("npm", ["pack", "--json", "--pack-destination", work], { cwd: ROOT });
  const info = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(work, info[0]!.filename);
  files = info[0]!.files.map((f) => f.path);
  mkdirSync(user);
  await execa("npm", ["install", "--global", "--prefix", prefix, "--prefer-offline", "--no-audit", "--no-fund", tarball], { cwd: user });
  installed = path.join(prefix, "lib", "node_modules", "tinyrig");
}, 600_000);

const bin = () => path.join(prefix, "bin", "tinyrig");

describe("the npm package", () => {
  it("holds the built code, firmware sources, boards, workloads and docs, and no tests or sources of the harness", () => {
    expect(files).toContain("bin/tinyrig.js");
    expect(files).toContain("dist/harness/main.js");
    expect(files).toContain("dist/harness/store/store.d.ts");
    expect(files).toContain("firmware/Makefile");
    expect(files).toContain("boards/mps2-an386.yaml");
    expect(files).toContain("workloads/vibration/model.tflite");
    expect(files).toContain("workloads/vibration/data/y_labels.csv");
    expect(files).toContain("harness/emulator/qemu-pin-plugin.c");
    expect(files).toContain("LICENSE");
    expect(files).toContain("CHANGELOG.md");
    expect(files.filter((f) => f.startsWith("test/") || f.endsWith(".test.ts") || f.startsWith(".ci/") || f.startsWith(".github/"))).toEqual([]);
    expect(files.filter((f) => f.startsWith("harness/") && f.endsWith(".ts"))).toEqual([]);
    expect(files.filter((f) => /^(build|results|reports|firmware\/build|workloads\/[^/]+\/build)\//.test(f))).toEqual([]);
  });

  it("answers --version with the package's version, without tsx", async () => {
    const r = await execa(bin(), ["--version"], { cwd: user });
    expect(r.stdout.trim()).toBe((await import("../package.json", { with: { type: "json" } })).default.version);
    expect(existsSync(path.join(installed, "node_modules", "tsx"))).toBe(false);
  });

  it("runs the suite from an empty folder, writing everything there and nothing into the package", async () => {
    const before = walk(installed)
      .filter((f) => !f.startsWith("node_modules/"))
      .sort();
    const r = await execa(bin(), ["suite", "--workload", "vibration", "--windows", "1", "--min-window-seconds", "0.5", "--limit", "10"], {
      cwd: user,
      all: true,
      reject: false,
      env: { FORCE_COLOR: "0" },
    });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toMatch(/vibration\s+performance\s+\d+\s+completed/);
    expect(r.all).toMatch(/vibration\s+accuracy\s+\d+\s+completed/);
    expect(existsSync(path.join(user, "results", "tinyrig.db"))).toBe(true);
    expect(existsSync(path.join(user, "reports", "index.html"))).toBe(true);
    expect(readdirSync(path.join(user, "build", "firmware"))).toContain("mps2-an386");
    const after = walk(installed)
      .filter((f) => !f.startsWith("node_modules/"))
      .sort();
    expect(after).toEqual(before);
  }, 600_000);
});

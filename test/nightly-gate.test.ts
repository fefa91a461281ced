// A nightly end to end, on real emulated boards: two "hosts" (two databases, two host ids) each measure a board and
// export a bundle; a merge imports them, records the baseline and gates the next night against it. That night host A
// builds with the reference kernels (a real latency regression: the same model, slower code) and host B's board file
// names an emulator that cannot start (an infrastructure failure). The gate must say 1 for the first, 3 for the
// second, and the JUnit it writes (parsed back) must name the testcase and why.
import { XMLParser } from "fast-xml-parser";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, tinyrig } from "./helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-nightly-"));
const at = (name: string) => path.join(dir, name);
const HOST_A = { TINYRIG_HOST_ID: "host-a" };
const HOST_B = { TINYRIG_HOST_ID: "host-b" };
/** Small runs: 2 windows of 0.2 s of device time, 6 accuracy inputs (partial runs: the gate compares them with --allow-partial). */
const SMALL = ["--workload", "vibration", "--windows", "2", "--min-window-seconds", "0.2", "--limit", "6"];
const merged = at("merged.db");
let noEmulator = "";
/** A cap for tests that start the CLI a few times (seconds each on a loaded machine), not a speed goal. */
const CLI_TIMEOUT = 180_000;

/** A board file derived from a shipped one, in a folder of its own (its file name is its board name). */
function boardVariant(board: string, folder: string, from: string, to: string): string {
  const text = readFileSync(path.join(ROOT, "boards", `${board}.yaml`), "utf8");
  expect(text).toContain(from);
  mkdirSync(at(folder), { recursive: true });
  const file = path.join(at(folder), `${board}.yaml`);
  writeFileSync(file, text.replace(from, to));
  return file;
}

interface TestCase {
  "@_name": string;
  "@_classname": string;
  failure?: { "@_message": string; "@_type": string };
  error?: { "@_message": string; "@_type": string };
  skipped?: unknown;
}
interface Suite {
  "@_name": string;
  "@_failures": string;
  "@_errors": string;
  testcase: TestCase[];
}

function junitSuites(file: string): Suite[] {
  const xml = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === "testsuite" || name === "testcase" }).parse(readFileSync(file, "utf8")) as {
    testsuites: { testsuite: Suite[] };
  };
  return xml.testsuites.testsuite;
}

const testcase = (suites: Suite[], board: string, name: string) => suites.find((s) => s["@_name"] === board)?.testcase.find((t) => t["@_name"] === name);

describe("nightly: two hosts, bundles, a merge and the gate", () => {
  beforeAll(async () => {
    const refKernels = boardVariant("mps2-an386", "ref-kernels", "  kernels: dsp", "  kernels: ref");
    noEmulator = boardVariant("mps2-an505", "no-emulator", "binary: qemu-system-arm", "binary: qemu-system-absent");
    // night 0: the baseline, measured on both hosts
    const a0 = await tinyrig(["run", ...SMALL, "--campaign", "night-0", "--db", at("host-a.db"), "--bundle", at("a0.tgz")], { env: HOST_A });
    expect(a0.exitCode, a0.all).toBe(0);
    const b0 = await tinyrig(["run", "--board", "mps2-an505", ...SMALL, "--campaign", "night-0", "--db", at("host-b.db"), "--bundle", at("b0.tgz")], {
      env: HOST_B,
    });
    expect(b0.exitCode, b0.all).toBe(0);
    // night 1: host A's build is slower; host B's board cannot start. Each host's job writes its JUnit and its bundle.
    const a1 = await tinyrig(
      ["run", "--board", refKernels, ...SMALL, "--campaign", "night-1", "--db", at("host-a.db"), "--bundle", at("a1.tgz"), "--junit", at("a1.xml")],
      { env: HOST_A },
    );
    expect(a1.exitCode, a1.all).toBe(0); // measured fine: whether it regressed is the merge's to say
    const b1 = await tinyrig(
      ["run", "--board", noEmulator, ...SMALL, "--campaign", "night-1", "--db", at("host-b.db"), "--bundle", at("b1.tgz"), "--junit", at("b1.xml")],
      { env: HOST_B },
    );
    expect(b1.exitCode, b1.all).toBe(1);
    const imported = await tinyrig(["results", "import", at("a0.tgz"), at("b0.tgz"), at("a1.tgz"), at("b1.tgz"), "--db", merged]);
    expect(imported.exitCode, imported.all).toBe(0);
    const set = await tinyrig(["baseline", "set", "night-0", "--allow-partial", "--db", merged]);
    expect(set.exitCode, set.all).toBe(0);
    expect(set.stdout.split("\n").filter((l) => l.startsWith("baseline "))).toHaveLength(4); // 2 boards x (performance, accuracy)
  }, 900_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "each host's own JUnit: the completed runs pass, the board that could not start is an error",
    () => {
      const a = junitSuites(at("a1.xml"));
      const measured = a.flatMap((s) => s.testcase);
      expect(measured.length).toBeGreaterThanOrEqual(2);
      expect(measured.every((t) => !t.failure && !t.error && t.skipped === undefined)).toBe(true);
      const b = junitSuites(at("b1.xml"));
      const errors = b.flatMap((s) => s.testcase).filter((t) => t.error);
      expect(errors.length).toBeGreaterThanOrEqual(2);
      expect(errors[0]!.error).toMatchObject({ "@_type": "infrastructure", "@_message": expect.stringMatching(/flash and connect/) });
    },
    CLI_TIMEOUT,
  );

  it(
    "doctor --board, a CI job's first step: the board the job is for, ready (0) or not (1, naming what is missing)",
    async () => {
      const ready = await tinyrig(["doctor", "--board", "mps2-an386"]);
      expect(ready.exitCode, ready.all).toBe(0);
      expect(ready.stdout).toMatch(/✓ mps2-an386 +emulated +ready/);
      expect(ready.stdout).not.toMatch(/mps2-an505/);
      const broken = await tinyrig(["doctor", "--board", noEmulator]);
      expect(broken.exitCode, broken.all).toBe(1);
      expect(broken.stdout).toMatch(/missing qemu-system-absent/);
      // a physical board that is not attached (none is, here): ready is what the job needs, so 1
      const absent = await tinyrig(["doctor", "--board", "nucleo-l4r5zi"]);
      expect(absent.exitCode, absent.all).toBe(1);
      expect(absent.stdout).toMatch(/console: no serial port with usb 0483:374b \(not plugged in\?\)/);
    },
    CLI_TIMEOUT,
  );

  it(
    "host A's slower build is a regression (exit 1): the latency testcase fails with its instruction delta; accuracy still passes",
    async () => {
      const r = await tinyrig(["compare", "--candidate", "night-1", "--board", "mps2-an386", "--allow-partial", "--db", merged, "--junit", at("a.xml")]);
      expect(r.exitCode, r.all).toBe(1);
      const suites = junitSuites(at("a.xml"));
      expect(suites.map((s) => s["@_name"])).toEqual(["mps2-an386"]);
      const latency = testcase(suites, "mps2-an386", "vibration performance latency");
      expect(latency?.failure).toMatchObject({
        "@_type": "regression",
        "@_message": expect.stringMatching(/^\+[\d,.]+ instructions\/inference, \+[\d,.]+ us\/inference \(\+\d+\.\d\d%\) in virtual time/),
      });
      expect(latency?.error).toBeUndefined();
      for (const metric of ["accuracy", "bit-exact"]) {
        const t = testcase(suites, "mps2-an386", `vibration accuracy ${metric}`);
        expect(t, metric).toBeDefined();
        expect(t?.failure ?? t?.error, metric).toBeUndefined();
      }
    },
    CLI_TIMEOUT,
  );

  it(
    "host B's board that cannot start is an infrastructure failure (exit 3): errors, not failures",
    async () => {
      const r = await tinyrig(["compare", "--candidate", "night-1", "--board", "mps2-an505", "--allow-partial", "--db", merged, "--junit", at("b.xml")]);
      expect(r.exitCode, r.all).toBe(3);
      const suites = junitSuites(at("b.xml"));
      const latency = testcase(suites, "mps2-an505", "vibration performance latency");
      expect(latency?.failure).toBeUndefined();
      expect(latency?.error).toMatchObject({ "@_type": "infrastructure", "@_message": expect.stringMatching(/^candidate run failed: flash and connect/) });
      expect(suites[0]!["@_failures"]).toBe("0");
    },
    CLI_TIMEOUT,
  );

  it(
    "the whole night: the regression decides the exit (1), the broken board still shows as errors; the Markdown summary says both",
    async () => {
      const r = await tinyrig([
        "compare",
        "--candidate",
        "night-1",
        "--allow-partial",
        "--db",
        merged,
        "--junit",
        at("all.xml"),
        "--markdown",
        at("summary.md"),
      ]);
      expect(r.exitCode, r.all).toBe(1);
      const suites = junitSuites(at("all.xml"));
      expect(Object.fromEntries(suites.map((s) => [s["@_name"], [s["@_failures"], Number(s["@_errors"]) > 0]]))).toEqual({
        "mps2-an386": ["2", false],
        "mps2-an505": ["0", true],
      });
      const md = readFileSync(at("summary.md"), "utf8");
      expect(md).toMatch(/\*\*REGRESSION\*\*/);
      expect(md).toMatch(/\*\*INFRASTRUCTURE\*\*/);
    },
    CLI_TIMEOUT,
  );

  it(
    "a host whose job never reported: its board's cells are infrastructure (no candidate run), not a pass",
    async () => {
      const r = await tinyrig(["compare", "--candidate", at("a1.tgz"), "--board", "mps2-an505", "--allow-partial", "--db", merged]);
      expect(r.exitCode, r.all).toBe(3);
      expect(r.stdout).toMatch(/INFRASTRUCTURE +no candidate run in .*a1\.tgz \(board unreachable/);
    },
    CLI_TIMEOUT,
  );

  it("run --gate over two boards at once against the merged baselines: the same builds again pass (exit 0), deterministic to the virtual nanosecond", async () => {
    const r = await tinyrig(
      [
        "run",
        "--board",
        "mps2-an386",
        "mps2-an505",
        ...SMALL,
        "--campaign",
        "night-2",
        "--db",
        at("host-c.db"),
        "--gate",
        merged,
        "--allow-partial",
        "--junit",
        at("gate.xml"),
      ],
      { env: { TINYRIG_HOST_ID: "host-c" } },
    );
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout.match(/ latency .* pass +unchanged in virtual time/g)).toHaveLength(2);
    const suites = junitSuites(at("gate.xml"));
    expect(suites.map((s) => s["@_name"]).sort()).toEqual(["mps2-an386", "mps2-an505"]);
    expect(suites.every((s) => s.testcase.length >= 5 && s["@_failures"] === "0" && s["@_errors"] === "0")).toBe(true);
  }, 300_000);

  it(
    "without --allow-partial, these short runs are no baseline and no judged candidate; bad input exits 2",
    async () => {
      const strict = await tinyrig(["compare", "--baseline", "night-0", "--candidate", "night-1", "--db", merged]);
      expect(strict.exitCode, strict.all).toBe(3);
      expect(strict.stdout).toMatch(/left out: partial/);
      expect(strict.stdout).not.toMatch(/REGRESSION +[+-]/);
      expect((await tinyrig(["compare", "--baseline", at("missing.tgz"), "--db", merged])).exitCode).toBe(2);
      const alone = await tinyrig(["run", "--rules", at("rules.yaml"), "--db", at("unused.db")]);
      expect(alone.exitCode).toBe(2);
      expect(alone.all).toMatch(/--rules goes with --gate/);
      expect(existsSync(at("unused.db"))).toBe(false);
      const typo = await tinyrig(["compare", "--candidate", "night-1", "--board", "mps2-an368", "--allow-partial", "--db", merged]);
      expect(typo.exitCode).toBe(2);
      expect(typo.all).toMatch(/--board mps2-an368: no run of this board/);
      writeFileSync(at("rules.yaml"), "latency:\n  physical:\n    alpha: 2\n");
      const rules = await tinyrig(["compare", "--rules", at("rules.yaml"), "--db", merged]);
      expect(rules.exitCode).toBe(2);
      expect(rules.all).toMatch(/rules\.yaml: invalid gate rules file\n\s+line 3: latency\.physical\.alpha/);
    },
    CLI_TIMEOUT,
  );
});

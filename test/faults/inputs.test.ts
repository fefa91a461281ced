// Fault matrix, input rows: bad board fields (refused by name, never run by make or the shell), tampered labels (the
// dataset hash covers them), a label file whose names leave the dataset folder, labels outside the model's classes.
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readDataset } from "../../harness/workloads/dataset.ts";
import { loadWorkload } from "../../harness/workloads/registry.ts";
import { ROOT, tinyrig } from "../helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-input-faults-"));
const an386 = readFileSync(path.join(ROOT, "boards/mps2-an386.yaml"), "utf8");

describe("bad board fields", () => {
  const pwned = path.join(dir, "pwned");
  const cases: [string, (yaml: string) => string, RegExp][] = [
    [
      "a make function in build.defines",
      (y) => y.replace('TR_UART_BASE: "0x40004000"', `TR_UART_BASE: "$(shell touch ${pwned})"`),
      /line \d+: build\.defines\.TR_UART_BASE: a literal value/,
    ],
    [
      "backticks in build.archFlags",
      (y) => y.replace("-mthumb", `"-mthumb\`touch ${pwned}\`"`),
      /line \d+: build\.archFlags\.1: a compiler flag such as -mcpu=cortex-m4/,
    ],
    [
      "a define name that is not a C identifier",
      (y) => y.replace("TR_CPU_HZ:", '"TR_CPU_HZ=1 -include /etc/passwd":'),
      /line \d+: build\.defines\.TR_CPU_HZ=1 -include \/etc\/passwd: (a C identifier|Invalid key in record)/,
    ],
    [
      "a flasher section on an emulated board (its emulator loads the image)",
      (y) => y.replace("\nbuild:\n", "\nflasher:\n  tool: qemu\nbuild:\n"),
      /line \d+: flasher: an emulated board has no flasher: its emulator \(console\.emulator\) loads the image/,
    ],
    ["a YAML syntax error", (y) => y.replace("cpu:", "cpu: {"), /line \d+: \(top level\): YAML: /],
  ];
  it.each(cases)(
    "%s: tinyrig boards and tinyrig run refuse it, naming the field; nothing runs",
    async (_, edit, message) => {
      const file = path.join(dir, "mps2-an386.yaml");
      writeFileSync(file, edit(an386));
      const check = await tinyrig(["boards", file]);
      expect(check.exitCode, check.all).toBe(1);
      expect(check.stderr).toMatch(message);
      const db = path.join(dir, "boards.db");
      const run = await tinyrig(["run", "--board", file, "--workload", "vibration", "--mode", "accuracy", "--limit", "1", "--db", db]);
      expect(run.exitCode, run.all).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(run.all).not.toMatch(/make -C/);
      expect(existsSync(db)).toBe(false);
      expect(existsSync(pwned)).toBe(false);
    },
    60_000,
  );
});

describe("labels", () => {
  const vibration = loadWorkload("vibration");
  const expect5 = { workloadId: "vibration", inputBytes: 768, classes: 5, windowed: false };
  const copy = (name: string, labels?: (csv: string) => string) => {
    const d = path.join(dir, name);
    cpSync(path.join(vibration.dir, "data"), d, { recursive: true });
    if (labels) writeFileSync(path.join(d, "y_labels.csv"), labels(readFileSync(path.join(d, "y_labels.csv"), "utf8")));
    return d;
  };

  it("the dataset hash covers the labels: one edited label changes it", () => {
    const same = readDataset(copy("same"), expect5);
    expect(same.sha256).toBe(vibration.manifest.dataset.sha256);
    const tampered = readDataset(
      copy("tampered", (csv) => csv.replace("vib_0000.bin,5,0", "vib_0000.bin,5,1")),
      expect5,
    );
    expect(tampered.entries[0]!.label).toBe(1);
    expect(tampered.sha256).not.toBe(same.sha256);
  });

  it("a label outside the model's classes, or another class count, is refused naming the row", () => {
    expect(() =>
      readDataset(
        copy("badlabel", (csv) => csv.replace("vib_0002.bin,5,2", "vib_0002.bin,12,11")),
        expect5,
      ),
    ).toThrow(/y_labels\.csv: row 3: 12 classes, the model has 5/);
    expect(() =>
      readDataset(
        copy("badlabel2", (csv) => csv.replace("vib_0002.bin,5,2", "vib_0002.bin,5,7")),
        expect5,
      ),
    ).toThrow(/row 3: class "7" is not a class index below 5/);
  });

  it("quoted file names are one field (a comma inside quotes is part of the name)", () => {
    const d = copy("quoted", (csv) => csv.replace("vib_0001.bin,5,1", '"vib,0001.bin",5,1'));
    cpSync(path.join(d, "vib_0001.bin"), path.join(d, "vib,0001.bin"));
    expect(readDataset(d, expect5).entries[1]!.file).toBe("vib,0001.bin");
  });

  it("a file name leaving the dataset folder is refused, by readDataset and by tinyrig run --dataset", async () => {
    writeFileSync(path.join(dir, "outside.bin"), Buffer.alloc(768));
    const d = copy("traversal", (csv) => csv.replace("vib_0003.bin,5,3", "../outside.bin,5,3"));
    expect(() => readDataset(d, expect5)).toThrow(/row 4: file name "\.\.\/outside\.bin" leaves the dataset folder/);
    const db = path.join(dir, "traversal.db");
    const r = await tinyrig(["run", "--workload", "vibration", "--dataset", d, "--mode", "accuracy", "--db", db]);
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stderr).toMatch(/leaves the dataset folder/);
    expect(existsSync(db)).toBe(false);
  }, 60_000);
});

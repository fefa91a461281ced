// A declared test set: a `--dataset` folder whose hash the workload's manifest declares is a headline dataset (the
// official test set a lab cannot commit); the same folder with one label edited is exploratory. Real runs on the
// default emulated board, from a workload folder of the user's (TINYRIG_WORKLOADS) whose manifest declares the set.
import Database from "better-sqlite3";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { classifyRun } from "../harness/store/validity.ts";
import { readDataset } from "../harness/workloads/dataset.ts";
import { ROOT, tinyrig } from "./helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-declared-"));
const source = path.join(ROOT, "workloads/vibration");
const labels = readFileSync(path.join(source, "data/y_labels.csv"), "utf8").trim().split("\n").slice(0, 6);

/** The first six vibration inputs as a folder of their own, `edit` applied to the label file. */
function subset(name: string, edit: (csv: string) => string = (c) => c): string {
  const d = path.join(dir, name);
  mkdirSync(d);
  for (const row of labels) cpSync(path.join(source, "data", row.split(",")[0]!), path.join(d, row.split(",")[0]!));
  writeFileSync(path.join(d, "y_labels.csv"), edit(`${labels.join("\n")}\n`));
  return d;
}

const declared = subset("official");
const tampered = subset("tampered", (csv) => csv.replace("vib_0002.bin,5,2", "vib_0002.bin,5,3"));
const expect5 = { workloadId: "vibration", inputBytes: 768, classes: 5, windowed: false };
const declaredSha = readDataset(declared, expect5).sha256;
const workloads = path.join(dir, "workloads");
cpSync(source, path.join(workloads, "vibration"), { recursive: true, filter: (f) => !f.includes(`${path.sep}build`) });
writeFileSync(
  path.join(workloads, "vibration/manifest.yaml"),
  `${readFileSync(path.join(source, "manifest.yaml"), "utf8")}declaredDatasets:\n  - { id: lab-official, title: "the lab's official six", count: 6, sha256: "${declaredSha}", source: "test fixture" }\n`,
);

function storedRun(db: string) {
  const sql = new Database(db, { readonly: true });
  const r = sql.prepare("SELECT r.mode, r.status, r.summary_json, d.source, d.count, d.sha256 FROM run r JOIN dataset d ON d.id = r.dataset_id").get() as {
    mode: string;
    status: string;
    summary_json: string;
    source: string;
    count: number;
    sha256: string;
  };
  sql.close();
  return r;
}

describe("declared datasets", () => {
  it("classifies a declared source as a headline dataset and anything malformed as exploratory", () => {
    const run = { mode: "accuracy", status: "completed", summary: { count: 6 }, datasetCount: 6 };
    expect(classifyRun({ ...run, datasetSource: "declared:lab-official:/data/x" }).class).toBe("headline");
    expect(classifyRun({ ...run, datasetSource: "imported:/data/x" })).toMatchObject({
      class: "exploratory",
      reasons: [expect.stringMatching(/^dataset imported \/data\/x/)],
    });
    expect(classifyRun({ ...run, datasetSource: "declared:" }).class).toBe("exploratory");
  });

  it("a folder with the declared hash is measured as that set; one edited label makes it exploratory", async () => {
    const env = { TINYRIG_WORKLOADS: workloads };
    for (const [name, folder, source, klass] of [
      ["declared", declared, `declared:lab-official:${declared}`, "headline"],
      ["tampered", tampered, `imported:${tampered}`, "exploratory"],
    ] as const) {
      const db = path.join(dir, `${name}.db`);
      const r = await tinyrig(["run", "--workload", "vibration", "--mode", "accuracy", "--dataset", folder, "--db", db], { env });
      expect(r.exitCode, r.all).toBe(0);
      const row = storedRun(db);
      expect(row).toMatchObject({ mode: "accuracy", status: "completed", source, count: 6 });
      const list = await tinyrig(["results", "list", "--db", db, "--json"], { env });
      expect(list.exitCode, list.all).toBe(0);
      expect(JSON.parse(list.stdout)[0]).toMatchObject({ validity: { class: klass } });
    }
  }, 240_000);
});

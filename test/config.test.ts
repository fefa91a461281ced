// Settings as a user meets them: tinyrig.config.yaml found upwards from the working folder, paths in it relative to
// its folder, environment over config over defaults, options over all; a bad file named with its line, exit 2, and
// nothing written.
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../harness/config.ts";
import { listWorkloads, loadWorkload, WORKLOADS_DIR } from "../harness/workloads/registry.ts";
import { tinyrig } from "./helpers/cli.ts";

function project(config?: string): { root: string; sub: string } {
  const root = mkdtempSync(path.join(tmpdir(), "tinyrig-config-"));
  const sub = path.join(root, "a", "b");
  mkdirSync(sub, { recursive: true });
  if (config !== undefined) writeFileSync(path.join(root, "tinyrig.config.yaml"), config);
  return { root, sub };
}

describe("resolveConfig", () => {
  it("defaults to the working folder when there is no config file", () => {
    const { sub } = project();
    const c = resolveConfig({}, sub);
    expect(c.file).toBeUndefined();
    expect(c.db).toEqual({ value: path.join(sub, "results/tinyrig.db"), source: "default" });
    expect(c.reports.value).toBe(path.join(sub, "reports"));
    expect(c.build.value).toBe(path.join(sub, "build"));
    expect(c.defaultBoard).toEqual({ value: "mps2-an386", source: "default" });
  });

  it("finds the config file upwards; its relative paths and the defaults resolve in its folder", () => {
    const { root, sub } = project("db: data/lab.db\nboards: [my-boards, /abs/boards]\ndefaultBoard: sifive-e\n");
    const c = resolveConfig({}, sub);
    const file = path.join(root, "tinyrig.config.yaml");
    expect(c.file).toBe(file);
    expect(c.db).toEqual({ value: path.join(root, "data/lab.db"), source: `config ${file}` });
    expect(c.boards.value).toEqual([path.join(root, "my-boards"), "/abs/boards"]);
    expect(c.reports).toEqual({ value: path.join(root, "reports"), source: "default" });
    expect(c.defaultBoard.value).toBe("sifive-e");
  });

  it("the environment overrides the config file, relative to the working folder", () => {
    const { sub } = project("db: data/lab.db\ndefaultBoard: sifive-e\n");
    const c = resolveConfig({ TINYRIG_DB: "x.db", TINYRIG_BOARD: "mps3-an547", TINYRIG_BOARDS: `b1${path.delimiter}b2` }, sub);
    expect(c.db).toEqual({ value: path.join(sub, "x.db"), source: "environment TINYRIG_DB" });
    expect(c.defaultBoard).toEqual({ value: "mps3-an547", source: "environment TINYRIG_BOARD" });
    expect(c.boards.value).toEqual([path.join(sub, "b1"), path.join(sub, "b2")]);
  });

  it("TINYRIG_CONFIG names the file; one that does not exist is refused", () => {
    const { root, sub } = project();
    writeFileSync(path.join(root, "other.yaml"), "reports: out\n");
    expect(resolveConfig({ TINYRIG_CONFIG: path.join(root, "other.yaml") }, sub).reports.value).toBe(path.join(root, "out"));
    expect(() => resolveConfig({ TINYRIG_CONFIG: "missing.yaml" }, sub)).toThrow(/missing\.yaml[\s\S]*does not exist/);
  });

  it("names the line and field of an unknown key, a wrong type and a YAML syntax error", () => {
    expect(() => resolveConfig({}, project("db: a.db\ndatabase: b.db\n").sub)).toThrow(/line 2: database: Unrecognized key/);
    expect(() => resolveConfig({}, project("reports: out\nboards: 3\n").sub)).toThrow(/line 2: boards: .*expected array/);
    expect(() => resolveConfig({}, project("db: [\n").sub)).toThrow(/line 2: .*YAML/);
  });
});

// each test starts the CLI once or twice: seconds on a loaded machine
describe("tinyrig config and the options it feeds", { timeout: 60_000 }, () => {
  it("prints each setting and where it came from", async () => {
    const { root, sub } = project("db: lab.db\n");
    const r = await tinyrig(["config", "--json"], { cwd: sub, env: { TINYRIG_REPORTS: "/tmp/elsewhere" } });
    expect(r.exitCode, r.all).toBe(0);
    const out = JSON.parse(r.stdout) as { configFile: string; settings: { key: string; value: unknown; source: string }[] };
    expect(out.configFile).toBe(path.join(root, "tinyrig.config.yaml"));
    const by = Object.fromEntries(out.settings.map((s) => [s.key, s]));
    expect(by.db).toMatchObject({ value: path.join(root, "lab.db"), source: `config ${out.configFile}` });
    expect(by.reports).toMatchObject({ value: "/tmp/elsewhere", source: "environment TINYRIG_REPORTS" });
    expect(by.build).toMatchObject({ value: path.join(root, "build"), source: "default" });
  });

  it("the configured database is the one a command uses, and --db overrides it", async () => {
    const { root, sub } = project("db: lab.db\n");
    // listing never creates a database: the error names the one it was told to read
    let r = await tinyrig(["results", "list", "--json"], { cwd: sub });
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stderr).toContain(`${path.join(root, "lab.db")}: no such result database`);
    r = await tinyrig(["results", "list", "--json", "--db", "other.db"], { cwd: sub });
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stderr).toContain(`${path.join(sub, "other.db")}: no such result database`);
  });

  it("a broken config file is a usage error: exit 2, named with its line, nothing written", async () => {
    const { root, sub } = project("db: lab.db\nbords: [x]\n");
    const r = await tinyrig(["run", "--workload", "vibration", "--limit", "1"], { cwd: sub });
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toContain(`${path.join(root, "tinyrig.config.yaml")}: invalid tinyrig config file`);
    expect(r.stderr).toMatch(/line 2: bords: Unrecognized key/);
    expect(existsSync(path.join(root, "lab.db"))).toBe(false);
    expect(existsSync(path.join(root, "build"))).toBe(false);
  });
});

describe("workload folders", () => {
  it("a user's folder is searched before tinyrig's own; an unknown id names the folders searched", () => {
    const mine = mkdtempSync(path.join(tmpdir(), "tinyrig-workloads-"));
    cpSync(path.join(WORKLOADS_DIR, "vibration"), path.join(mine, "vibration"), { recursive: true });
    const all = listWorkloads([mine, WORKLOADS_DIR]);
    expect(all.map((w) => w.id)).toEqual(listWorkloads(WORKLOADS_DIR).map((w) => w.id));
    expect(all.find((w) => w.id === "vibration")!.dir).toBe(path.join(mine, "vibration"));
    expect(loadWorkload("wake-word", [mine, WORKLOADS_DIR]).dir).toBe(path.join(WORKLOADS_DIR, "wake-word"));
    expect(() => loadWorkload("nope", [mine, WORKLOADS_DIR])).toThrow(`no workload "nope" (searched ${mine}, ${WORKLOADS_DIR}`);
  });
});

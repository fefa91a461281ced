// The leaderboard site (tinyrig publish), read as a reader would: built from a real SQLite store through the store's
// own API (headline, partial and emulated runs, a hostile board name and campaign, published results imported from a
// checker CSV), then opened from file:// in Debian's headless Chromium driven by puppeteer-core.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findBoard } from "../harness/boards/load.ts";
import type { BoardDefinition } from "../harness/boards/schema.ts";
import type { FirmwareImage } from "../harness/build/firmware.ts";
import type { BoardConnection } from "../harness/run/connect.ts";
import type { SuiteWorkload } from "../harness/run/suite.ts";
import { writeSite } from "../harness/site/publish.ts";
import { addPublished, parsePublishedCsv, readPublishedCsv } from "../harness/store/published.ts";
import { ResultStore } from "../harness/store/store.ts";
import { listWorkloads } from "../harness/workloads/registry.ts";
import { ROOT, tinyrig } from "./helpers/cli.ts";

const CHROMIUM = "/usr/bin/chromium";
const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-site-"));
const site = path.join(dir, "site");
const db = path.join(dir, "r.db");
const PUBLISHED_CSV = path.join(ROOT, "test/fixtures/published/checker-v1.3-nucleo-l4r5zi.csv");
/** Screenshots a reader can look at after the run (not committed: reports/ is ignored). */
const SHOTS = path.join(ROOT, "reports/screenshots");

const HOSTILE_BOARD = `evil"><img src=x id=pwned>`;
const HOSTILE_CAMPAIGN = `c1"><script>window.pwned=1</script>`;

function hostileBoard(): BoardDefinition {
  const text = `name: x\ntitle: "<b id=pwned2>bold</b>"\ncpu: { arch: arm, core: "<i>m0</i>", clockHz: 48000000 }\n`;
  return { ...findBoard("mps2-an386"), name: HOSTILE_BOARD, text, fileSha256: createHash("sha256").update(text).digest("hex"), kind: "physical" };
}

/** Runs through the store's API: what the site must show is known exactly. */
function populate(): void {
  const store = ResultStore.open(db);
  const emulated = findBoard("mps2-an386");
  const physical = { ...findBoard("nucleo-l4r5zi"), kind: "physical" as const };
  const firmware = {
    sha256: "ab".repeat(32),
    bytes: 1,
    sizes: { flash: 123456, ram: 65432 },
    toolchain: "arm-none-eabi-gcc 12.2",
    kernels: "dsp",
    timestampMode: "performance",
    config: {},
  } as unknown as FirmwareImage;
  const connection = { identity: { name: "n", profile: "p", caps: { arenaUsed: 20000, arenaSize: 32768 } } } as unknown as BoardConnection;
  const workload = (id: string, source = "committed") =>
    ({
      id,
      manifestSha256: "c".repeat(64),
      modelSha256: "d".repeat(64),
      modelBytes: 53936,
      macs: 2_700_000,
      dataset: { sha256: "e".repeat(64), source, inputs: [] },
    }) as unknown as SuiteWorkload;
  const perf = (board: BoardDefinition, w: string, medianUs: number, campaign: string | null, windows = 5) => {
    store.campaign = campaign;
    const id = store.startRun({ mode: "performance", board, workload: workload(w), firmware, connection, settings: {}, simulated: false });
    for (let i = 0; i < windows; i++)
      store.window(id, {
        index: i,
        inputIndex: i,
        iterations: 500,
        warmup: 10,
        t0Us: 0,
        t1Us: 500 * medianUs,
        latencyUs: medianUs + i,
        throughput: 1e6 / medianUs,
      });
    store.finishRun(id, { windows, iterations: 500, medianLatencyUs: medianUs, minLatencyUs: medianUs - 10, maxLatencyUs: medianUs + 10 });
    return id;
  };
  const acc = (board: BoardDefinition, w: string, value: number) => {
    const id = store.startRun({ mode: "accuracy", board, workload: workload(w), firmware, connection, settings: {}, simulated: false });
    for (let i = 0; i < 4; i++)
      store.inference(id, {
        inputIndex: i,
        file: `x${i}.bin`,
        label: 0,
        outputs: [1],
        score: 1,
        predicted: 0,
        equalsHostReference: i !== 3,
        latencyUs: 60000 + i * 100,
      });
    store.finishRun(id, { metric: "top1", value, count: 4 });
  };
  // emulated board: two headline campaigns, then a newer partial run that must not take the headline cell
  perf(emulated, "wake-word", 61_000, "nightly-1");
  perf(emulated, "wake-word", 62_500, "nightly-2");
  perf(emulated, "wake-word", 10_000, "nightly-3", 2);
  acc(emulated, "wake-word", 0.93);
  store.campaign = null;
  const e = store.startRun({
    mode: "energy",
    board: emulated,
    workload: workload("wake-word"),
    firmware,
    connection,
    settings: {},
    simulated: false,
    modelled: true,
  });
  store.finishRun(e, { windows: 5, iterations: 500, medianEnergyPerInferenceUj: 2480.5, medianLatencyUs: 61_000, minLatencyUs: 60_990 });
  // a physical board, faster and less accurate
  perf(physical, "wake-word", 43_420, "nightly-2");
  acc(physical, "wake-word", 0.9);
  // the hostile board (its name and its campaign are markup)
  perf(hostileBoard(), "wake-word", 50_000, HOSTILE_CAMPAIGN);
  store.campaign = null;
  addPublished(store, readPublishedCsv(PUBLISHED_CSV), PUBLISHED_CSV);
  store.close();
}

describe("the leaderboard site", () => {
  beforeAll(async () => {
    populate();
    const store = ResultStore.open(db, { readOnly: true });
    try {
      await writeSite({ store, outDir: site, workloads: listWorkloads() });
    } finally {
      store.close();
    }
  }, 120_000);

  it("keeps the headline rule, marks every emulated, modelled and published figure, and escapes what it shows", () => {
    const index = readFileSync(path.join(site, "index.html"), "utf8");
    expect(index).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'`);
    // the headline is the newest valid run (62.500 ms, nightly-2), not the newer partial one (10.000 ms)
    const emulatedRow = index.split("\n").find((l) => l.includes(">mps2-an386</a>"))!;
    expect(emulatedRow).toContain("62.500");
    expect(emulatedRow).not.toContain("10.000");
    expect(emulatedRow).toContain('title="emulated (QEMU), virtual time"');
    expect(emulatedRow).toContain('title="modelled energy"');
    expect(emulatedRow).toContain("93.00 %");
    const publishedRow = index.split("\n").find((l) => l.includes("NUCLEO_L4R5ZI-P"))!;
    expect(publishedRow).toContain("published, not measured here");
    expect(publishedRow).toContain("43.420"); // 1000 / 23.030... inf./sec.
    // the partial run is on the board page, marked partial with its reason
    const board = readFileSync(path.join(site, "board-mps2-an386.html"), "utf8");
    expect(board).toMatch(/<span class="partial">partial<\/span><br><small>2 windows \(a headline needs 5\)/);
    // its windows and per-inference latencies are marked as the emulator's time too
    expect(board).toContain('61.000, 61.001, 61.002, 61.003, 61.004 ms<span class="mark" title="emulated (QEMU), virtual time">');
    expect(board).toContain('median 60.200 ms of 4<span class="mark" title="emulated (QEMU), virtual time">');
    // hostile text appears only escaped, in every page
    for (const f of readdirSync(site).filter((n) => n.endsWith(".html"))) {
      const html = readFileSync(path.join(site, f), "utf8");
      expect(html, f).not.toContain("<img src=x");
      expect(html, f).not.toContain("<script>window.pwned");
      expect(html, f).not.toContain("<b id=pwned2>");
      expect(html, f).not.toMatch(/<script(?! src="site\.js" defer><\/script>)/);
      expect(html, f).not.toMatch(/\sstyle=|\son[a-z]+=/);
    }
    expect(index).toContain("evil&quot;&gt;&lt;img src=x id=pwned&gt;");
    const trends = readFileSync(path.join(site, "trends.html"), "utf8");
    expect(trends).toContain("c1&quot;&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;");
    // the gate's verdict, campaign against campaign: the emulated board's 61.0 -> 62.5 ms is a regression (on an emulated
    // board any change in device-timed latency is one); its first campaign, and a board with one campaign, are not judged
    const trendRow = (campaign: string, board: string) => trends.split("\n").find((l) => l.includes(`>${campaign}</td>`) && l.includes(board))!;
    expect(trendRow("nightly-2", "mps2-an386")).toMatch(/class="regressed">regression: latency/);
    expect(trendRow("nightly-1", "mps2-an386")).not.toContain("regressed");
    expect(trendRow("nightly-2", "nucleo-l4r5zi")).not.toContain("regressed");
    // charts are SVG rendered at build time, one per cost
    const charts = readdirSync(path.join(site, "charts"));
    for (const c of ["latency", "energy", "model-bytes", "macs"]) expect(charts).toContain(`wake-word-accuracy-vs-${c}.svg`);
    // an SVG opened on its own runs its scripts: the hostile names are text there too
    for (const c of charts.filter((n) => n.endsWith(".svg"))) expect(readFileSync(path.join(site, "charts", c), "utf8"), c).not.toMatch(/<(img|script)/);
    expect(readFileSync(path.join(site, "charts/wake-word-trend.svg"), "utf8")).toContain("evil&quot;&gt;&lt;img src=x id=pwned&gt;");
    const energy = readFileSync(path.join(site, "charts/wake-word-accuracy-vs-energy.svg"), "utf8");
    expect(energy).toContain("modelled energy");
    expect(readFileSync(path.join(site, "charts/wake-word-accuracy-vs-latency.svg"), "utf8")).toContain("emulated (QEMU), virtual time");
  });

  it("imports published results from the checker's CSV (a bad one refused by file, line and column, nothing stored); publish and report --site write the site, again in place", async () => {
    const good = readFileSync(PUBLISHED_CSV, "utf8").split("\n");
    const bad = path.join(dir, "bad.csv");
    writeFileSync(bad, [good[0], good[1], good[2]!.replace('"6.036096"', '"fast"')].join("\n"));
    expect(() => readPublishedCsv(bad)).toThrow(`${bad}:3: column Result: "fast" is not a number`);
    expect(() => parsePublishedCsv(good[0]!.replace("BoardName", "Board") + "\n" + good[1], "h.csv")).toThrow(/^h\.csv:1: column 4: header field "Board"/);
    expect(() => parsePublishedCsv([good[0], good[1]!.replace('"True"', '"False"')].join("\n"), "p.csv")).toThrow(
      "p.csv:2: column HasPower: False with Power 160.42",
    );
    const copy = path.join(dir, "copy.db");
    const r = await tinyrig(["results", "import-published", bad, "--db", copy]);
    expect(r.exitCode).toBe(1);
    expect(r.all).toContain(`${bad}:3: column Result`);
    expect(existsSync(copy)).toBe(false); // checked before the database is opened
    const ok = await tinyrig(["results", "import-published", PUBLISHED_CSV, "--db", copy]);
    expect(ok.all).toContain("4 published results added");
    const again = await tinyrig(["results", "import-published", PUBLISHED_CSV, "--db", copy]);
    expect(again.all).toContain("0 published results added, 4 already here");
    // the checker's Accuracy is Top-1 in % except for ad, whose figure is the AUC
    const withAccuracy = path.join(dir, "accuracy.csv");
    const row = (model: string, mlperf: string, accuracy: string) =>
      good[1]!.replace('"closed"', '"open"').replace('"ad","ad01"', `"${model}","${mlperf}"`).replace('"inf./sec.",""', `"inf./sec.","${accuracy}"`);
    writeFileSync(withAccuracy, [good[0], row("kws-small", "kws01", "91.3"), row("ad-small", "ad01", "0.86")].join("\n"));
    expect((await tinyrig(["results", "import-published", withAccuracy, "--db", copy])).all).toContain("2 published results added");
    // publish DIR and report --site DIR write the same site
    for (const args of [
      ["publish", path.join(dir, "p1")],
      ["report", "--site", path.join(dir, "p2")],
    ]) {
      const w = await tinyrig([...args, "--db", copy]);
      expect(w.exitCode, w.all).toBe(0);
      const index = readFileSync(path.join(args.at(-1)!, "index.html"), "utf8");
      expect(index).toContain("published, not measured here");
      expect(index.split("\n").find((l) => l.includes(">kws-small<"))).toContain(">91.30 %<");
      expect(index.split("\n").find((l) => l.includes(">ad-small<"))).toContain(">AUC 0.8600<");
    }
    // publishing again replaces the site's own files (a workload no longer stored loses its page), nothing else
    const empty = path.join(dir, "empty.db");
    ResultStore.open(empty).close();
    writeFileSync(path.join(dir, "p1", "CNAME"), "example.org\n");
    expect(existsSync(path.join(dir, "p1", "workload-wake-word.html"))).toBe(true);
    expect((await tinyrig(["publish", path.join(dir, "p1"), "--db", empty])).exitCode).toBe(0);
    expect(
      readdirSync(path.join(dir, "p1"))
        .filter((f) => !f.startsWith("."))
        .sort(),
    ).toEqual(["CNAME", "boards.html", "charts", "index.html", "site.css", "site.js", "trends.html"]);
  }, 60_000);

  describe("in Chromium", () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await puppeteer.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-extensions",
        ],
        userDataDir: path.join(dir, "profile"),
      });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    /** Opens a page of the site; every request, console error and page error is kept for the test to check. */
    async function open(name: string, width = 1280): Promise<{ page: Page; requests: string[]; errors: string[] }> {
      const page = await browser.newPage();
      await page.setViewport({ width, height: 900 });
      const requests: string[] = [];
      const errors: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warn") errors.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => errors.push(`pageerror: ${String(e)}`));
      page.on("dialog", (d) => errors.push(`dialog: ${d.message()}`));
      await page.goto(`file://${path.join(site, name)}`, { waitUntil: "load" });
      return { page, requests, errors };
    }

    it("loads every page from file:// with no console error and no request outside the site", async () => {
      const pages = readdirSync(site).filter((n) => n.endsWith(".html"));
      expect(pages.length).toBeGreaterThanOrEqual(6);
      for (const name of pages) {
        const { page, requests, errors } = await open(name);
        expect(errors, name).toEqual([]);
        expect(
          requests.filter((u) => !u.startsWith(`file://${site}/`)),
          name,
        ).toEqual([]);
        expect(requests, name).toEqual(expect.arrayContaining([`file://${site}/${name}`, `file://${site}/site.css`, `file://${site}/site.js`])); // requests are seen
        // the script ran (CSP allowed it): the status line says how many rows are shown
        if (name === "index.html") expect(await page.$eval("#leaderboard-status", (e) => e.textContent)).toMatch(/^\d+ of \d+ rows shown$/);
        // every table has a caption, every header cell says what it heads
        expect(await page.$$eval("table", (ts) => ts.filter((t) => !t.caption?.textContent?.trim()).length), name).toBe(0);
        expect(
          await page.$$eval("th", (ths) => ths.filter((t) => !["col", "row", "colgroup", "rowgroup"].includes(t.getAttribute("scope") ?? "")).length),
          name,
        ).toBe(0);
        // nothing the hostile board carried became markup
        expect(await page.$$eval("#pwned, #pwned2", (es) => es.length), name).toBe(0);
        expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), name).toBeUndefined();
        expect(
          await page.$$eval("img", (imgs) => imgs.filter((i) => !(i as HTMLImageElement).complete || (i as HTMLImageElement).naturalWidth === 0).length),
          name,
        ).toBe(0);
        await page.close();
      }
    }, 120_000);

    it("sorts by a column and filters rows as a reader asks", async () => {
      const { page, errors } = await open("index.html");
      const boards = () => page.$$eval("#leaderboard tbody tr:not([hidden]) th", (ths) => ths.map((t) => t.getAttribute("data-v")));
      const latency = 'th[data-group="wake-word"][data-metric="latency"] button';
      await page.click(latency);
      // ascending latency; rows without a wake-word latency (published ad/ic/kws/vww maps kws01 to wake-word) last
      expect(await boards()).toEqual(["nucleo-l4r5zi", "NUCLEO_L4R5ZI-P", HOSTILE_BOARD, "mps2-an386"]);
      await page.click(latency);
      expect(await boards()).toEqual(["mps2-an386", HOSTILE_BOARD, "NUCLEO_L4R5ZI-P", "nucleo-l4r5zi"]);
      expect(await page.$eval('th[data-group="wake-word"][data-metric="latency"]', (t) => t.getAttribute("aria-sort"))).toBe("descending");
      await page.select("#filter-kind", "emulated");
      expect(await boards()).toEqual(["mps2-an386"]);
      expect(await page.$eval("#leaderboard-status", (e) => e.textContent)).toBe("1 of 4 rows shown");
      await page.select("#filter-kind", "");
      await page.select("#filter-source", "published");
      expect(await boards()).toEqual(["NUCLEO_L4R5ZI-P"]);
      await page.select("#filter-source", "");
      await page.select("#filter-family", "nucleo");
      expect((await boards()).sort()).toEqual(["NUCLEO_L4R5ZI-P", "nucleo-l4r5zi"]);
      // printed: no navigation or filters, the table kept
      await page.emulateMediaType("print");
      expect(await page.$eval("header nav", (n) => getComputedStyle(n).display)).toBe("none");
      expect(await page.$eval(".filters", (n) => getComputedStyle(n).display)).toBe("none");
      expect(await page.$eval("#leaderboard", (n) => getComputedStyle(n).display)).toBe("table");
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);

    it("takes screenshots at phone and desktop widths", async () => {
      mkdirSync(SHOTS, { recursive: true });
      for (const [name, width] of [
        ["index", 390],
        ["index", 1280],
        ["workload-wake-word", 390],
        ["workload-wake-word", 1280],
        ["board-mps2-an386", 1280],
        ["trends", 1280],
      ] as const) {
        const { page, errors } = await open(`${name}.html`, width);
        const file = path.join(SHOTS, `${name}-${width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        expect(errors).toEqual([]);
        const png = readFileSync(file);
        expect(png.subarray(1, 4).toString()).toBe("PNG");
        expect(png.readUInt32BE(16)).toBe(width); // the PNG's width: the page did not overflow the viewport
        await page.close();
      }
    }, 120_000);
  });
});

describe("tinyrig suite", () => {
  it("ends by writing the site beside its report, from the runs it just stored on QEMU", async () => {
    const reports = path.join(dir, "suite-reports");
    const args = [
      "suite",
      "--workload",
      "vibration",
      "--mode",
      "performance",
      "accuracy",
      "--windows",
      "1",
      "--min-window-seconds",
      "0.2",
      "--limit",
      "5",
      "--campaign",
      "ci-1",
    ];
    const r = await tinyrig([...args, "--db", path.join(dir, "suite.db")], { env: { TINYRIG_REPORTS: reports } });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toContain(`site written to ${path.join(reports, "site", "index.html")}`);
    // a short run is partial: on the board page, marked, and in the trends; never a headline cell
    const board = readFileSync(path.join(reports, "site", "board-mps2-an386.html"), "utf8");
    expect(board).toMatch(/<span class="partial">partial<\/span><br><small>1 windows \(a headline needs 5\)/);
    expect(readFileSync(path.join(reports, "site", "trends.html"), "utf8")).toContain(">ci-1</td>");
    expect(readFileSync(path.join(reports, "site", "index.html"), "utf8")).not.toMatch(/<td class="n" data-v="\d/);
  }, 240_000);
});

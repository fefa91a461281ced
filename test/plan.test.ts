// The run plan (harness/run/plan.ts) decides, before anything is built, what each board measures and how each
// measurement obtains its energy. Pure: no board, no QEMU.
import { describe, expect, it } from "vitest";
import { findBoard } from "../harness/boards/load.ts";
import type { BoardDefinition } from "../harness/boards/schema.ts";
import { MODES, RUN_MODES } from "../harness/modes/types.ts";
import { planRun, type RunOptions, type SessionStep } from "../harness/run/plan.ts";
import { longestFirst } from "../harness/run/workers.ts";
import type { SuiteWorkload } from "../harness/run/types.ts";

const workloads = [{ id: "vibration" }, { id: "keyword-spotting", variant: "student-int8" }] as SuiteWorkload[];
const base: RunOptions = { energyFlow: "auto", performance: { windows: 1, minWindowSeconds: 0.1 } };
const emulated = findBoard("mps2-an386");
const noModel = { ...emulated, powerModel: undefined } as BoardDefinition;
const ppk2 = findBoard("nrf5340-dk"); // a power monitor, no interface board: the host reaches the device directly
const noMonitor = findBoard("arduino-nano-33-ble");
const behindInterfaceBoard = { ...ppk2, interfaceBoard: { serial: { usb: { vid: "0483", pid: "374b" }, baud: { performance: 115200 } } } } as BoardDefinition;

/** Each workload's steps, as [session firmware, meter, [mode, energy source, flow]...] or [refused mode, error]. */
function steps(board: BoardDefinition, options: Partial<RunOptions> = {}) {
  const [plan] = planRun({ ...base, ...options }, [board], workloads).boards;
  const all = plan!.workloads.map((w) =>
    w.steps.map((s) =>
      s.kind === "refused"
        ? ["refused", s.mode, s.error]
        : [s.firmware, s.meter, s.withoutPins, s.measurements.map((m) => [m.mode, m.energy.source, "flow" in m.energy ? m.energy.flow : "-"])],
    ),
  );
  expect(all[1]).toEqual(all[0]); // every workload (and variant) is measured the same way
  return { plan: plan!, steps: all[0]! };
}

describe("planRun: energy", () => {
  it("emulated board, modes defaulted: energy modelled in the performance windows, noted if the device cannot", () => {
    const { plan, steps: s } = steps(emulated);
    expect(plan.modes).toEqual(["performance", "accuracy", "energy"]);
    expect(plan.modesDefaulted).toBe(true);
    expect(plan.lock).toBe(false);
    expect(s).toEqual([
      [
        "performance",
        "modelled",
        "note",
        [
          ["performance", "modelled", "direct"],
          ["accuracy", "none", "-"],
          ["energy", "performance-windows", "-"],
        ],
      ],
    ]);
  });

  it("energy asked for without performance: windows of its own, alongside the device's timer", () => {
    expect(steps(emulated, { modes: ["accuracy", "energy"] }).steps).toEqual([
      [
        "performance",
        "modelled",
        "fail",
        [
          ["accuracy", "none", "-"],
          ["energy", "modelled", "direct"],
        ],
      ],
    ]);
  });

  it("performance and energy asked for: a device without the pin stores a failed energy run", () => {
    expect(steps(emulated, { modes: ["energy", "performance"] }).steps).toEqual([
      [
        "performance",
        "modelled",
        "fail",
        [
          ["energy", "performance-windows", "-"],
          ["performance", "modelled", "direct"],
        ],
      ],
    ]);
  });

  it("--energy-flow mlperf: latency without energy, then MLPerf's energy-mode firmware in a session of its own", () => {
    expect(steps(emulated, { modes: [...RUN_MODES], energyFlow: "mlperf" }).steps).toEqual([
      [
        "performance",
        "none",
        "fail",
        [
          ["performance", "none", "-"],
          ["accuracy", "none", "-"],
        ],
      ],
      ["energy", "modelled", "fail", [["energy", "modelled", "mlperf"]]],
    ]);
  });

  it("emulated board without a power model: no energy by default; asked for, refused before anything is built", () => {
    expect(steps(noModel).plan.modes).toEqual(["performance", "accuracy"]);
    const { steps: s } = steps(noModel, { modes: ["performance", "energy"] });
    expect(s).toEqual([
      ["performance", "none", "fail", [["performance", "none", "-"]]],
      ["refused", "energy", expect.stringContaining("no powerModel")],
    ]);
  });

  it("physical board with a power monitor and no interface board: measured in the same windows, the board locked", () => {
    const { plan, steps: s } = steps(ppk2);
    expect(plan.lock).toBe(true);
    expect(s).toEqual([
      [
        "performance",
        "monitor",
        "note",
        [
          ["performance", "monitor", "direct"],
          ["accuracy", "none", "-"],
          ["energy", "performance-windows", "-"],
        ],
      ],
    ]);
  });

  it("physical board behind an interface board: energy in MLPerf's set-up", () => {
    expect(steps(behindInterfaceBoard).steps).toEqual([
      [
        "performance",
        "none",
        "note",
        [
          ["performance", "none", "-"],
          ["accuracy", "none", "-"],
        ],
      ],
      ["energy", "monitor", "fail", [["energy", "monitor", "mlperf"]]],
    ]);
  });

  it("physical board without a power monitor: no energy by default; asked for, the monitor's absence fails at bring-up", () => {
    expect(steps(noMonitor).steps).toEqual([
      [
        "performance",
        "none",
        "note",
        [
          ["performance", "none", "-"],
          ["accuracy", "none", "-"],
        ],
      ],
    ]);
    expect(steps(noMonitor, { modes: ["energy"] }).steps).toEqual([["energy", "monitor", "fail", [["energy", "monitor", "mlperf"]]]]);
  });

  it("several boards: one plan each, with each board's own defaults", () => {
    const plan = planRun(base, [emulated, noModel, ppk2], workloads);
    expect(plan.boards.map((b) => [b.board.name, b.modes.join(","), b.workloads.length])).toEqual([
      [emulated.name, "performance,accuracy,energy", 2],
      [noModel.name, "performance,accuracy", 2],
      [ppk2.name, "performance,accuracy,energy", 2],
    ]);
    const sessions = plan.boards.flatMap((b) => b.workloads[0]!.steps).filter((s): s is SessionStep => s.kind === "session");
    expect(sessions.map((s) => s.meter)).toEqual(["modelled", "none", "monitor"]);
  });
});

it("a stream run is a headline on its workload's scored stream only", () => {
  const rule = MODES.accuracy.headline;
  expect(rule({ metric: "sww", stream: "long", scoredStream: true }, { datasetCount: 1 })).toEqual([]);
  expect(rule({ metric: "sww", stream: "short", scoredStream: false }, { datasetCount: 1 })).toEqual(["stream short: not the workload's scored stream"]);
  expect(rule({ metric: "sww", stream: "long" }, { datasetCount: 1 })).toHaveLength(1); // stored before it was said: not a headline
});

it("every mode has a definition the executor, the headline rule and the summary read", () => {
  for (const mode of RUN_MODES) {
    expect(["windows", "inputs"]).toContain(MODES[mode].measures);
    expect(MODES[mode].headline({}, { datasetCount: 1 }).length).toBeGreaterThan(0); // an empty summary is never a headline
  }
});

describe("the order boards start in (longest first, from the database's history)", () => {
  const boards = ["mps2-an386", "mps3-an547", "riscv32-virt", "mps2-an505"].map((n) => findBoard(n));
  const run = (board: string, seconds: number, startedAt: string, extra: Partial<{ status: string; mode: string }> = {}) => ({
    board,
    workload: "vibration",
    variant: null,
    mode: "performance" as const,
    status: "completed" as const,
    startedAt,
    endedAt: new Date(Date.parse(startedAt) + seconds * 1000).toISOString(),
    ...extra,
  });
  it("boards without history first (they may be the longest), then by the latest run's duration, longest first", () => {
    const history = [
      // newest first, as listRuns returns them: mps2-an386's latest took 4 s (an older 40 s run is not its latest)
      run("mps2-an386", 4, "2026-12-05T02:00:00Z"),
      run("mps3-an547", 26, "2026-12-05T01:59:00Z"),
      run("mps2-an505", 9, "2026-12-05T01:58:00Z"),
      run("mps2-an386", 40, "2026-12-04T02:00:00Z"),
      run("mps2-an505", 100, "2026-12-04T01:00:00Z", { status: "failed" }),
    ];
    const { order, expectedSeconds } = longestFirst(boards, history as never);
    expect(order.map((i) => boards[i]!.name)).toEqual(["riscv32-virt", "mps3-an547", "mps2-an505", "mps2-an386"]);
    expect(expectedSeconds).toEqual([4, 26, undefined, 9]);
  });
  it("no history at all: the order given", () => {
    expect(longestFirst(boards, []).order).toEqual([0, 1, 2, 3]);
  });
});

// Host-side figures of a protocol session on a board (default: the emulated mps2-an386), printed:
//   npx tsx bench/session.ts [--board B] [--workload W] [--repeat N]
// - command round trip (name%): the floor under every exchange
// - input transfer: payload bytes per second versus bytes on the wire (hex + framing), tinyrig's long `db` lines
//   against MLPerf's 31-byte ones
// - host overhead per inference in performance mode: tinyrig's own CPU time per `infer N 0` exchange and per inference,
//   and (physical boards) the wall time beyond the device's timed span
import { parseArgs } from "node:util";
import { DEFAULT_BOARD, findBoard } from "../harness/boards/load.ts";
import { buildFirmware } from "../harness/build/firmware.ts";
import { connectBoard } from "../harness/run/connect.ts";
import { MLPERF_DB_CHUNK_BYTES } from "../harness/protocol/session.ts";
import { loadDataset, loadWorkload } from "../harness/workloads/registry.ts";

const { values } = parseArgs({
  options: { board: { type: "string", default: DEFAULT_BOARD }, workload: { type: "string", default: "vibration" }, repeat: { type: "string", default: "20" } },
});
const repeat = Number(values.repeat);
const board = findBoard(values.board!);
const w = loadWorkload(values.workload!);
const m = w.manifest;
const inputBytes = m.dataset.window?.bytes ?? m.input.bytes;
const image = await buildFirmware({
  board,
  modelId: m.mlperfModelId,
  modelPath: w.modelPath,
  inputBytes,
  transform: m.input.transform,
  timestampMode: "performance",
  resultsMse: m.task === "anomaly",
});
let wire = 0;
const c = await connectBoard(board, image, { mode: "performance", log: () => {}, trace: (d, l) => (wire += wireBytesOf(d, l)) });
/** Bytes a traced line took on the wire: raw blocks are traced as "<N raw bytes>"; received lines end in CR LF. */
function wireBytesOf(direction: "tx" | "rx", line: string): number {
  const raw = / <(\d+) raw bytes>$/.exec(line);
  if (raw) return line.length - raw[0].length + Number(raw[1]);
  return line.length + (direction === "rx" ? 2 : 0);
}
const input = loadDataset(w).entries[0]!.bytes().subarray(0, inputBytes);
const time = async (f: () => Promise<unknown>) => {
  const t = process.hrtime.bigint();
  for (let i = 0; i < repeat; i++) await f();
  return Number(process.hrtime.bigint() - t) / 1e6 / repeat;
};
console.log(`board ${board.name} (${board.kind}), workload ${w.id}, ${inputBytes}-byte input, ${repeat} repeats`);
console.log(`command round trip (name%): ${(await time(() => c.session.command("name"))).toFixed(2)} ms`);
const caps = c.session.identity!.caps!;
const saved = { rawMax: caps.rawMax, dbMax: caps.dbMax };
const transfers: [string, { rawMax: number; dbMax: number }][] = [
  ["tinyrig raw dbraw blocks", saved],
  ["tinyrig hex db lines", { rawMax: 0, dbMax: saved.dbMax }],
  ["MLPerf 31-byte hex db lines", { rawMax: 0, dbMax: MLPERF_DB_CHUNK_BYTES }],
];
for (const [label, setting] of transfers) {
  Object.assign(caps, setting);
  const chunk = c.session.rawBlockBytes() || c.session.dbChunkBytes();
  wire = 0;
  const ms = await time(() => c.session.loadInput(input));
  const wireBytes = wire / repeat;
  console.log(
    `input transfer, ${label} (${chunk} B/command): ${ms.toFixed(1)} ms per input = ${((inputBytes / ms) * 1000).toFixed(0)} payload B/s, ${((wireBytes / ms) * 1000).toFixed(0)} wire B/s (${(wireBytes / inputBytes).toFixed(2)} wire bytes per payload byte)`,
  );
}
Object.assign(caps, saved);
// Host overhead in performance mode: what tinyrig itself spends per `infer N 0` exchange (its process's CPU time: send,
// parse, the line queue), and, per inference, the wall time beyond the device's own timed span. On an emulated board the
// device's time is virtual: wall versus device is then the emulator's speed, not overhead, so it is shown as a ratio.
for (const n of [1, 10, 100]) {
  let device = 0;
  const cpu0 = process.cpuUsage();
  const wall = await time(async () => {
    const r = await c.session.infer(n, 0, 120_000);
    device += r.t1Us - r.t0Us;
  });
  const cpu = process.cpuUsage(cpu0);
  const cpuMsPerExchange = (cpu.user + cpu.system) / 1000 / repeat;
  const deviceMs = device / repeat / 1000;
  const timing =
    board.kind === "emulated"
      ? `device ${deviceMs.toFixed(2)} ms virtual (emulator at ${(deviceMs / wall).toFixed(2)}x virtual time)`
      : `device ${deviceMs.toFixed(2)} ms, wall beyond the device ${((wall - deviceMs) / n).toFixed(3)} ms per inference`;
  console.log(
    `infer ${n} 0: wall ${wall.toFixed(2)} ms, ${timing}; tinyrig CPU ${cpuMsPerExchange.toFixed(3)} ms per exchange = ${(cpuMsPerExchange / n).toFixed(4)} ms per inference`,
  );
}
await c.close();

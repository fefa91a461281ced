// tinyrig's raw input transfer against the real firmware in QEMU over its PTY: the bytes land exactly, a block the
// line corrupts is refused by its CRC-32 and sent again, a line that keeps corrupting fails clearly, and a relay that
// cannot carry raw bytes gets hex lines.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findBoard } from "../harness/boards/load.ts";
import { buildFirmware } from "../harness/build/firmware.ts";
import { DutSession } from "../harness/protocol/session.ts";
import { connectBoard, type BoardConnection } from "../harness/run/connect.ts";
import type { Transport } from "../harness/transport/types.ts";
import { loadWorkload } from "../harness/workloads/registry.ts";

let conn: BoardConnection;
const input = Uint8Array.from({ length: 768 }, (_, i) => (i * 37 + 11) & 0xff);

/** The real serial transport, with a line that flips one bit in the first `corrupt` raw blocks it carries. */
function corruptingLine(inner: Transport, corrupt: number, raw = true): Transport & { blocks: number } {
  const line = {
    blocks: 0,
    get description() {
      return `${inner.description} (corrupting)`;
    },
    get closed() {
      return inner.closed;
    },
    carriesRawBytes: raw,
    write(text: string) {
      if (text.startsWith("dbraw ") && line.blocks++ < corrupt) {
        const at = text.length - 5; // a payload byte near the end
        text = text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ 0x10) + text.slice(at + 1);
      }
      return inner.write(text);
    },
    nextLine: (ms: number) => inner.nextLine(ms),
    discardPending: () => inner.discardPending(),
    close: () => inner.close(),
  };
  return line;
}

async function bufferOnDevice(session: DutSession, n: number): Promise<Uint8Array> {
  const lines = await session.command(`db print ${n} 0`);
  return Uint8Array.from(
    lines.flatMap((l) =>
      l
        .replace(/^m-buffer-/, "")
        .split("-")
        .map((h) => parseInt(h, 16)),
    ),
  );
}

beforeAll(async () => {
  const board = findBoard("mps2-an386");
  const w = loadWorkload("vibration");
  const fw = await buildFirmware({ board, modelId: "vib01", modelPath: w.modelPath, inputBytes: 768, transform: "int8", timestampMode: "performance" });
  conn = await connectBoard(board, fw, { mode: "performance", log: () => {} });
}, 300_000);
afterAll(async () => conn?.close());

describe("raw input blocks (dbraw) on the emulated board", () => {
  it("lands every byte, in fewer wire bytes than hex", async () => {
    expect(conn.session.rawBlockBytes()).toBe(1024);
    await conn.session.loadInput(input);
    expect(await bufferOnDevice(conn.session, 768)).toEqual(input);
    expect(conn.session.lastLoadWireBytes).toBeLessThan(768 * 1.1);
  }, 60_000);

  it("a block corrupted on the line is refused by its CRC and sent again", async () => {
    const line = corruptingLine(conn.session.transport, 1);
    const retried: string[] = [];
    const s = new DutSession(line, { trace: (_, l) => l.includes("sending it again") && retried.push(l) });
    s.identity = conn.session.identity;
    await s.loadInput(input);
    expect(retried).toHaveLength(1);
    expect(line.blocks).toBe(2);
    expect(await bufferOnDevice(s, 768)).toEqual(input);
  }, 60_000);

  it("a line that corrupts every block fails, naming the bytes", async () => {
    const s = new DutSession(corruptingLine(conn.session.transport, 99), {});
    s.identity = conn.session.identity;
    await expect(s.loadInput(input)).rejects.toThrow(/input bytes 0\.\.767 arrived corrupted 3 times in a row \(CRC-32 mismatch\)/);
    // the device is still in step afterwards
    expect(await conn.session.command("name")).toEqual(["m-name-dut-[tinyrig-mps2-an386]"]);
  }, 60_000);

  it("a transport that cannot carry raw bytes gets hex db lines", async () => {
    const line = corruptingLine(conn.session.transport, 0, false);
    const s = new DutSession(line, {});
    s.identity = conn.session.identity;
    expect(s.rawBlockBytes()).toBe(0);
    await s.loadInput(input.map((b) => 255 - b));
    expect(line.blocks).toBe(0);
    expect(await bufferOnDevice(s, 768)).toEqual(input.map((b) => 255 - b));
  }, 60_000);
});

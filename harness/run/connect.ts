// Board -> flash -> transport -> protocol session. The one place that turns a board file and a firmware image
// into a device we can talk to, and that tears it all down again.
import type { BoardDefinition } from "../boards/schema.ts";
import { flasherFor } from "../flash/index.ts";
import type { AttachedConsole, FlashImage, FlashResult } from "../flash/types.ts";
import { DutSession, type DutIdentity } from "../protocol/session.ts";
import { waitForUsbSerial } from "../transport/find.ts";
import { SerialTransport } from "../transport/serial.ts";

export interface BoardConnection {
  board: BoardDefinition;
  flash: FlashResult;
  session: DutSession;
  identity: DutIdentity;
  /** The emulator's console, when the board is emulated. */
  console?: AttachedConsole;
  close(): Promise<void>;
}

export interface ConnectOptions {
  mode: "performance" | "accuracy" | "energy";
  log(line: string): void;
  trace?: (direction: "tx" | "rx", line: string) => void;
  signal?: AbortSignal;
  /** Emulated boards: record timestamp-pin edges in virtual time (energy mode). */
  observeTimestampPin?: boolean;
}

export async function connectBoard(board: BoardDefinition, image: FlashImage, opts: ConnectOptions): Promise<BoardConnection> {
  const { flasher, config } = flasherFor(board);
  const flash = await flasher.flash(config, { board, image, log: opts.log, signal: opts.signal, observeTimestampPin: opts.observeTimestampPin });
  opts.log(`${flash.tool}: flashed in ${flash.durationMs} ms`);
  const attached = flash.console;
  try {
    let path: string;
    let baud = 115200;
    if (attached) {
      path = attached.path;
    } else {
      const serial = board.console.serial!;
      // Energy mode talks to the DUT at its energy baud only through an interface board; directly, it keeps its usual speed.
      baud = opts.mode === "energy" && board.interfaceBoard ? serial.baud.energy : (serial.baud[opts.mode === "energy" ? "performance" : opts.mode] ?? serial.baud.performance);
      path = serial.path ?? (await waitForUsbSerial(serial.usb!, 15_000));
    }
    const transport = await SerialTransport.open(path, baud);
    const session = new DutSession(transport, { trace: opts.trace });
    const closeAll = async () => {
      await transport.close();
      await attached?.close();
    };
    try {
      await raceExit(session.sync(), attached);
      const identity = await raceExit(session.identify(), attached);
      opts.log(
        `connected to ${transport.description}: ${identity.name} ${identity.profile} model ${identity.model}` +
          (identity.caps ? ` (tinyrig caps: ${identity.caps.dbMax}-byte db lines)` : " (MLPerf Tiny firmware: 31-byte db lines)"),
      );
      return { board, flash, session, identity, console: attached, close: closeAll };
    } catch (err) {
      await closeAll();
      throw err;
    }
  } catch (err) {
    await attached?.close();
    throw err;
  }
}

/** A protocol step that also fails at once if the emulator dies under it. */
export function raceExit<T>(step: Promise<T>, attached: AttachedConsole | undefined): Promise<T> {
  if (!attached) return step;
  return Promise.race([
    step,
    attached.exited.then((why) => {
      throw new Error(`the emulated board stopped: ${why}`);
    }),
  ]);
}

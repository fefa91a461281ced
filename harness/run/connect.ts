// Board -> flash (or emulator) -> transport -> protocol session. The one place that turns a board file and a firmware
// image into a device we can talk to, and that tears it all down again. A physical board is flashed by its flasher and
// reached on its serial console; an emulated board's emulator loads the image at boot and provides the console.
import type { BoardDefinition } from "../boards/schema.ts";
import type { RunMode } from "../modes/types.ts";
import { startEmulator, type EmulatorConsole } from "../emulator/qemu.ts";
import { flasherFor } from "../flash/index.ts";
import type { FlashImage } from "../flash/types.ts";
import { DutSession, type DutIdentity } from "../protocol/session.ts";
import { findSerialPort } from "../resources/serial-port.ts";
import { InterfaceBoardTransport } from "../transport/interface-board.ts";
import { SerialTransport } from "../transport/serial.ts";
import { consoleKindOf, type ConsoleKind } from "../transport/console-kind.ts";
import type { Transport } from "../transport/types.ts";

/** How the image reached the board: a flasher's run (physical boards), or the emulator loading it at boot. */
export interface ImageLoad {
  /** The flasher's tool name, or the emulator (`qemu`); `manual`: flashed by hand, unconfirmed. */
  by: string;
  argv: string[];
  durationMs: number;
}

export interface BoardConnection {
  board: BoardDefinition;
  loaded: ImageLoad;
  session: DutSession;
  identity: DutIdentity;
  /** The emulator's console, when the board is emulated. */
  console?: EmulatorConsole;
  /** What the console port is: hardware serial, an emulator (even one reached as a plain serial port), another PTY. */
  consoleKind: ConsoleKind;
  close(): Promise<void>;
}

export interface ConnectOptions {
  mode: RunMode;
  log(line: string): void;
  trace?: (direction: "tx" | "rx", line: string) => void;
  signal?: AbortSignal;
  /** Emulated boards: record timestamp-pin edges in virtual time (energy mode). */
  observeTimestampPin?: boolean;
}

export async function connectBoard(board: BoardDefinition, image: FlashImage, opts: ConnectOptions): Promise<BoardConnection> {
  const { loaded, attached } = await loadImage(board, image, opts);
  try {
    const { transport, portPath } = await openConsole(board, attached, opts.mode);
    const consoleKind: ConsoleKind = attached
      ? { kind: "emulator", description: `QEMU ${board.console.emulator?.qemu.machine ?? ""} on ${attached.path}` }
      : consoleKindOf(portPath);
    if (!attached && consoleKind.kind !== "serial")
      opts.log(`console: ${consoleKind.description}${consoleKind.kind === "emulator" ? ": an emulated board, recorded as such" : ""}`);
    // Only a hardware timer runs in real time; an emulator's virtual time may run faster or slower than the host's.
    const session = new DutSession(transport, { trace: opts.trace, realTimeClock: consoleKind.kind === "serial" });
    const closeAll = async () => {
      await transport.close();
      await attached?.close();
    };
    try {
      await raceExit(session.sync(), attached);
      const identity = await raceExit(session.identify(), attached);
      opts.log(
        `connected to ${transport.description}: ${identity.name} ${identity.profile} model ${identity.model}` +
          (identity.caps
            ? ` (tinyrig firmware: ${session.rawBlockBytes() ? `raw input blocks of ${session.rawBlockBytes()} bytes` : `${session.dbChunkBytes()}-byte db lines`})`
            : ` (MLPerf Tiny firmware: ${session.dbChunkBytes()}-byte db lines)`),
      );
      return { board, loaded, session, identity, console: attached, consoleKind, close: closeAll };
    } catch (err) {
      await closeAll();
      throw err;
    }
  } catch (err) {
    await attached?.close();
    throw err;
  }
}

/** Puts the image on the board: the emulator boots it (and gives its console), or the board's flasher writes it. */
export async function loadImage(
  board: BoardDefinition,
  image: FlashImage,
  opts: Pick<ConnectOptions, "log" | "signal" | "observeTimestampPin">,
): Promise<{ loaded: ImageLoad; attached?: EmulatorConsole }> {
  if (board.console.emulator) {
    const attached = await startEmulator(board, image.elf, opts);
    opts.log(`qemu: booted in ${attached.startMs} ms`);
    return { loaded: { by: "qemu", argv: attached.argv, durationMs: attached.startMs }, attached };
  }
  const { flasher, config } = flasherFor(board);
  const flash = await flasher.flash(config, { board, image, log: opts.log, signal: opts.signal });
  opts.log(`${flash.tool}: flashed in ${flash.durationMs} ms`);
  return { loaded: { by: flash.tool, argv: flash.argv, durationMs: flash.durationMs } };
}

/** A protocol step that also fails at once if the emulator dies under it. */
export function raceExit<T>(step: Promise<T>, attached: EmulatorConsole | undefined): Promise<T> {
  if (!attached) return step;
  return Promise.race([
    step,
    attached.exited.then((why) => {
      throw new Error(`the emulated board stopped: ${why}`);
    }),
  ]);
}

/** The transport to the DUT: the emulator's PTY, the board's serial console, or (MLPerf's energy set-up, where the
 * DUT's UART goes to the interface board at its energy baud) the interface board's own port. */
async function openConsole(
  board: BoardDefinition,
  attached: EmulatorConsole | undefined,
  mode: ConnectOptions["mode"],
): Promise<{ transport: Transport; portPath: string }> {
  if (attached) return { transport: await SerialTransport.open(attached.path, 115200), portPath: attached.path };
  const io = mode === "energy" ? board.interfaceBoard : undefined;
  if (io) {
    const portPath = await findSerialPort(io.serial, { what: "serial port", setting: "interfaceBoard.serial.usb.serialNumber", timeoutMs: 15_000 });
    return { transport: new InterfaceBoardTransport(await SerialTransport.open(portPath, io.serial.baud.performance)), portPath };
  }
  const serial = board.console.serial!;
  const baud = mode === "energy" ? serial.baud.performance : (serial.baud[mode] ?? serial.baud.performance);
  const portPath = await findSerialPort(serial, { what: "serial port", setting: "console.serial.usb.serialNumber", timeoutMs: 15_000 });
  return { transport: await SerialTransport.open(portPath, baud), portPath };
}

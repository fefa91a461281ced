// Serial transport over the `serialport` package: USB CDC/UART adapters and QEMU's PTYs alike.
import { SerialPort } from "serialport";
import { LineQueue } from "./line-queue.ts";
import { TransportClosed, type Transport } from "./types.ts";

export class SerialTransport implements Transport {
  private readonly queue = new LineQueue();
  readonly carriesRawBytes = true;

  private constructor(
    private readonly port: SerialPort,
    readonly description: string,
  ) {
    port.on("data", (chunk: Buffer) => this.queue.push(chunk));
    port.on("close", () => this.queue.close(`${description} closed`));
    port.on("error", (err: Error) => this.queue.close(`${description}: ${err.message}`));
  }

  static async open(path: string, baudRate: number): Promise<SerialTransport> {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(new Error(`cannot open serial port ${path}: ${err.message}`)) : resolve())));
    const transport = new SerialTransport(port, `${path} @ ${baudRate}`);
    // Bytes that arrived before we opened belong to nobody's command (a known pitfall of peer tools).
    await new Promise<void>((resolve) => port.flush(() => resolve()));
    return transport;
  }

  /** A port that cannot be written to (the device gone: EIO from a PTY or a USB adapter unplugged) is a closed
   * connection, named as one, whatever the operating system's words for it. */
  async write(text: string): Promise<void> {
    if (this.queue.closedReason !== undefined) throw new TransportClosed(this.queue.closedReason);
    await writeToPort(this.port, Buffer.from(text, "latin1")).catch((err: Error) => {
      throw new TransportClosed(`${this.description}: a write failed (${err.message})`);
    });
  }

  nextLine(timeoutMs: number): Promise<string> {
    return this.queue.next(timeoutMs);
  }

  discardPending(): string[] {
    return this.queue.discard();
  }

  get closed(): boolean {
    return this.queue.isClosed;
  }

  close(): Promise<void> {
    if (!this.port.isOpen) {
      this.queue.close("closed by tinyrig");
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.port.close(() => {
        this.queue.close("closed by tinyrig");
        resolve();
      }),
    );
  }
}

/**
 * Writes bytes and waits until they have left: rejects if the write or the drain fails or the port closes first.
 * serialport queues the drain of a port that closed mid-write "until it opens again" and never calls back; with nothing
 * else pending, Node then ran out of work and exited 13 in the middle of a run (seen under load when a device vanished
 * between a write and its drain). The port's close settles the write instead.
 */
export function writeToPort(port: SerialPort, bytes: Buffer): Promise<void> {
  // a write to a port already closed (or closing) would wait for an "open" that never comes, as the drain does
  if (!port.isOpen) return Promise.reject(new Error("the port is not open"));
  return new Promise((resolve, reject) => {
    const closedMidWrite = () => settle(() => reject(new Error("the port closed before the bytes were sent")));
    const settle = (f: () => void) => {
      port.off("close", closedMidWrite);
      f();
    };
    port.once("close", closedMidWrite);
    port.write(bytes, (err) => {
      if (err) return settle(() => reject(err));
      port.drain((e) => settle(() => (e ? reject(e) : resolve())));
    });
  });
}

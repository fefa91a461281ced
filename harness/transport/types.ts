// A transport carries bytes to and lines from a device under test. Serial ports (QEMU's PTY is one) are the
// first kind; the protocol session above it does not care which.

export interface Transport {
  /** Human-readable identity, e.g. "/dev/pts/3 @ 115200". */
  readonly description: string;
  write(text: string): Promise<void>;
  /** The next complete line (without its line ending). Rejects with TransportTimeout / TransportClosed. */
  nextLine(timeoutMs: number): Promise<string>;
  /** Drops whatever has arrived and not been read (stale bytes from before a command). */
  discardPending(): string[];
  close(): Promise<void>;
  readonly closed: boolean;
  /** A relay between host and DUT may hold fewer bytes per `db` command than the DUT itself. */
  readonly maxDbBytes?: number;
  /** True when any byte written reaches the device unchanged (a direct serial line), so raw input blocks may be sent;
   * a relay that forwards commands line by line is not. */
  readonly carriesRawBytes?: boolean;
}

export class TransportTimeout extends Error {
  constructor(
    readonly waitedMs: number,
    readonly partial: string,
  ) {
    super(`no complete line within ${waitedMs} ms${partial ? ` (partial: ${JSON.stringify(partial)})` : ""}`);
    this.name = "TransportTimeout";
  }
}

/** A relay between the host and the device (MLPerf's interface board) refused what it was asked to pass on. */
export class TransportRefused extends Error {
  constructor(readonly line: string) {
    super(`the interface board refused a command: ${line}`);
    this.name = "TransportRefused";
  }
}

export class TransportClosed extends Error {
  constructor(readonly reason: string) {
    super(`the device's connection closed: ${reason}`);
    this.name = "TransportClosed";
  }
}

// MLPerf Tiny's interface board ("IO manager"): in energy mode the host talks to the DUT through it. Each command
// goes out as `dut <cmd>%`; the board answers `m-dut-passthrough(<cmd>)` and its own `m-ready`, then relays each
// DUT line as `[dut]: <line>`. This transport hides that, so the protocol session above sees a plain DUT.
import { TransportRefused, type Transport } from "./types.ts";

const DUT_PREFIX = "[dut]: ";

/** The interface board's receive queue holds 100 bytes; MLPerf's runner sends 26 data bytes per `db` through it. */
export const INTERFACE_BOARD_DB_BYTES = 26;

export class InterfaceBoardTransport implements Transport {
  readonly description: string;
  /** The board's own lines (passthrough echoes, its m-ready), kept for the run log. */
  readonly boardLines: string[] = [];
  readonly maxDbBytes = INTERFACE_BOARD_DB_BYTES;

  constructor(private readonly board: Transport) {
    this.description = `${board.description} via interface board`;
  }

  write(text: string): Promise<void> {
    // The session writes whole `...%` commands (bytes after the last `%`, none today, are not relayed).
    const commands = text.split("%").slice(0, -1);
    return commands.reduce<Promise<void>>((p, cmd) => p.then(() => this.board.write(`dut ${cmd}%`)), Promise.resolve());
  }

  async nextLine(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = await this.board.nextLine(Math.max(1, deadline - Date.now()));
      if (line.startsWith(DUT_PREFIX)) return line.slice(DUT_PREFIX.length);
      if (line.startsWith("e-")) throw new TransportRefused(line);
      this.boardLines.push(line); // m-dut-passthrough(...), the board's own m-ready
    }
  }

  discardPending(): string[] {
    return this.board.discardPending();
  }

  close(): Promise<void> {
    return this.board.close();
  }

  get closed(): boolean {
    return this.board.closed;
  }
}

// Splits a byte stream into lines and hands them to waiters, with timeouts.
import { TransportClosed, TransportTimeout } from "./types.ts";

interface Waiter {
  resolve(line: string): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** Longest line kept before it is cut: a device spewing bytes without newlines must not eat memory. */
export const MAX_LINE_BYTES = 64 * 1024;

export class LineQueue {
  private partial = "";
  private readonly lines: string[] = [];
  private readonly waiters: Waiter[] = [];
  private closedBecause: string | undefined;

  /** Feed raw bytes. Bytes are kept as latin1 so a garbage byte stays visible as itself in errors. */
  push(chunk: Buffer): void {
    this.partial += chunk.toString("latin1");
    let nl: number;
    while ((nl = this.partial.indexOf("\n")) >= 0) {
      this.deliver(this.partial.slice(0, nl).replace(/\r$/, ""));
      this.partial = this.partial.slice(nl + 1);
    }
    if (this.partial.length > MAX_LINE_BYTES) {
      this.deliver(this.partial);
      this.partial = "";
    }
  }

  private deliver(line: string): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(line);
    } else {
      this.lines.push(line);
    }
  }

  next(timeoutMs: number): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.closedBecause !== undefined) return Promise.reject(new TransportClosed(this.closedBecause));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new TransportTimeout(timeoutMs, this.partial));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  discard(): string[] {
    const dropped = this.lines.splice(0);
    if (this.partial) dropped.push(this.partial);
    this.partial = "";
    return dropped;
  }

  close(reason: string): void {
    if (this.closedBecause !== undefined) return;
    this.closedBecause = reason;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new TransportClosed(reason));
    }
  }

  /** Why the line closed, once it has. */
  get closedReason(): string | undefined {
    return this.closedBecause;
  }

  get isClosed(): boolean {
    return this.closedBecause !== undefined;
  }
}

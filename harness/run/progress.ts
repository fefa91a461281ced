// Progress of long work: a bar with rate and ETA on a terminal, JSON lines on anything else (CI logs, pipes).
import cliProgress from "cli-progress";

export interface Progress {
  /** Starts (or restarts) a task of `total` units. */
  start(task: string, total: number, unit: string): void;
  update(done: number): void;
  stop(): void;
  /** A log line that must not tear the bar. */
  log(line: string): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, json = !stream.isTTY): Progress {
  return json ? new JsonLinesProgress(stream) : new BarProgress(stream);
}

class BarProgress implements Progress {
  private bar: cliProgress.SingleBar | undefined;
  constructor(private readonly stream: NodeJS.WriteStream) {}

  start(task: string, total: number, unit: string): void {
    this.stop();
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.stream,
        format: `${task.padEnd(40).slice(0, 40)} {bar} {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, { rate: "-" });
    this.startedAt = Date.now();
  }

  private startedAt = 0;

  update(done: number): void {
    const seconds = (Date.now() - this.startedAt) / 1000;
    this.bar?.update(done, { rate: seconds > 0 ? (done / seconds).toFixed(1) : "-" });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  log(line: string): void {
    if (this.bar) {
      // Clear the bar's line, write ours, let the bar redraw below it.
      this.stream.write(`\r\x1b[K${line}\n`);
      this.bar.render();
    } else {
      this.stream.write(`${line}\n`);
    }
  }
}

class JsonLinesProgress implements Progress {
  private task = "";
  private total = 0;
  private unit = "";
  private startedAt = 0;
  private lastEmit = 0;
  constructor(private readonly stream: NodeJS.WriteStream) {}

  start(task: string, total: number, unit: string): void {
    Object.assign(this, { task, total, unit, startedAt: Date.now(), lastEmit: 0 });
    this.emit(0);
  }

  update(done: number): void {
    // At most one line a second, and always the last one.
    if (done < this.total && Date.now() - this.lastEmit < 1000) return;
    this.emit(done);
  }

  private emit(done: number): void {
    this.lastEmit = Date.now();
    const seconds = (this.lastEmit - this.startedAt) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (this.total - done) / rate : null;
    this.stream.write(
      JSON.stringify({ progress: this.task, done, total: this.total, unit: this.unit, rate: round(rate), etaSeconds: eta === null ? null : round(eta) }) + "\n",
    );
  }

  stop(): void {}

  log(line: string): void {
    this.stream.write(`${line}\n`);
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

// A protocol session with one device under test: MLPerf Tiny's command/`m-ready` exchange over a transport.
// It knows the wire protocol and nothing about run modes, stores or boards.
import { writeFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { crc32 } from "node:zlib";
import { MAX_LINE_BYTES } from "../transport/line-queue.ts";
import { TransportTimeout, type Transport } from "../transport/types.ts";
import { DutError, ProtocolError, describeGarbage, parseBracketKv, parseLapUs, parseOutRaw, parseResults, resultSteps } from "./parse.ts";

/** What `caps%` reports; absent on unmodified MLPerf Tiny firmware. */
export interface DutCaps {
  proto: number;
  lineMax: number;
  dbMax: number;
  outRaw: boolean;
  arenaUsed?: number;
  arenaSize?: number;
  modelBytes?: number;
  inputBytes?: number;
  outputBytes?: number;
  /** Largest raw block one `dbraw` command carries (0: no raw transfer). */
  rawMax: number;
  /** The firmware pulses its timestamp pin on request (`pins window|phases`). */
  pins: boolean;
  /** `dbfile K PATH`: the firmware reads its input from a host file (an emulated board's semihosting). */
  fileInput: boolean;
  /** `build=`: the build id the harness computed for the image (16 hex digits, harness/build/firmware.ts
   * firmwareBuildId); absent from hand builds and older tinyrig firmware. */
  buildId?: string;
  raw: Record<string, string>;
}

/** What the timestamp pin shows: nothing beyond MLPerf's energy-mode timestamps, every timestamp, or also phases. */
export type PinsMode = "off" | "window" | "phases";

export interface DutIdentity {
  /** `m-name-dut-[...]` */
  name: string;
  /** `m-profile-[...]` (firmware version string) */
  profile: string;
  /** `m-model-[kws01|...]` */
  model: string;
  /** `m-timestamp-mode-...` seen at boot, when we saw the boot lines. */
  timestampMode?: "performance" | "energy";
  caps?: DutCaps;
}

export interface InferReply {
  iterations: number;
  warmup: number;
  /** The two timestamps around the timed loop (the last two `m-lap-us` lines of the reply); t1Us unwrapped past 2^32
   * where MLPerf firmware's 32-bit count wrapped within the window (so t1Us - t0Us is the window). */
  t0Us: number;
  t1Us: number;
  /** (t1 - t0) / iterations */
  latencyUs: number;
  results: number[];
  /** The step of each result's last printed digit (0.001 for "0.992"): the precision the device printed it at. */
  resultSteps: number[];
}

export interface SessionOptions {
  /** Every line in and out, for the run log. */
  trace?: (direction: "tx" | "rx", line: string) => void;
  /** Default time a command may take before the device is declared hung. */
  commandTimeoutMs?: number;
  /** The device's timer runs in real time (hardware, not an emulator's virtual time): a window it times cannot last
   * longer than the exchange did on the host's clock. */
  realTimeClock?: boolean;
}

/** What `infer` must print besides its timestamps. */
export interface InferExpectations {
  /** False on energy-mode firmware: no timestamps (t0/t1 are NaN). */
  timestamps?: boolean;
  /** Values the results vector must have: the model's outputs (classes, or 1 for an anomaly score). */
  outputs?: number;
}

/** Lines firmware prints only when it starts (MLPerf's reference firmware and tinyrig's): seen mid-command, the board
 * has reset under the command. */
const BOOT_LINES = new Set(["m-timestamp-mode-performance", "m-timestamp-mode-energy", "m-init-done"]);

/** MLPerf Tiny firmware's command buffer holds 80 characters; its runner sends 31 bytes per `db` command. */
export const MLPERF_DB_CHUNK_BYTES = 31;
/** MLPerf's `m-lap-us-%lu` is a 32-bit microsecond count on its targets: it wraps at 2^32. */
const LAP_US_WRAP = 2 ** 32;
/**
 * Why firmware in one timestamp mode (MLPerf's EE_CFG_ENERGY_MODE, its boot line `m-timestamp-mode-...`) cannot take
 * the other mode's measurement; `seen` says how the mode was found (its boot line, or an infer's reply).
 */
export function timestampModeRefusal(seen: string, mode: "performance" | "energy"): string {
  return mode === "performance"
    ? `${seen} performance mode (m-timestamp-mode-performance): its timestamps are m-lap-us lines, not pin pulses, so MLPerf's energy flow has no edges to measure between; give it MLPerf's energy-mode build (EE_CFG_ENERGY_MODE=1)`
    : `${seen} energy mode (m-timestamp-mode-energy): it prints no m-lap-us timestamps, so it measures energy only (--mode energy --energy-flow mlperf); latency and accuracy need its performance-mode build`;
}

/** The largest raw block tinyrig firmware takes (`raw-max` in caps is at most this). */
export const RAW_BLOCK_MAX = 1024;

export class DutSession {
  private readonly trace: NonNullable<SessionOptions["trace"]>;
  private readonly commandTimeoutMs: number;
  private readonly realTimeClock: boolean;
  /** Lines that were neither protocol nor garbage (firmware debug prints), kept for the run log. */
  readonly strayLines: string[] = [];
  identity: DutIdentity | undefined;
  /** Bytes the last loadInput put on the wire (commands, hex or raw payload), for modelling the transfer's energy. */
  lastLoadWireBytes = 0;
  /** Set by useInputFile: inputs go through this host file instead of the line. */
  private inputFile: string | undefined;
  private wireBytesSent = 0;

  constructor(
    readonly transport: Transport,
    options: SessionOptions = {},
  ) {
    this.trace = options.trace ?? (() => {});
    this.commandTimeoutMs = options.commandTimeoutMs ?? 10_000;
    this.realTimeClock = options.realTimeClock ?? false;
  }

  /**
   * Brings the device to a known state: a PTY opened after boot may have missed the boot lines, and a device
   * left mid-command by a previous run may hold half a command. Sends `name%` until an `m-ready` follows a name line
   * (a half command makes the first one unknown; the next is answered). Boot lines seen on the way are noted.
   * Never an empty command (`%` alone): MLPerf's parser (benchmark/api/internally_implemented.cpp) passes strtok's
   * NULL for it to strncmp and printf. On mps2-an386, where address 0 is readable flash, its image answered
   * `e-[Unknown command: 0` with no line end; on a core where reading address 0 faults, the firmware would stop.
   */
  async sync(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let timestampMode: DutIdentity["timestampMode"];
    let lastSeen = "";
    for (let attempt = 1; Date.now() < deadline; attempt++) {
      // A device left in the middle of a raw input block takes the next bytes as data: from the third attempt on,
      // fill any such block (at most RAW_BLOCK_MAX bytes) with `x`, which is otherwise the start of one unknown (or,
      // on tinyrig firmware, too long) command that this attempt's `name%` ends.
      await this.send(`${attempt >= 3 && attempt % 2 === 1 ? "x".repeat(RAW_BLOCK_MAX) : ""}name%`);
      let sawName = false;
      const attemptEnd = Math.min(deadline, Date.now() + 1500);
      while (Date.now() < attemptEnd) {
        let line: string;
        try {
          line = await this.transport.nextLine(Math.max(1, attemptEnd - Date.now()));
        } catch (err) {
          if (err instanceof TransportTimeout) break;
          throw err;
        }
        this.trace("rx", line);
        lastSeen = line;
        if (line === "m-timestamp-mode-performance") timestampMode = "performance";
        if (line === "m-timestamp-mode-energy") timestampMode = "energy";
        if (line.startsWith("m-name-")) sawName = true;
        if (line === "m-ready" && sawName) {
          // Whatever else is still in flight belongs to the attempts before this one.
          await delay(50);
          for (const stale of this.transport.discardPending()) this.trace("rx", `${stale} (discarded)`);
          this.identity = { name: "", profile: "", model: "", timestampMode };
          return;
        }
      }
    }
    throw new ProtocolError(
      `no answer to "name%" from ${this.transport.description} within ${timeoutMs} ms` +
        (lastSeen ? ` (last line: ${JSON.stringify(lastSeen.slice(0, 80))})` : " (nothing received)"),
    );
  }

  /**
   * Sends `cmd%` (and, for `dbraw`, the raw bytes right after it) and returns the lines before `m-ready`. An `e-` line
   * throws DutError after `m-ready`.
   */
  async command(cmd: string, timeoutMs = this.commandTimeoutMs, rawPayload?: Uint8Array): Promise<string[]> {
    await this.send(`${cmd}%`, rawPayload);
    const lines: string[] = [];
    let error: string | undefined;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let line: string;
      try {
        line = await this.transport.nextLine(Math.max(1, deadline - Date.now()));
      } catch (err) {
        if (err instanceof TransportTimeout) {
          const last = lines.at(-1);
          throw new ProtocolError(
            `the device did not finish "${cmd}" within ${timeoutMs} ms` +
              (last ? ` (last line: ${JSON.stringify(last.slice(0, 80))})` : " (no answer at all)") +
              (err.partial ? `; partial line of ${err.partial.length} bytes ${JSON.stringify(err.partial.slice(0, 80))}` : ""),
          );
        }
        throw err;
      }
      this.trace("rx", line);
      if (line.length > MAX_LINE_BYTES) {
        throw new ProtocolError(
          `the device sent more than ${MAX_LINE_BYTES} bytes without a line end while answering "${cmd}" (starting ${JSON.stringify(line.slice(0, 40))})`,
        );
      }
      const garbage = describeGarbage(line);
      if (garbage) throw new ProtocolError(`garbage on the serial line while waiting for "${cmd}": ${garbage}`);
      if (BOOT_LINES.has(line)) throw new ProtocolError(`board reset during "${cmd}": it printed its boot line ${line} again`);
      if (line === "m-ready") break;
      if (line.startsWith("e-")) {
        error ??= line;
        continue;
      }
      if (line.startsWith("m-")) lines.push(line);
      else if (line.trim() !== "") this.strayLines.push(line);
    }
    if (error) throw new DutError(cmd, error);
    return lines;
  }

  /** name, profile and (on tinyrig firmware) caps. Unmodified MLPerf firmware answers caps with an error. */
  async identify(): Promise<DutIdentity> {
    const nameLines = await this.command("name");
    const profileLines = await this.command("profile");
    const name = bracket(nameLines, "m-name-dut-") ?? bracket(nameLines, "m-name-") ?? "";
    const profile = bracket(profileLines, "m-profile-") ?? "";
    const model = bracket(profileLines, "m-model-") ?? "";
    let caps: DutCaps | undefined;
    try {
      const capsLine = (await this.command("caps")).find((l) => l.startsWith("m-caps-["));
      if (capsLine) caps = parseCaps(capsLine);
    } catch (err) {
      if (!(err instanceof DutError)) throw err; // e-[Unknown command: caps]: MLPerf firmware, fall back
    }
    this.identity = { name, profile, model, timestampMode: this.identity?.timestampMode, caps };
    return this.identity;
  }

  /** Bytes of input a single `db` command may carry on this device. */
  dbChunkBytes(): number {
    const relay = this.transport.maxDbBytes ?? Number.POSITIVE_INFINITY;
    const caps = this.identity?.caps;
    if (!caps) return Math.min(MLPERF_DB_CHUNK_BYTES, relay);
    // "db " + hex + "%" must fit the command buffer (one byte kept for the terminator).
    const byLine = Math.floor((caps.lineMax - 5) / 2);
    return Math.max(1, Math.min(byLine, caps.dbMax || byLine, relay));
  }

  /** Bytes per raw block on this device and line, 0 when input must go as hex `db` lines. */
  rawBlockBytes(): number {
    if (!this.transport.carriesRawBytes) return 0;
    return Math.min(this.identity?.caps?.rawMax ?? 0, RAW_BLOCK_MAX);
  }

  /**
   * `db load N`, then the bytes: raw `dbraw` blocks with a CRC-32 where the firmware takes them (a block the device
   * got wrong is sent again, up to twice), MLPerf's hex `db` lines otherwise. The device must answer `m-load-done`.
   */
  async loadInput(bytes: Uint8Array, onProgress?: (sent: number, total: number) => void): Promise<void> {
    const sentBefore = this.wireBytesSent;
    await this.armInputBuffer(bytes.length);
    if (this.inputFile) {
      writeFileSync(this.inputFile, bytes);
      const lines = await this.command(`dbfile ${bytes.length} ${this.inputFile}`);
      if (!lines.includes("m-load-done")) throw new ProtocolError(`"dbfile ${bytes.length}" was answered ${JSON.stringify(lines)}, not m-load-done`);
      onProgress?.(bytes.length, bytes.length);
      this.lastLoadWireBytes = this.wireBytesSent - sentBefore;
      return;
    }
    const raw = this.rawBlockBytes();
    const chunk = raw || this.dbChunkBytes();
    let done = false;
    for (let off = 0; off < bytes.length; off += chunk) {
      const part = bytes.subarray(off, Math.min(bytes.length, off + chunk));
      const lines = raw ? await this.rawBlock(part, off) : await this.command(`db ${Buffer.from(part).toString("hex")}`);
      if (lines.includes("m-load-done")) done = true;
      onProgress?.(Math.min(bytes.length, off + chunk), bytes.length);
    }
    if (!done) throw new ProtocolError(`the device never answered m-load-done after ${bytes.length} bytes`);
    this.lastLoadWireBytes = this.wireBytesSent - sentBefore;
  }

  /**
   * `db load N`, which must be answered `m-[Expecting N bytes]` before any byte is sent. MLPerf's own protocol code
   * (benchmark/api/internally_implemented.cpp) answers a load larger than its buffer (MAX_DB_INPUT_SIZE, 490 bytes in
   * its keyword-spotting reference) with a plain `Supplied buffer size N exceeds maximum of M` line and no `e-`,
   * keeps N, and would then write every `db` byte past M beyond its buffer.
   */
  private async armInputBuffer(n: number): Promise<void> {
    const cmd = `db load ${n}`;
    const strayBefore = this.strayLines.length;
    const lines = await this.command(cmd);
    if (lines.includes(`m-[Expecting ${n} bytes]`)) return;
    const answer = [...lines, ...this.strayLines.slice(strayBefore)];
    const limit = answer.map((l) => /exceeds maximum of (\d+)/.exec(l)?.[1]).find((m) => m !== undefined);
    throw new ProtocolError(
      `the device answered "${cmd}" with ${answer.length ? answer.map((l) => JSON.stringify(l.slice(0, 120))).join(", ") : "nothing"}, not m-[Expecting ${n} bytes]` +
        (limit !== undefined ? `: its input buffer holds ${limit} bytes, this input is ${n}` : "") +
        " (no input byte was sent: the firmware would write them past its buffer)",
    );
  }

  private async rawBlock(part: Uint8Array, offset: number): Promise<string[]> {
    const header = `dbraw ${part.length} ${crc32(part).toString(16).padStart(8, "0")}`;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.command(header, this.commandTimeoutMs, part);
      } catch (err) {
        const corrupted = err instanceof DutError && err.errorLine.includes("CRC-32 mismatch");
        if (!corrupted || attempt === 3) {
          throw corrupted
            ? new ProtocolError(
                `input bytes ${offset}..${offset + part.length - 1} arrived corrupted ${attempt} times in a row (CRC-32 mismatch): the line is losing or changing bytes`,
              )
            : err;
        }
        this.trace("rx", `(block at byte ${offset} corrupted on the line: sending it again)`);
      }
    }
  }

  /**
   * From now on inputs travel through the host file `file` (`dbfile`: an emulated board reads it through QEMU's
   * semihosting) instead of the line; the commands and answers stay on the line. Refused where the firmware lacks it.
   */
  useInputFile(file: string): void {
    if (!this.identity?.caps?.fileInput)
      throw new ProtocolError("the firmware does not read input from a host file (no file-input in its caps): build it for --input-channel file");
    if (/[\s%]/.test(file) || file.length > 200)
      throw new ProtocolError(`${file}: the device's command line cannot carry this path (spaces, % or over 200 characters)`);
    this.inputFile = file;
  }

  /** Asks tinyrig firmware to pulse its timestamp pin at every timestamp (`window`) and also at phase bounds. */
  async setPins(mode: PinsMode): Promise<void> {
    if (!this.identity?.caps?.pins)
      throw new ProtocolError(`the device does not pulse its timestamp pin on request (no pins in its caps): "pins ${mode}" needs tinyrig firmware`);
    const lines = await this.command(`pins ${mode}`);
    if (!lines.includes(`m-pins-[${mode}]`)) throw new ProtocolError(`"pins ${mode}" was answered ${JSON.stringify(lines)}`);
  }

  /**
   * `infer N W`; the timed loop is between the last two `m-lap-us` lines. Energy-mode firmware prints no timestamps
   * (its pin marks the window for the power monitor): with `timestamps: false` the reply has none and t0/t1 are NaN.
   * What cannot be a measurement is a protocol error naming the lines received: a results vector of the wrong length
   * or with a value that is not a finite number, a window of zero or negative length, or (on a real-time clock) one
   * longer than the exchange lasted.
   */
  async infer(iterations: number, warmup: number, timeoutMs: number, expect: InferExpectations = {}): Promise<InferReply> {
    const cmd = `infer ${iterations} ${warmup}`;
    const sent = performance.now();
    const strayBefore = this.strayLines.length;
    const lines = await this.command(cmd, timeoutMs);
    const hostUs = (performance.now() - sent) * 1000;
    // MLPerf's reference submissions (all four th_load_tensor) print this plain line when the bytes loaded are not
    // their model's input, and then infer on whatever input the model held before
    const shortInput = this.strayLines.slice(strayBefore).find((l) => /^Input db has \d+ element/.test(l));
    if (shortInput) {
      throw new ProtocolError(
        `"${cmd}": the device said ${JSON.stringify(shortInput.slice(0, 120))}: the input loaded is not the size its model takes, so it ran on a stale input (is the image's model the one named for this run?)`,
      );
    }
    const resultLine = lines.find((l) => l.startsWith("m-results-"));
    if (!resultLine) throw new ProtocolError(`"${cmd}" printed no m-results line`);
    const results = parseResults(resultLine)!;
    const steps = resultSteps(resultLine);
    if (expect.outputs !== undefined && results.length !== expect.outputs) {
      throw new ProtocolError(`"${cmd}" answered ${resultLine.slice(0, 200)}: ${results.length} values, the model has ${expect.outputs} outputs`);
    }
    const laps = lines.map(parseLapUs).filter((v): v is number => v !== undefined);
    // The firmware's timestamp mode, where its boot line was missed (a PTY opened after boot), shows here: an
    // energy-mode build pulses its pin and prints no m-lap-us line, a performance-mode one prints them and never pulses.
    if (expect.timestamps === false) {
      if (laps.length > 0) throw new ProtocolError(timestampModeRefusal(`"${cmd}" printed m-lap-us timestamps: the firmware is in`, "performance"));
      return { iterations, warmup, t0Us: Number.NaN, t1Us: Number.NaN, latencyUs: Number.NaN, results, resultSteps: steps };
    }
    // none at all: energy mode, where the boot line said so or (firmware without caps) was missed
    const mode = this.identity?.timestampMode;
    if (laps.length === 0 && (mode === "energy" || (mode === undefined && !this.identity?.caps)))
      throw new ProtocolError(timestampModeRefusal(`"${cmd}" gave no timestamps: the firmware is in`, "energy"));
    if (laps.length < 2) throw new ProtocolError(`"${cmd}" gave ${laps.length} timestamp(s); two are needed`);
    const t0Us = laps.at(-2)!;
    let t1Us = laps.at(-1)!;
    if (t1Us < t0Us && this.wraps32(t0Us, t1Us)) t1Us += LAP_US_WRAP;
    if (t1Us < t0Us) throw new ProtocolError(`the device's timer went backwards: m-lap-us-${t0Us} then m-lap-us-${t1Us}`);
    if (t1Us === t0Us)
      throw new ProtocolError(`"${cmd}" timed ${iterations} inferences at zero: m-lap-us-${t0Us} then m-lap-us-${t1Us} (is the device's timer running?)`);
    if (this.realTimeClock && t1Us - t0Us > hostUs * 1.05 + 100_000) {
      throw new ProtocolError(
        `"${cmd}" timed ${((t1Us - t0Us) / 1e6).toFixed(3)} s (m-lap-us-${t0Us} then m-lap-us-${t1Us}) in an exchange that lasted ` +
          `${(hostUs / 1e6).toFixed(3)} s on the host's clock: the device's timer or its tick rate is wrong`,
      );
    }
    return { iterations, warmup, t0Us, t1Us, latencyUs: (t1Us - t0Us) / iterations, results, resultSteps: steps };
  }

  /**
   * MLPerf's API prints its timestamps as `m-lap-us-%lu`, and `unsigned long` is 32 bits on the Cortex-M and RISC-V
   * cores it runs on: the count wraps every 2^32 us (71.6 min of uptime, e.g. mbed's us_ticker_read() on the reference
   * boards), and a window across the wrap ends below its start. Only on firmware without caps (tinyrig's own prints
   * 64 bits, where a step back is a fault), with both stamps below 2^32, and for a window under 2^31 us (35.8 min,
   * longer than any window tinyrig times) once unwrapped; anything else stays a timer that went backwards.
   */
  private wraps32(t0Us: number, t1Us: number): boolean {
    return !this.identity?.caps && t0Us < LAP_US_WRAP && t1Us + LAP_US_WRAP - t0Us < LAP_US_WRAP / 2;
  }

  /** The raw int8 output of the last inference (tinyrig firmware only). */
  async outputRaw(): Promise<Uint8Array | undefined> {
    if (!this.identity?.caps?.outRaw) return undefined;
    const line = (await this.command("outraw")).find((l) => l.startsWith("m-outraw-"));
    return line ? parseOutRaw(line) : undefined;
  }

  private async send(text: string, rawPayload?: Uint8Array): Promise<void> {
    this.trace("tx", rawPayload ? `${text} <${rawPayload.length} raw bytes>` : text);
    this.wireBytesSent += text.length + (rawPayload?.length ?? 0);
    await this.transport.write(rawPayload ? text + Buffer.from(rawPayload).toString("latin1") : text);
  }
}

function bracket(lines: string[], prefix: string): string | undefined {
  const line = lines.find((l) => l.startsWith(`${prefix}[`));
  return line ? line.slice(prefix.length + 1, line.lastIndexOf("]")) : undefined;
}

export function parseCaps(line: string): DutCaps {
  const kv = parseBracketKv(line, "m-caps-");
  if (!kv) throw new ProtocolError(`malformed caps line: ${line.slice(0, 120)}`);
  const int = (key: string): number | undefined => {
    if (kv[key] === undefined) return undefined;
    const v = Number(kv[key]);
    if (!Number.isInteger(v) || v < 0) throw new ProtocolError(`caps field ${key}=${kv[key]} is not a byte count`);
    return v;
  };
  return {
    proto: int("proto") ?? 0,
    lineMax: int("line-max") ?? 80,
    dbMax: int("db-max") ?? MLPERF_DB_CHUNK_BYTES,
    outRaw: kv["out-raw"] === "1",
    arenaUsed: int("arena"),
    arenaSize: int("arena-size"),
    modelBytes: int("model-bytes"),
    inputBytes: int("input-bytes"),
    outputBytes: int("output-bytes"),
    rawMax: int("raw-max") ?? 0,
    pins: kv["pins"] === "1",
    fileInput: kv["file-input"] === "1",
    buildId: buildIdField(kv["build"]),
    raw: kv,
  };
}

function buildIdField(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^[0-9a-f]{16}$/.test(v)) throw new ProtocolError(`caps field build=${v} is not a build id (16 lowercase hex digits)`);
  return v;
}

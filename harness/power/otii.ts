// Qoitech Otii Arc / Ace through the Otii 3 TCP server (the desktop app's or otii-server's, default port 1905; the
// Automation Toolbox licence must already be reserved there): the driver. The server's JSON protocol is in
// otii-protocol.ts, the edge detection and integration in otii-decoder.ts.
//
// Energy: the DUT's timestamp pin goes to a GPI (i1/i2), recorded as a digital channel whose changes carry their own
// timestamps, between current samples. Each window's energy is integrated here from the recorded main current (`mc`)
// between those timestamps, counting the fractions of the samples they cut, rather than asked of the server
// (`recording_get_channel_statistics`): how the server treats a window edge that falls inside a sample, and which
// voltage its `energy` uses, is not documented; at the Arc's 4 kS/s a whole sample at each end would be up to 0.5% of
// a 100 ms window. Integrating also checks the samples' timestamps for gaps and gives the same raw trace as the other
// monitors. Voltage: the main output's set voltage (the Arc regulates it). The GPI's and the current's timestamps are
// taken as one timebase, the recording's (Qoitech's sync_with_log example bounds `mc` statistics by `rx` timestamps).
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import type { BoardDefinition } from "../boards/schema.ts";
import { fallingEdges, integrateSpans } from "./otii-decoder.ts";
import {
  analogReply,
  CHUNK,
  countReply,
  devicesReply,
  digitalReply,
  OTII_DEFAULT_PORT,
  OtiiClient,
  projectReply,
  recordingReply,
  reply,
  valueReply,
} from "./otii-protocol.ts";
import { waitForEdges } from "./sampled-energy.ts";
import { EnergyError, type EdgeSpans, type EnergyMeter, type PowerMonitorDriver } from "./types.ts";

export const otiiSchema = z
  .object({
    driver: z.literal("otii"),
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(1).max(65535).default(OTII_DEFAULT_PORT),
    /** Which Arc/Ace of the server's: by name or device id; absent: the only one. */
    device: z.object({ name: z.string().optional(), id: z.string().optional() }).strict().optional(),
    /** Main output voltage: the DUT's supply. Energy is this voltage x the recorded main current. */
    voltageV: z.number().min(0.5).max(5),
    maxCurrentA: z.number().positive().max(5).optional(),
    /** GPI input wired to the DUT's timestamp pin; its falling edges bound the windows. */
    timestampPin: z.enum(["i1", "i2"]),
    /** Main current sample rate; only an Ace can change it (an Arc records at its fixed rate). */
    sampleRateHz: z.number().int().positive().optional(),
  })
  .strict();
export type OtiiConfig = z.output<typeof otiiSchema>;

// ---- the monitor --------------------------------------------------------------------------------------------------

export interface OtiiOptions {
  host: string;
  port: number;
  device?: { name?: string; id?: string };
  voltageV: number;
  maxCurrentA?: number;
  timestampPin: "i1" | "i2";
  sampleRateHz?: number;
  commandTimeoutMs?: number;
  /** How often the recording's timestamp channel is read while waiting for edges. */
  pollMs?: number;
  log?: (line: string) => void;
}

export class OtiiMonitor implements EnergyMeter {
  readonly kind = "measured" as const;
  identity: string;
  readonly voltageV: number;
  sampleRateHz: number | undefined;
  private projectId = -1;
  private recordingId = -1;
  private recording = false;
  private mainOn = false;
  private failure: Error | undefined;
  private poller: NodeJS.Timeout | undefined;
  private polling = false;
  // timestamp channel state
  private digitalRead = 0; // values of the digital channel already read
  private level: boolean | undefined;
  private edges: number[] = []; // recording timestamps (s) of falling edges not yet consumed
  // main current channel geometry, from its first value
  private mc: { t0: number; interval: number } | undefined;

  private constructor(
    private readonly client: OtiiClient,
    readonly deviceId: string,
    private readonly opts: OtiiOptions,
  ) {
    this.voltageV = opts.voltageV;
    this.identity = `Qoitech Otii device ${deviceId}`;
  }

  /** Connects, finds the device and the project, reads the current channel's sample rate; closes again on failure. */
  static async open(opts: OtiiOptions): Promise<OtiiMonitor> {
    const client = await OtiiClient.connect(opts.host, opts.port, { timeoutMs: opts.commandTimeoutMs, log: opts.log });
    try {
      const { devices } = reply(
        "otii_get_devices",
        devicesReply,
        await client.request("otii_get_devices", { timeout: 3 }, (opts.commandTimeoutMs ?? 5000) + 3000),
      );
      const arcs = devices.filter((d) => d.type === "Arc" || d.type === "Ace");
      const want = opts.device;
      const match = arcs.filter((d) => (want?.id === undefined || d.device_id === want.id) && (want?.name === undefined || d.name === want.name));
      const list = devices.map((d) => `${d.name} (${d.type}, id ${d.device_id})`).join(", ") || "none";
      if (match.length === 0)
        throw new EnergyError(
          `the Otii server at ${opts.host}:${opts.port} has no Arc or Ace${want ? ` named ${JSON.stringify(want.name ?? want.id)}` : ""}; it has: ${list}`,
        );
      if (match.length > 1)
        throw new EnergyError(
          `the Otii server at ${opts.host}:${opts.port} has ${match.length} Arc/Ace devices (${list}); set powerMonitor.device.name or .id`,
        );
      const dev = match[0]!;
      const m = new OtiiMonitor(client, dev.device_id, opts);
      await m.request("arc_add_to_project", {});
      if (opts.sampleRateHz !== undefined) await m.request("arc_set_channel_samplerate", { channel: "mc", value: opts.sampleRateHz });
      m.sampleRateHz = reply("arc_get_channel_samplerate", valueReply, await m.request("arc_get_channel_samplerate", { channel: "mc" })).value;
      let project = reply("otii_get_active_project", projectReply, await client.request("otii_get_active_project")).project_id;
      if (project === -1) project = reply("otii_create_project", projectReply, await client.request("otii_create_project")).project_id;
      m.projectId = project;
      m.identity =
        `Qoitech Otii ${dev.type} "${dev.name}" (id ${dev.device_id}) via ${client.server?.server ?? "Otii"} ${client.server?.otii_version ?? "?"} at ${opts.host}:${opts.port}, ` +
        `main ${opts.voltageV} V, ${m.sampleRateHz} S/s, timestamp ${opts.timestampPin}`;
      return m;
    } catch (err) {
      await client.close();
      throw err;
    }
  }

  /** Main voltage, channels, a new recording, then the DUT's supply on. */
  async begin(): Promise<void> {
    await this.request("arc_set_main_voltage", { value: this.opts.voltageV });
    if (this.opts.maxCurrentA !== undefined) await this.request("arc_set_max_current", { value: this.opts.maxCurrentA });
    await this.request("arc_enable_channel", { channel: "mc", enable: true });
    await this.request("arc_enable_channel", { channel: this.opts.timestampPin, enable: true });
    await this.client.request("project_start_recording", { project_id: this.projectId });
    this.recording = true;
    this.recordingId = reply(
      "project_get_last_recording",
      recordingReply,
      await this.client.request("project_get_last_recording", { project_id: this.projectId }),
    ).recording_id;
    await this.request("arc_set_main", { enable: true });
    this.mainOn = true;
    this.poller = setInterval(() => void this.pollEdges(), this.opts.pollMs ?? 50);
  }

  discardEdges(): void {
    this.edges = [];
  }

  async nextSpans(edges: number, timeoutMs: number, opts: { trace?: boolean } = {}): Promise<EdgeSpans> {
    if (edges < 2) throw new EnergyError(`a span needs 2 edges, asked for ${edges}`);
    const deadline = Date.now() + timeoutMs;
    await waitForEdges(edges, timeoutMs, {
      pending: () => this.edges.length,
      failure: () => this.failure,
      completed: () => false,
      monitor: "Otii",
      hint: `is GPI ${this.opts.timestampPin} wired to the DUT's timestamp pin?`,
    });
    const at = this.edges.splice(0, edges);
    try {
      return await this.spans(at, deadline, opts.trace ?? false);
    } catch (err) {
      this.failure ??= err as Error;
      throw err;
    }
  }

  /** Supply off, recording stopped, connection closed, whatever happened before. */
  async end(): Promise<void> {
    clearInterval(this.poller);
    try {
      let answering = !this.client.closed;
      if (answering && this.mainOn)
        answering = await this.request("arc_set_main", { enable: false }, 2000).then(
          () => true,
          () => false,
        );
      if (answering && this.recording) await this.client.request("project_stop_recording", { project_id: this.projectId }, 2000).catch(() => undefined);
    } finally {
      this.mainOn = false;
      this.recording = false;
      await this.client.close();
    }
  }

  // ---- internals ----

  private request(cmd: string, data: Record<string, unknown>, timeoutMs?: number): Promise<unknown> {
    return this.client.request(cmd, { device_id: this.deviceId, ...data }, timeoutMs);
  }

  private channel(channel: string, extra: Record<string, unknown> = {}) {
    return { recording_id: this.recordingId, channel, ...extra };
  }

  /** Reads new values of the timestamp channel; a high-to-low change is an edge (MLPerf's pin idles high). */
  private async pollEdges(): Promise<void> {
    if (this.polling || this.failure) return;
    this.polling = true;
    try {
      const pin = this.opts.timestampPin;
      const { count } = reply("recording_get_channel_data_count", countReply, await this.request("recording_get_channel_data_count", this.channel(pin)));
      while (this.digitalRead < count) {
        const n = Math.min(count - this.digitalRead, CHUNK);
        const cmd = "recording_get_channel_data";
        const { values } = reply(cmd, digitalReply, await this.request(cmd, this.channel(pin, { index: this.digitalRead, count: n })));
        if (values.length !== n)
          throw new EnergyError(`the Otii server returned ${values.length} of the ${n} values of ${pin} asked for from index ${this.digitalRead}`);
        this.level = fallingEdges(values, this.level, this.edges);
        this.digitalRead += n;
      }
    } catch (err) {
      this.failure ??= err as Error;
    } finally {
      this.polling = false;
    }
  }

  /** Fetches the main current covering the edges and integrates it between them, sample fractions included. */
  private async spans(at: number[], deadline: number, trace: boolean): Promise<EdgeSpans> {
    const cmd = "recording_get_channel_data";
    if (!this.mc) {
      const first = reply(cmd, analogReply, await this.request(cmd, this.channel("mc", { index: 0, count: 1 })));
      if (first.values.length !== 1) throw new EnergyError("the Otii recording has no main current (mc) sample yet");
      this.mc = { t0: first.timestamp, interval: first.interval };
    }
    const { t0, interval } = this.mc;
    const first = Math.max(0, Math.floor((at[0]! - t0) / interval));
    const last = Math.floor((at[at.length - 1]! - t0) / interval); // the sample the closing edge falls in
    if (at[0]! < t0) throw new EnergyError(`a timestamp edge at ${at[0]} s precedes the first current sample (${t0} s)`);
    // the recording may lag the GPI by a little: wait until the current samples reach the closing edge
    for (;;) {
      const { count } = reply("recording_get_channel_data_count", countReply, await this.request("recording_get_channel_data_count", this.channel("mc")));
      if (count > last) break;
      if (Date.now() > deadline)
        throw new EnergyError(
          `the Otii recording's main current reached sample ${count}, not ${last + 1} (the window's closing edge at ${at[at.length - 1]} s)`,
        );
      await sleep(50);
    }
    const values = new Float32Array(last + 1 - first);
    for (let index = first; index <= last; index += CHUNK) {
      const n = Math.min(CHUNK, last + 1 - index);
      const got = reply(cmd, analogReply, await this.request(cmd, this.channel("mc", { index, count: n })));
      if (got.values.length !== n)
        throw new EnergyError(
          `the Otii server returned ${got.values.length} of the ${n} main current samples asked for from index ${index}: the recording is truncated`,
        );
      const expect = t0 + index * interval;
      if (Math.abs(got.timestamp - expect) > interval / 100 || Math.abs(got.interval / interval - 1) > 1e-9) {
        throw new EnergyError(
          `the Otii main current sample ${index} is at ${got.timestamp} s every ${got.interval} s, expected ${expect} s every ${interval} s: the recording has a gap`,
        );
      }
      values.set(got.values, index - first);
    }
    return integrateSpans(at, { t0, interval, first, values }, this.voltageV, trace);
  }
}

export const otiiDriver: PowerMonitorDriver<OtiiConfig> = {
  driver: "otii",
  schema: otiiSchema,
  open(cfg: OtiiConfig, _board: BoardDefinition) {
    return OtiiMonitor.open({
      host: cfg.host,
      port: cfg.port,
      device: cfg.device,
      voltageV: cfg.voltageV,
      maxCurrentA: cfg.maxCurrentA,
      timestampPin: cfg.timestampPin,
      sampleRateHz: cfg.sampleRateHz,
    });
  },
};

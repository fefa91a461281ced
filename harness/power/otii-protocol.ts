// Qoitech's Otii 3 TCP server protocol (the desktop app's or otii-server's, default port 1905): one JSON object per
// line, `\r\n`-terminated: requests `{type:"request", cmd, data, trans_id}`, answered by `{type:"response"|"error",
// trans_id, ...}`; `information` and `progress` messages arrive unasked, in between. Replies are validated here, where
// they enter. Protocol facts: ../shared/reference/power-monitors.md (from Qoitech's Python client).
import { Socket } from "node:net";
import { z } from "zod";
import { EnergyError } from "./types.ts";

export const OTII_DEFAULT_PORT = 1905;

// ---- the TCP JSON client -------------------------------------------------------------------------------------------

const message = z.discriminatedUnion("type", [
  z.object({ type: z.literal("response"), trans_id: z.string(), cmd: z.string().optional(), data: z.unknown().optional() }),
  z.object({ type: z.literal("error"), trans_id: z.string().optional(), cmd: z.string().optional(), errorcode: z.string(), data: z.unknown().optional() }),
  z.object({ type: z.literal("information"), info: z.string().optional(), data: z.unknown().optional() }),
  z.object({ type: z.literal("progress") }).passthrough(),
]);
const connectedInfo = z.object({ otii_version: z.string(), protocol_version: z.string().optional(), server: z.string().optional() });

/** An `error` reply: the server's errorcode and, where it gives one, its message. */
export class OtiiError extends EnergyError {
  constructor(
    readonly cmd: string,
    readonly errorcode: string,
    detail: string,
  ) {
    super(`Otii refused "${cmd}": ${errorcode}${detail ? ` (${detail})` : ""}`);
    this.name = "OtiiError";
  }
}

interface Pending {
  cmd: string;
  resolve(data: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class OtiiClient {
  server: z.output<typeof connectedInfo> | undefined;
  private buffer = "";
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private closedBy: Error | undefined;
  private greeted: ((err?: Error) => void) | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    private readonly timeoutMs: number,
    private readonly log: (line: string) => void,
  ) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.onData(chunk));
    socket.on("close", () => this.shut(new EnergyError(`the Otii server at ${address} closed the connection`)));
    socket.on("error", (err) =>
      this.shut(
        this.greeted
          ? new EnergyError(`cannot reach the Otii server at ${address}: ${err.message} (is the Otii app's TCP server or otii-server running?)`)
          : ["ECONNRESET", "EPIPE"].includes((err as NodeJS.ErrnoException).code ?? "")
            ? // a server that closes with our request unread resets the connection rather than ending it: the same event
              new EnergyError(`the Otii server at ${address} closed the connection (${(err as NodeJS.ErrnoException).code})`)
            : new EnergyError(`the Otii server at ${address}: ${err.message}`),
      ),
    );
  }

  /** Connects and waits for the server's `connected` information message. */
  static connect(host: string, port: number, opts: { timeoutMs?: number; log?: (line: string) => void } = {}): Promise<OtiiClient> {
    const timeoutMs = opts.timeoutMs ?? 5000;
    const socket = new Socket();
    const client = new OtiiClient(socket, `${host}:${port}`, timeoutMs, opts.log ?? (() => undefined));
    return new Promise<OtiiClient>((resolve, reject) => {
      const timer = setTimeout(() => done(new EnergyError(`the Otii server at ${host}:${port} sent no "connected" message within ${timeoutMs} ms`)), timeoutMs);
      const done = (err?: Error) => {
        clearTimeout(timer);
        client.greeted = undefined;
        if (err) {
          socket.destroy();
          reject(err);
        } else resolve(client);
      };
      client.greeted = done; // a failure before the greeting ends up here, through shut()
      socket.connect(port, host);
    });
  }

  get closed(): boolean {
    return this.closedBy !== undefined;
  }

  /** Sends one command and resolves with its reply's `data`. */
  request(cmd: string, data?: Record<string, unknown>, timeoutMs = this.timeoutMs): Promise<unknown> {
    if (this.closedBy) return Promise.reject(this.closedBy);
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new EnergyError(`the Otii server at ${this.address} did not answer "${cmd}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { cmd, resolve, reject, timer });
      this.socket.write(JSON.stringify({ type: "request", cmd, ...(data ? { data } : {}), trans_id: id }) + "\r\n");
    });
  }

  close(): Promise<void> {
    this.shut(new EnergyError(`the connection to the Otii server at ${this.address} was closed by tinyrig`));
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 500).unref();
    });
  }

  private shut(reason: Error): void {
    this.closedBy ??= reason;
    this.greeted?.(reason);
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(reason);
      this.pending.delete(id);
    }
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, "");
      this.buffer = this.buffer.slice(nl + 1);
      if (line.trim()) this.onMessage(line);
    }
  }

  private onMessage(line: string): void {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return this.shut(new EnergyError(`the Otii server at ${this.address} sent a line that is not JSON: ${JSON.stringify(line.slice(0, 120))}`));
    }
    const parsed = message.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return this.shut(
        new EnergyError(
          `the Otii server at ${this.address} sent a malformed message (${issue.path.join(".") || "type"}: ${issue.message}): ${JSON.stringify(line.slice(0, 120))}`,
        ),
      );
    }
    const m = parsed.data;
    if (m.type === "information") {
      if (m.info === "connected" && this.greeted) {
        const info = connectedInfo.safeParse(m.data);
        if (!info.success)
          return this.greeted(new EnergyError(`the Otii server's "connected" message lacks ${info.error.issues[0]!.path.join(".")}: ${line.slice(0, 120)}`));
        this.server = info.data;
        return this.greeted();
      }
      return this.log(`otii: ${m.info ?? "information"} ${m.data === undefined ? "" : JSON.stringify(m.data)}`);
    }
    if (m.type === "progress") return; // long operations report progress; nothing here waits on it
    const p = m.trans_id === undefined ? undefined : this.pending.get(m.trans_id);
    if (!p) return this.log(`otii: a reply to no pending request: ${line.slice(0, 120)}`);
    this.pending.delete(m.trans_id!);
    clearTimeout(p.timer);
    if (m.type === "response") return p.resolve(m.data);
    const data = (m.data ?? {}) as Record<string, unknown>;
    const detail = ["message", "device_id", "key", "value"]
      .filter((k) => data[k] !== undefined)
      .map((k) => `${k}: ${JSON.stringify(data[k])}`)
      .join(", ");
    p.reject(new OtiiError(p.cmd, m.errorcode, detail));
  }
}

/** Validates a reply's `data` where it enters, naming the command and the field on a mismatch. */
export function reply<T extends z.ZodTypeAny>(cmd: string, schema: T, data: unknown): z.output<T> {
  const r = schema.safeParse(data);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new EnergyError(`the Otii server's reply to "${cmd}" is malformed: data.${i.path.join(".")}: ${i.message}`);
  }
  return r.data;
}

export const devicesReply = z.object({ devices: z.array(z.object({ device_id: z.string(), name: z.string(), type: z.string() }).passthrough()) });
export const projectReply = z.object({ project_id: z.number().int() });
export const recordingReply = z.object({ recording_id: z.number().int() });
export const valueReply = z.object({ value: z.number() });
export const countReply = z.object({ count: z.number().int().nonnegative() });
export const analogReply = z.object({ data_type: z.literal("analog"), timestamp: z.number(), interval: z.number().positive(), values: z.array(z.number()) });
export const digitalReply = z.object({
  data_type: z.literal("digital"),
  values: z.array(z.object({ timestamp: z.number(), value: z.union([z.boolean(), z.literal(0), z.literal(1)]) })),
});

/** The server's fetch limit per request is not documented; Qoitech's client asks for at most this many values. */
export const CHUNK = 40_000;

// The flasher interface: one small module per tool behind it (labgrid's driver idea).
import type { z } from "zod";
import type { BoardDefinition } from "../boards/schema.ts";

export interface FlashImage {
  elf: string;
  bin: string;
  hex: string;
  sha256: string;
  bytes: number;
}

export interface FlashContext {
  board: BoardDefinition;
  image: FlashImage;
  log(line: string): void;
  signal?: AbortSignal;
  /** Emulators: record the timestamp pin's edges in virtual time (energy mode). */
  observeTimestampPin?: boolean;
}

/** A console the flasher itself provides (an emulator's PTY); physical boards have none. */
export interface AttachedConsole {
  path: string;
  /** Ends whatever provides the console (stops the emulator). Idempotent. */
  close(): Promise<void>;
  /** Resolves with a description when the provider dies on its own (emulator crash). */
  exited: Promise<string>;
  /** Where the emulator logs each timestamp-pin write in virtual time (see harness/emulator/pin-plugin.ts). */
  pinLog?: { file: string; icountShift: number };
}

export interface FlashResult {
  tool: string;
  argv: string[];
  output: string;
  durationMs: number;
  console?: AttachedConsole;
}

export interface Flasher<C extends { tool: string } = { tool: string }> {
  readonly tool: string;
  readonly schema: z.ZodType<C>;
  /** Executables `tinyrig doctor` checks for this configuration. */
  binaries(config: C): string[];
  flash(config: C, ctx: FlashContext): Promise<FlashResult>;
}

export class FlashError extends Error {
  constructor(
    readonly tool: string,
    readonly argv: string[],
    readonly exitCode: number | undefined,
    readonly output: string,
    message?: string,
  ) {
    super(
      (message ?? `${tool} failed${exitCode === undefined ? "" : ` with exit code ${exitCode}`}`) +
        (output.trim() ? `\n--- ${tool} output ---\n${output.trim()}` : ""),
    );
    this.name = "FlashError";
  }
}

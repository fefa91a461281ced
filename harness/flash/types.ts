// The flasher interface: one small module per tool behind it (labgrid's driver idea). Physical boards only: an emulated
// board's image is loaded by its emulator (harness/emulator/qemu.ts), which also provides its console.
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
}

export interface FlashResult {
  tool: string;
  argv: string[];
  output: string;
  durationMs: number;
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

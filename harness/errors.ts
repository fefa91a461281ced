// tinyrig's exit codes, and the error that carries one. Any error may say how tinyrig should exit; harness/cli.ts
// maps an error to its code in one place (exitCodeOf). An error that says nothing is a failure.

export const EXIT = {
  ok: 0,
  /** Something failed (a run, a board, a file that could not be written), named on stderr. */
  failure: 1,
  /** Bad usage: an option, a board file, a config file; found before any work. */
  usage: 2,
  /** The regression gate could not judge: a board that did not run or report, runs not comparable (never a regression, which is 1). */
  infrastructure: 3,
} as const;

/** An error that says how tinyrig should exit. */
export class TinyrigError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = "TinyrigError";
  }
}

/** How tinyrig exits for an error: its own `exitCode` if it carries one (any class may), else a failure. */
export function exitCodeOf(err: unknown): number {
  const code = (err as { exitCode?: unknown } | null)?.exitCode;
  return typeof code === "number" && Number.isInteger(code) && code > 0 ? code : EXIT.failure;
}

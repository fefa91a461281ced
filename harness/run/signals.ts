// Ctrl-C and CI's cancel during a run. The first SIGINT or SIGTERM aborts the run: the mode in progress stops, the
// board is stopped, the run is stored as interrupted with every window and inference already measured, and tinyrig
// exits 130 (SIGINT) or 143 (SIGTERM), as a shell expects of a process a signal ended. A second signal exits at once
// (the run is left `running`, and the next tinyrig marks it interrupted; emulators are ended by harness/emulator/guard).
//
// The handlers stay installed for the rest of the process. execa's exit hook (signal-exit) re-raises a signal when it
// finds no other listener for it, which killed tinyrig before anything was stored once a `process.once` handler had
// removed itself.
import { constants } from "node:os";
import type { SuiteResult } from "./types.ts";

export interface RunSignals {
  /** Aborted by the first signal; its reason names the signal. */
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  readonly received: NodeJS.Signals | undefined;
  /** 128 + the signal's number (130, 143) once one was received. */
  readonly exitCode: number | undefined;
  /** What the run measured is stored: a signal from now on exits at once (still 128 + its number). */
  runStored(): void;
}

const WATCHED = ["SIGINT", "SIGTERM"] as const;

export function watchRunSignals(log: (line: string) => void): RunSignals {
  const abort = new AbortController();
  let received: NodeJS.Signals | undefined;
  const exitCode = (s: NodeJS.Signals) => 128 + constants.signals[s];
  let stored = false;
  const onSignal = (s: NodeJS.Signals) => {
    if (stored) process.exit(exitCode(received ?? s)); // nothing left to save: just go
    if (received !== undefined) {
      log(`tinyrig: ${s} again: exiting now; the run stays "running" until the next tinyrig marks it interrupted`);
      process.exit(exitCode(received));
    }
    received = s;
    log(`tinyrig: ${s}: stopping the board and storing what was measured (send it again to exit at once)`);
    abort.abort(new Error(`interrupted by ${s}`));
  };
  for (const s of WATCHED) process.on(s, onSignal);
  return {
    signal: abort.signal,
    get received() {
      return received;
    },
    get exitCode() {
      return received === undefined ? undefined : exitCode(received);
    },
    runStored() {
      stored = true;
    },
  };
}

/** After a run a signal stopped: says what was kept, closes the store, and gives the exit code. No report is written. */
export function interrupted(signals: RunSignals, results: SuiteResult[], store: { file: string; close(): void }): number {
  const kept = results.filter((r) => r.status === "interrupted" && r.runId !== undefined).map((r) => r.runId!);
  console.error(
    `tinyrig: interrupted by ${signals.received}: ` +
      (kept.length
        ? `run${kept.length > 1 ? "s" : ""} ${kept.join(", ")} stored as interrupted in ${store.file}, with every window and inference measured before it`
        : "no run had started measuring; nothing was stored"),
  );
  store.close();
  return signals.exitCode!;
}

// An emulator must not outlive the tinyrig that started it, however tinyrig ends. Three layers, because no one of them
// covers every ending:
// - tinyrig exits (normally, by an error, by a second Ctrl-C): an exit hook kills every emulator still running.
// - tinyrig is killed outright (SIGKILL, OOM killer), which runs no hook: on Linux the emulator is started through
//   util-linux's `setpriv --pdeathsig KILL`, so the kernel kills it when tinyrig's process goes (setpriv sets the
//   signal and execs the emulator in place: the same pid, no process in between).
// - neither was possible (no setpriv, or tinyrig died in the instant between starting the emulator and the signal
//   being set): every emulator started is recorded (pid, start time, owner pid and start time) in the runtime
//   directory, and the next tinyrig to start an emulator ends those whose owner is gone. Start times (from /proc) make
//   sure a reused pid is never mistaken for either.
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ensureSharedDir, runtimeDir } from "../runtime-dir.ts";

const SETPRIV = "/usr/bin/setpriv";

/** The command that starts `binary args` so that the kernel kills it when this process goes (Linux); as is elsewhere. */
export function diesWithThisProcess(binary: string, args: string[]): { file: string; args: string[] } {
  if (process.platform === "linux" && existsSync(SETPRIV)) return { file: SETPRIV, args: ["--pdeathsig", "KILL", "--", binary, ...args] };
  return { file: binary, args };
}

/** An emulator's command line, tied to this process's life where the host allows it. */
export function emulatorCommand(binary: string, args: string[], env: NodeJS.ProcessEnv = process.env): { file: string; args: string[] } {
  // TINYRIG_EMULATOR_PDEATHSIG=0: start it plainly (a host where setpriv misbehaves; the tests of the record's reaping)
  return env.TINYRIG_EMULATOR_PDEATHSIG === "0" ? { file: binary, args } : diesWithThisProcess(binary, args);
}

interface EmulatorRecord {
  pid: number;
  start: string;
  owner: number;
  ownerStart: string;
  argv: string[];
}

const running = new Set<number>();
let exitHook = false;

/** Records a started emulator; `forget` once it has exited. */
export function trackEmulator(pid: number, argv: string[], dir = recordDir()): { forget(): void } {
  running.add(pid);
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => {
      for (const p of running) {
        try {
          process.kill(p, "SIGKILL");
        } catch {
          /* gone already */
        }
      }
    });
  }
  const file = path.join(dir, `${pid}.json`);
  const start = startTime(pid);
  const ownerStart = startTime(process.pid);
  if (start !== undefined && ownerStart !== undefined) {
    ensureSharedDir(dir);
    const record: EmulatorRecord = { pid, start, owner: process.pid, ownerStart, argv };
    writeFileSync(file, JSON.stringify(record) + "\n");
  }
  return {
    forget: () => {
      running.delete(pid);
      try {
        unlinkSync(file);
      } catch {
        /* not written (no /proc) or already reaped */
      }
    },
  };
}

/** Ends the recorded emulators whose tinyrig is gone; returns what it ended, for the log. */
export function reapOrphanedEmulators(dir = recordDir()): string[] {
  if (!existsSync(dir)) return [];
  const ended: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(".json")) continue;
    const file = path.join(dir, name);
    let r: EmulatorRecord;
    try {
      r = JSON.parse(readFileSync(file, "utf8")) as EmulatorRecord;
    } catch {
      continue; // being written, or not ours to judge
    }
    if (startTime(r.owner) === r.ownerStart) continue; // its tinyrig is alive: not an orphan
    if (startTime(r.pid) === r.start) {
      try {
        process.kill(r.pid, "SIGKILL");
        ended.push(`ended emulator pid ${r.pid} (${path.basename(r.argv[0] ?? "?")}) left running by tinyrig pid ${r.owner}, which is gone`);
      } catch {
        /* it went by itself, or belongs to another user */
      }
    }
    try {
      unlinkSync(file);
    } catch {
      /* another tinyrig reaped it first */
    }
  }
  return ended;
}

function recordDir(): string {
  return path.join(runtimeDir(), "emulators");
}

/**
 * A process's start time in clock ticks since boot (/proc/PID/stat field 22); undefined when it is not running (a zombie
 * counts as gone) or /proc cannot tell.
 */
export function startTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // the name (field 2) may hold spaces and parens
  if (fields[0] === "Z" || fields[0] === "X") return undefined;
  return fields[19];
}

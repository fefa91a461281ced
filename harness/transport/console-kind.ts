// What is behind a console port: a hardware serial port, or a pseudo-terminal, and then which program holds its other
// end. An emulator's console reached as a plain serial port (a board file with the `manual` flasher pointed at QEMU's
// PTY) is still an emulator, and a run on it must say so.
import { readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";

export interface ConsoleKind {
  /** `emulator`: the other end is an emulator (QEMU); `pseudo-terminal`: another program (a simulator, a bridge). */
  kind: "serial" | "emulator" | "pseudo-terminal";
  description: string;
}

/** Emulators whose consoles tinyrig may meet on a PTY. */
const EMULATORS = /^(qemu-system-|renode|simavr)/;

export function consoleKindOf(portPath: string): ConsoleKind {
  let real = portPath;
  try {
    real = realpathSync(portPath);
  } catch {
    return { kind: "serial", description: portPath };
  }
  const pts = /^\/dev\/pts\/(\d+)$/.exec(real);
  if (!pts) return { kind: "serial", description: real === portPath ? portPath : `${portPath} (${real})` };
  const holder = ptyMasterHolder(Number(pts[1]));
  if (!holder) return { kind: "pseudo-terminal", description: `pseudo-terminal ${real} (the program holding its other end is not visible)` };
  if (EMULATORS.test(holder.command)) return { kind: "emulator", description: `emulator ${holder.command} (pid ${holder.pid}) on ${real}` };
  return { kind: "pseudo-terminal", description: `pseudo-terminal ${real} held by ${holder.command} (pid ${holder.pid})` };
}

/** The process holding the master side of /dev/pts/N (Linux: its /dev/ptmx descriptor's fdinfo names the index). */
function ptyMasterHolder(index: number): { pid: number; command: string } | undefined {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (!/ptmx$/.test(readlinkSync(`/proc/${pid}/fd/${fd}`))) continue;
        const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8");
        if (new RegExp(`^tty-index:\\s*${index}$`, "m").test(info)) {
          return { pid: Number(pid), command: readFileSync(`/proc/${pid}/comm`, "utf8").trim() };
        }
      } catch {
        /* the process or descriptor went away while we looked */
      }
    }
  }
  return undefined;
}

// One run per physical board at a time, host-wide: every tinyrig on this machine (any checkout, any install, any user)
// takes the same lock for the same device. The lock is the kernel's flock(2) on a file named by the board's device
// identity (its USB serial number, else its console's real device path, the board name only when there is neither) in
// one runtime directory. The kernel drops the lock when its holder exits, however it ends (SIGKILL included), so there
// is no stale lock to take over and two processes can never both hold one; the file also names its holder (pid, host,
// purpose) for the busy message and `tinyrig boards`.
//
// The directory: tinyrig's runtime directory (harness/runtime-dir.ts): $TINYRIG_LOCK_DIR, else /run/lock/tinyrig (the
// FHS place for lock files: one per host, shared by every user, emptied at boot), else <os tmpdir>/tinyrig-locks.
import { closeSync, constants, existsSync, fchmodSync, fstatSync, ftruncateSync, openSync, readFileSync, realpathSync, statSync, writeSync } from "node:fs";
import { flockSync } from "fs-ext";
import { hostname } from "node:os";
import path from "node:path";
import type { BoardDefinition } from "./schema.ts";
import { ensureSharedDir, runtimeDir } from "../runtime-dir.ts";
import { listSerialPorts, matchUsbPort, type PortInfo } from "../resources/serial-port.ts";

/** Where board locks live: tinyrig's host-wide runtime directory (harness/runtime-dir.ts). */
export function defaultLockDir(env: NodeJS.ProcessEnv = process.env): string {
  return runtimeDir(env);
}

/** What a lock is keyed by: the physical device, however a board file reaches it. */
export interface DeviceIdentity {
  /** File-name-safe, e.g. `usb-0483-374b-0671FF3833554B3043164817`, `dev-ttyACM0`, `board-nucleo`. */
  key: string;
  /** For people: `USB 0483:374b serial 0671FF...`, `/dev/ttyACM0`. */
  label: string;
}

/**
 * The device a board's console is: its USB serial number where it can be known (from the board file, or from the port
 * its path resolves to), else the console's real device path (symlinks such as /dev/serial/by-id resolved), else the
 * board's name. So a board file naming the port by path and another naming it by USB id lock the same board.
 */
export function boardDeviceIdentity(board: BoardDefinition, ports: PortInfo[]): DeviceIdentity {
  const serial = board.console.serial;
  const usbKey = (vid: string, pid: string, sn: string): DeviceIdentity => ({
    key: safe(`usb-${vid.toLowerCase()}-${pid.toLowerCase()}-${sn}`),
    label: `USB ${vid.toLowerCase()}:${pid.toLowerCase()} serial ${sn}`,
  });
  if (serial?.usb) {
    const { vid, pid, serialNumber } = serial.usb;
    if (serialNumber !== undefined) return usbKey(vid, pid, serialNumber);
    const found = matchUsbPort(ports, serial.usb).filter((p) => p.serialNumber);
    if (found.length === 1) return usbKey(vid, pid, found[0]!.serialNumber!);
    // no serial number to tell boards of this kind apart (tinyrig refuses to pick among several): the kind is the device
    return { key: safe(`usb-${vid.toLowerCase()}-${pid.toLowerCase()}`), label: `USB ${vid.toLowerCase()}:${pid.toLowerCase()}` };
  }
  if (serial?.path) {
    const real = realPath(serial.path);
    const port = ports.find((p) => p.vendorId && p.productId && p.serialNumber && realPath(p.path) === real);
    if (port) return usbKey(port.vendorId!, port.productId!, port.serialNumber!);
    return { key: safe(`dev-${real.replace(/^\/dev\//, "")}`), label: real };
  }
  return { key: safe(`board-${board.name}`), label: `board ${board.name}` };
}

function realPath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p); // not attached now: its configured path is all there is
  }
}

const safe = (key: string) => key.replace(/[^A-Za-z0-9._-]/g, "_");

export interface LockOwner {
  pid: number;
  host: string;
  since: string;
  purpose: string;
  /** The board name and file as the holder's board file has them (another checkout may name the device otherwise). */
  board?: string;
  boardFile?: string;
  device?: string;
}

export class BoardBusyError extends Error {
  constructor(
    readonly board: string,
    readonly owner: LockOwner | undefined,
    readonly lockFile: string,
  ) {
    super(
      `board ${board} is in use` +
        (owner
          ? ` by pid ${owner.pid} on ${owner.host} since ${owner.since} (${owner.purpose}${owner.boardFile ? `, board file ${owner.boardFile}` : ""})`
          : " (its holder has not recorded itself yet)") +
        `; lock file ${lockFile}`,
    );
    this.name = "BoardBusyError";
  }
}

export interface BoardLock {
  file: string;
  device: DeviceIdentity;
  /** The holder recorded in the file when it was taken: a process that ended without releasing (killed). */
  tookOverFrom?: LockOwner;
  release(): void;
}

export interface LockOptions {
  dir?: string;
  /** The serial ports present (to resolve a path to its USB serial number); listed when not given. */
  ports?: PortInfo[];
}

/** Takes the board's host-wide lock, or throws BoardBusyError naming its holder. */
export async function lockBoard(board: BoardDefinition, purpose: string, opts: LockOptions = {}): Promise<BoardLock> {
  const ports = opts.ports ?? (await listSerialPorts()).ports;
  const device = boardDeviceIdentity(board, ports);
  return lockDevice(device, { purpose, board: board.name, boardFile: board.file }, opts.dir ?? defaultLockDir());
}

/** The lock of one device identity (lockBoard resolves the identity from a board file). */
export function lockDevice(device: DeviceIdentity, who: { purpose: string; board?: string; boardFile?: string }, dir = defaultLockDir()): BoardLock {
  ensureSharedDir(dir);
  const file = path.join(dir, `${device.key}.lock`);
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString(), ...who, device: device.label };
  const name = who.board ?? device.label;
  for (let attempt = 0; ; attempt++) {
    const fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o666);
    try {
      flockSync(fd, "exnb");
    } catch (err) {
      const owner = parseOwner(readFd(fd));
      closeSync(fd);
      if (!wouldBlock(err)) throw err;
      // a holder records itself right after taking the lock, and `tinyrig boards` holds a shared lock for an instant
      // while it looks: an unnamed holder is worth a few more tries
      if (!owner && attempt < 20) {
        sleepSync(5);
        continue;
      }
      throw new BoardBusyError(name, owner, file);
    }
    // Locked, but maybe a file someone deleted (and replaced) between our open and our lock: then lock the new one.
    if (!sameFile(fd, file)) {
      closeSync(fd);
      if (attempt < 20) continue;
      throw new Error(`cannot lock ${file}: it keeps being replaced`);
    }
    const previous = parseOwner(readFd(fd));
    ftruncateSync(fd, 0);
    writeSync(fd, JSON.stringify(me) + "\n", 0);
    try {
      fchmodSync(fd, 0o666); // other users open it to lock and to read who holds it
    } catch {
      /* not ours to change */
    }
    let held = true;
    return {
      file,
      device,
      tookOverFrom: previous,
      release: () => {
        if (!held) return;
        held = false;
        try {
          ftruncateSync(fd, 0); // a released lock names nobody; the file stays (deleting it would race a waiter)
        } finally {
          closeSync(fd); // closing drops the flock
        }
      },
    };
  }
}

/** Who holds the board's lock right now (undefined: free). */
export async function boardLockOwner(board: BoardDefinition, opts: LockOptions = {}): Promise<LockOwner | undefined> {
  const ports = opts.ports ?? (await listSerialPorts()).ports;
  return deviceLockOwner(boardDeviceIdentity(board, ports), opts.dir ?? defaultLockDir());
}

export function deviceLockOwner(device: DeviceIdentity, dir = defaultLockDir()): LockOwner | undefined {
  const file = path.join(dir, `${device.key}.lock`);
  if (!existsSync(file)) return undefined;
  const fd = openSync(file, constants.O_RDONLY);
  try {
    flockSync(fd, "shnb");
    flockSync(fd, "un");
    return undefined; // nobody holds it: whatever the file says is a holder that is gone
  } catch (err) {
    if (!wouldBlock(err)) throw err;
    return parseOwner(readFd(fd)) ?? { pid: 0, host: hostname(), since: "", purpose: "holder not recorded yet" };
  } finally {
    closeSync(fd);
  }
}

function sameFile(fd: number, file: string): boolean {
  try {
    const a = fstatSync(fd);
    const b = statSync(file);
    return a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}

function readFd(fd: number): string {
  try {
    return readFileSync(fd, "utf8");
  } catch {
    return "";
  }
}

function parseOwner(text: string): LockOwner | undefined {
  if (!text.trim()) return undefined;
  try {
    const o = JSON.parse(text) as LockOwner;
    return typeof o.pid === "number" ? o : undefined;
  } catch {
    return undefined; // half-written by a holder that died mid-write: it names nobody
  }
}

const wouldBlock = (err: unknown) => ["EAGAIN", "EWOULDBLOCK"].includes((err as NodeJS.ErrnoException).code ?? "");

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

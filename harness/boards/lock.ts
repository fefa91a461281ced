// One run per board at a time: a lock file naming its owner (pid, host, time). A lock left by a process that
// is gone (same host, pid not alive) is stale and taken over, with a note — peer tools leave such locks behind.
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";

export const DEFAULT_LOCK_DIR = path.resolve(import.meta.dirname, "../../results/locks");

export interface LockOwner {
  pid: number;
  host: string;
  since: string;
  purpose: string;
}

export class BoardBusyError extends Error {
  constructor(
    readonly board: string,
    readonly owner: LockOwner,
    readonly lockFile: string,
  ) {
    super(
      `board ${board} is in use by pid ${owner.pid} on ${owner.host} since ${owner.since} (${owner.purpose}); ` +
        `lock file ${lockFile}`,
    );
    this.name = "BoardBusyError";
  }
}

export interface BoardLock {
  file: string;
  /** Set when a stale lock was taken over. */
  tookOverFrom?: LockOwner;
  release(): void;
}

export function lockBoard(board: string, purpose: string, dir = DEFAULT_LOCK_DIR): BoardLock {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${board}.lock`);
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString(), purpose };
  let tookOverFrom: LockOwner | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(me) + "\n", { flag: "wx" });
      return {
        file,
        tookOverFrom,
        release: () => {
          try {
            const owner = JSON.parse(readFileSync(file, "utf8")) as LockOwner;
            if (owner.pid === me.pid && owner.host === me.host) unlinkSync(file);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = readOwner(file);
      if (owner && !isStale(owner)) throw new BoardBusyError(board, owner, file);
      tookOverFrom = owner;
      unlinkSync(file);
    }
  }
  throw new Error(`could not take the lock ${file}`);
}

function readOwner(file: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LockOwner;
  } catch {
    return undefined; // unreadable or half-written: treat as stale
  }
}

function isStale(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false; // another machine's process: we cannot tell, respect it
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Who holds a board's lock right now (stale locks count as free). */
export function boardLockOwner(board: string, dir = DEFAULT_LOCK_DIR): LockOwner | undefined {
  const owner = readOwner(path.join(dir, `${board}.lock`));
  return owner && !isStale(owner) ? owner : undefined;
}

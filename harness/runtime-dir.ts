// tinyrig's host-wide runtime directory: board locks, and the record of the emulators each tinyrig started. One per
// host, shared by every checkout, install and user, so they see each other's locks and can end each other's orphans.
import { accessSync, chmodSync, constants, existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** $TINYRIG_LOCK_DIR, else /run/lock/tinyrig (the FHS place for lock files, emptied at boot), else <tmpdir>/tinyrig-locks. */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TINYRIG_LOCK_DIR) return path.resolve(env.TINYRIG_LOCK_DIR);
  try {
    accessSync("/run/lock", constants.W_OK);
    return "/run/lock/tinyrig";
  } catch {
    return path.join(tmpdir(), "tinyrig-locks");
  }
}

/** Creates a runtime directory every user of the host can add to (like /run/lock itself). */
export function ensureSharedDir(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true });
  try {
    chmodSync(dir, 0o1777);
  } catch {
    /* someone else's */
  }
}

// The measuring host's stable id, stored with every run so runs merged from many hosts still say where they were
// measured (a hostname is neither unique nor stable: CI runners are renamed, containers get random names).
//
// Where it comes from, first that applies:
//  1. TINYRIG_HOST_ID, when a lab names its hosts itself (and where tests stand for two hosts on one machine);
//  2. /etc/machine-id (systemd's per-install id), hashed with a tinyrig-specific prefix: machine-id(5) asks that the
//     raw id not leave the machine, and the hash is the same for every user and every checkout on that machine;
//  3. a random id generated once and kept in the user's state folder ($XDG_STATE_HOME/tinyrig/host-id, by default
//     ~/.local/state/tinyrig/host-id), for machines without a machine-id (many containers).
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

/** Letters, digits and `._:-`, at most 64: it is printed, stored and compared, never interpreted. */
export const HOST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

let cached: string | undefined;

export function hostId(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.TINYRIG_HOST_ID;
  if (given !== undefined) {
    if (!HOST_ID_PATTERN.test(given)) throw new Error(`TINYRIG_HOST_ID ${JSON.stringify(given)}: use 1 to 64 letters, digits or . _ : -`);
    return given;
  }
  cached ??= fromMachineId() ?? fromStateFolder(env);
  return cached;
}

function fromMachineId(): string | undefined {
  let id: string;
  try {
    id = readFileSync("/etc/machine-id", "utf8").trim();
  } catch {
    return undefined;
  }
  if (!/^[0-9a-f]{32}$/.test(id)) return undefined; // empty or "uninitialized" (an image not yet booted)
  return `m-${createHash("sha256").update(`tinyrig host id\0${id}`).digest("hex").slice(0, 32)}`;
}

function fromStateFolder(env: NodeJS.ProcessEnv): string {
  const dir = path.join(env.XDG_STATE_HOME || path.join(homedir(), ".local", "state"), "tinyrig");
  const file = path.join(dir, "host-id");
  try {
    const kept = readFileSync(file, "utf8").trim();
    if (HOST_ID_PATTERN.test(kept)) return kept;
  } catch {
    // none yet: made below
  }
  const made = `g-${randomUUID()}`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `${made}\n`, { flag: "w" });
  } catch (err) {
    throw new Error(`${file}: cannot keep this host's generated id (${(err as Error).message}); set TINYRIG_HOST_ID instead`);
  }
  return made;
}

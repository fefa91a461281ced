// make splits its words on spaces, so a path with a space in it (a user's "My Projects" folder, a package installed
// under one) cannot be a make variable or target. Such a path reaches make through a symlink without one, in a
// host-wide folder keyed by the path; the files themselves stay where they are.
import { createHash } from "node:crypto";
import { mkdirSync, readlinkSync, symlinkSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const LINKS = path.join(tmpdir(), "tinyrig-make-paths");

/** `p` as make can take it: itself, or a space-free symlink to it. */
export function makeSafePath(p: string): string {
  const abs = path.resolve(p);
  if (!/\s/.test(abs)) return abs;
  if (/\s/.test(LINKS)) throw new Error(`${abs}: make cannot take a path with spaces, and the temporary folder ${LINKS} has spaces too`);
  mkdirSync(LINKS, { recursive: true });
  const link = path.join(LINKS, createHash("sha256").update(abs).digest("hex").slice(0, 16));
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      if (readlinkSync(link) === abs) return link;
      unlinkSync(link); // a hash collision's or a stale link: replaced
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    try {
      symlinkSync(abs, link);
      return link;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err; // another process made it: read it again
    }
  }
  throw new Error(`${abs}: could not make a space-free link to it in ${LINKS}`);
}

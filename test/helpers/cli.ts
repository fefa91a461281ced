// Runs the real tinyrig CLI as a child process, as a user or CI would.
import { execa, type ResultPromise } from "execa";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
/** The CLI from source, as ./tinyrig runs it in a checkout (the installed package's build is tested in package.test.ts). */
export const BIN = path.join(ROOT, "bin/tinyrig-dev.js");

export function tinyrig(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): ResultPromise<{ all: true; reject: false }> {
  return execa("node", [BIN, ...args], { cwd: opts.cwd ?? ROOT, all: true, reject: false, env: { ...opts.env, FORCE_COLOR: "0" } }) as ResultPromise<{
    all: true;
    reject: false;
  }>;
}

/** Children of a process (the QEMU a tinyrig run started). */
export async function childPids(pid: number, name: string): Promise<number[]> {
  const r = await execa("pgrep", ["-P", String(pid), name], { reject: false });
  return r.stdout.split("\n").filter(Boolean).map(Number);
}

/** Resolves once the child's stderr shows a JSON progress line for `task` with done >= n. */
export function progressReached(child: ResultPromise, task: string, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const onData = (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split("\n")) {
        if (!line.startsWith("{")) continue;
        try {
          const p = JSON.parse(line) as { progress?: string; done?: number };
          if (p.progress === task && (p.done ?? 0) >= n) {
            child.stderr?.off("data", onData);
            resolve();
            return;
          }
        } catch {
          /* partial line */
        }
      }
    };
    child.stderr?.on("data", onData);
    child.then(() => reject(new Error(`tinyrig ended before ${task} reached ${n}`)), reject);
  });
}

// One process per physical board: a lock naming its owner, refused while the owner lives, taken over when it is gone.
import { execa } from "execa";
import { mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { BoardBusyError, boardLockOwner, lockBoard } from "../harness/boards/lock.ts";

it("refuses a board held by a live process, takes over a stale lock, releases on exit", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-lock-"));
  const first = lockBoard("nucleo", "run A", dir);
  expect(() => lockBoard("nucleo", "run B", dir)).toThrow(BoardBusyError);
  expect(() => lockBoard("nucleo", "run B", dir)).toThrow(/in use by pid \d+ on .* \(run A\)/);
  expect(boardLockOwner("nucleo", dir)?.purpose).toBe("run A");
  first.release();
  expect(boardLockOwner("nucleo", dir)).toBeUndefined();
  // a lock left by a process that has exited
  const dead = await execa("node", ["-e", "process.stdout.write(String(process.pid))"]);
  writeFileSync(path.join(dir, "nucleo.lock"), JSON.stringify({ pid: Number(dead.stdout), host: hostname(), since: "2026-01-01", purpose: "crashed run" }));
  const second = lockBoard("nucleo", "run C", dir);
  expect(second.tookOverFrom?.purpose).toBe("crashed run");
  second.release();
});

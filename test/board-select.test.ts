// `--board` names, files and groups (harness/boards/select.ts): `emulated` is every emulated board file, `attached`
// every physical board whose console is plugged in, a board named twice is measured once.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { listBoardFiles, loadBoardFile } from "../harness/boards/load.ts";
import { consolePresent, selectBoards } from "../harness/boards/select.ts";
import { ROOT } from "./helpers/cli.ts";

it("emulated: every emulated board file, in order; a board named again is not repeated", async () => {
  const emulated = listBoardFiles()
    .map((f) => loadBoardFile(f))
    .filter((b) => b.kind === "emulated")
    .map((b) => b.name);
  expect(emulated.length).toBeGreaterThanOrEqual(6);
  expect((await selectBoards(["emulated"])).map((b) => b.name)).toEqual(emulated);
  expect((await selectBoards(["riscv32-virt", "emulated", "riscv32-virt"])).map((b) => b.name)).toEqual([
    "riscv32-virt",
    ...emulated.filter((n) => n !== "riscv32-virt"),
  ]);
});

it("attached: a physical board counts as plugged in when its console path exists, or exactly one port has its USB id", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-select-"));
  const device = path.join(dir, "ttyFAKE0");
  writeFileSync(device, "");
  const board = loadBoardFile(path.join(ROOT, "boards/nucleo-l4r5zi.yaml")); // console by USB id
  const byPath = (p: string) => ({ ...board, console: { ...board.console, serial: { ...board.console.serial!, path: p, usb: undefined } } });
  expect(consolePresent(byPath(device), [])).toBe(true);
  expect(consolePresent(byPath(path.join(dir, "ttyNONE")), [])).toBe(false);
  const id = board.console.serial!.usb!;
  const port = (p: string) => ({ path: p, vendorId: id.vid, productId: id.pid });
  expect(consolePresent(board, [port("/dev/ttyACM9")])).toBe(true);
  expect(consolePresent(board, [])).toBe(false);
  expect(consolePresent(board, [port("/dev/ttyACM8"), port("/dev/ttyACM9")])).toBe(false); // which one? set serialNumber
  expect(consolePresent(loadBoardFile(path.join(ROOT, "boards/mps2-an386.yaml")), [])).toBe(false); // emulated: no serial console
});

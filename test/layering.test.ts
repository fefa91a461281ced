// The layering rules of docs/architecture.md, read off the import graph of harness/: a stage imports only from the
// stages below it. Each rule names what it forbids and why; a violation fails with the file and the import.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { ROOT } from "./helpers/cli.ts";

const RULES: { files: RegExp; forbidden: RegExp; why: string }[] = [
  {
    files: /^harness\/store\//,
    forbidden: /^harness\/(run|build|commands|report|streaming)\//,
    why: "the store sits below the run loop and the build: it takes their data in shapes of its own (store/run-start.ts)",
  },
  {
    files: /^harness\/boards\/status\.ts$/,
    forbidden: /^harness\/(flash|power)\/index\.ts$/,
    why: "board status is handed what flashers and monitors need (commands/board-needs.ts), it does not reach their registries",
  },
  {
    files: /^harness\/transport\//,
    forbidden: /^harness\/protocol\//,
    why: "transport is below the protocol: it throws its own errors (transport/types.ts), not the protocol's",
  },
  {
    files: /^harness\/power\/(?!index\.ts$)/,
    forbidden: /^harness\/power\/index\.ts$/,
    why: "power drivers take their interface from power/types.ts; the registry imports them, not the reverse",
  },
  {
    files: /^harness\/resources\//,
    forbidden: /^harness\/(?!resources\/)/,
    why: "resources say where a device is: the bottom layer, which boards, transports and power monitors use",
  },
  {
    files: /^harness\/gate\//,
    forbidden: /^harness\/(run|build|flash|transport|protocol|emulator|power|streaming)\//,
    why: "the regression gate judges stored runs: it reads the store, never the run loop or a device",
  },
  {
    files: /^harness\/emulator\//,
    forbidden: /^harness\/(flash|transport|protocol|run|modes|store|power)\//,
    why: "the emulator is a driver of an emulated board's console: it boots an image and hands back a PTY, below flash, transport and the run",
  },
  {
    files: /^harness\/flash\//,
    forbidden: /^harness\/emulator\//,
    why: "flashers write physical boards; an emulated board's image is loaded by its emulator, which is not a flasher",
  },
  { files: /^harness\/(?!commands\/|cli\.ts$|main\.ts$)/, forbidden: /^harness\/commands\//, why: "commands are the top layer: nothing below imports them" },
];

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    return e.isDirectory() ? sources(rel) : e.name.endsWith(".ts") ? [rel] : [];
  });
}

/** Every relative import and re-export of a file (static or dynamic, type-only included), as paths from the root. */
function imports(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"/gms), ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map(
    (m) => m[1]!,
  );
  return specifiers.filter((s) => s.startsWith(".")).map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)));
}

function violations(files: string[], read: (f: string) => string[] = imports): string[] {
  return files.flatMap((file) =>
    RULES.filter((r) => r.files.test(file)).flatMap((r) =>
      read(file)
        .filter((target) => r.forbidden.test(target))
        .map((target) => `${file} imports ${target}: ${r.why}`),
    ),
  );
}

it("harness/ follows the layering rules", () => {
  const files = sources("harness");
  expect(files.length).toBeGreaterThan(100);
  expect(violations(files)).toEqual([]);
});

it("the rules catch a violation (the store importing the run loop)", () => {
  expect(violations(["harness/store/store.ts"], () => ["harness/run/types.ts"])).toEqual([
    expect.stringContaining("harness/store/store.ts imports harness/run/types.ts"),
  ]);
  // and the import reader sees type-only, multi-line and dynamic imports
  expect(imports("harness/cli.ts")).toContain("harness/commands/run.ts");
  expect(imports("harness/store/store.ts")).toContain("harness/store/run-start.ts");
});

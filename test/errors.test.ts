// Errors carry their exit code (harness/errors.ts); harness/cli.ts maps every error through exitCodeOf.
import { expect, it } from "vitest";
import { UsageError } from "../harness/commands/usage.ts";
import { EXIT, exitCodeOf, TinyrigError } from "../harness/errors.ts";
import { YamlFileError } from "../harness/yaml.ts";

it("usage errors exit 2, an error's own code is kept, anything else is a failure (1)", () => {
  expect(exitCodeOf(new UsageError("--windows 0"))).toBe(EXIT.usage);
  expect(exitCodeOf(new YamlFileError("board.yaml", [{ field: "cpu", message: "required" }]))).toBe(EXIT.usage);
  expect(exitCodeOf(new TinyrigError("a board could not be reached", 3))).toBe(3);
  expect(exitCodeOf(new TinyrigError("a run failed"))).toBe(EXIT.failure);
  expect(exitCodeOf(new Error("plain"))).toBe(EXIT.failure);
  expect(exitCodeOf("not even an error")).toBe(EXIT.failure);
  expect(new UsageError("x")).toBeInstanceOf(TinyrigError);
});

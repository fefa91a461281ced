// The regression gate's rules: per metric, what counts as a regression. Defaults are shipped here; a user's YAML file
// (`tinyrig compare --rules FILE`) overrides any part of them, checked where it enters (errors name file, line, field).
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { parseYaml, YamlFileError } from "../yaml.ts";

/** A share: 0.05 is 5 %. */
const fraction = z.number().min(0).max(1);
/** A significance level. */
const alpha = z.number().gt(0).lt(1);

export const gateRulesSchema = z.strictObject({
  latency: z
    .strictObject({
      // An emulator under -icount runs the same instructions to the same virtual nanosecond every time: no noise to
      // test against, so a change beyond the device timer's resolution is a change of the code.
      emulated: z
        .strictObject({
          failOn: z.enum(["increase", "any"]).default("increase").describe("increase: slower fails, faster is reported; any: every change fails"),
        })
        .prefault({}),
      // Physical boards: a Mann-Whitney U test over the windows, and the median must have grown by more than maxIncrease.
      physical: z
        .strictObject({
          alpha: alpha.default(0.05),
          maxIncrease: fraction.default(0.05).describe("relative growth of the median latency tolerated"),
        })
        .prefault({}),
    })
    .prefault({}),
  accuracy: z
    .strictObject({
      alpha: alpha.default(0.05).describe("McNemar's test (exact) on per-input correctness"),
      maxDrop: fraction.default(0.01).describe("top-1 or AUC drop tolerated (0.01: one percentage point)"),
      bitExact: z.enum(["keep", "ignore"]).default("keep").describe("keep: a run bit-exact with the host reference must stay so"),
    })
    .prefault({}),
  energy: z
    .strictObject({
      maxIncrease: fraction.default(0.05).describe("relative growth of the median energy per inference tolerated"),
    })
    .prefault({}),
  memory: z
    .strictObject({
      flash: fraction.default(0.02),
      ram: fraction.default(0.02),
      arena: fraction.default(0.02),
    })
    .prefault({}),
  // Streaming wake-word (sww01): the same stream scored the same way. An emulated stream repeats exactly (virtual time),
  // so by default one more miss or false accept is a regression.
  stream: z
    .strictObject({
      maxMoreMisses: z.number().int().min(0).default(0).describe("false negatives (missed wake words) added that are tolerated"),
      maxMoreFalseAccepts: z.number().int().min(0).default(0).describe("false positives added that are tolerated"),
      dutyCycleMaxIncrease: fraction.default(0).describe("relative growth of the duty cycle tolerated (0: any growth fails)"),
    })
    .prefault({}),
});

export type GateRules = z.output<typeof gateRulesSchema>;

export const DEFAULT_GATE_RULES: GateRules = gateRulesSchema.parse({});

/** The rules in a user's file over the defaults; the shipped defaults without one. */
export function loadGateRules(file?: string): GateRules {
  if (file === undefined) return DEFAULT_GATE_RULES;
  const abs = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, "utf8");
  } catch (err) {
    throw new YamlFileError(abs, [{ field: "", message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }], "gate rules file");
  }
  const parsed = parseYaml(text, gateRulesSchema);
  if (!parsed.ok) throw new YamlFileError(abs, parsed.problems, "gate rules file");
  return parsed.value.data;
}

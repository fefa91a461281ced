// A stored run's summary: one schema for what the run loop stores when a run completes (windows, accuracy, or a
// stream's scores) and one formatter that the CLI's summary, the report and `results` print it with, so a figure
// reads the same (units, precision, "modelled") wherever it appears.
import { z } from "zod";
import { modeDefinition } from "../modes/types.ts";

const num = z.number();
/** Performance and energy windows: latency and, where measured or modelled, energy per inference. */
export const windowsSummary = z.looseObject({
  windows: num,
  iterations: num.optional(),
  medianLatencyUs: num.optional(),
  medianEnergyPerInferenceUj: num.optional(),
  phasesUj: z.record(z.string(), num).optional(),
});
export const accuracySummary = z.looseObject({
  metric: z.enum(["top1", "auc"]),
  value: num,
  count: num,
  bitExact: z.object({ matched: num, compared: num }).optional(),
  printedAgreement: z.object({ matched: num, compared: num }).optional(),
});
export const streamSummary = z.looseObject({
  metric: z.literal("sww"),
  stream: z.string(),
  truePositives: num,
  falseNegatives: num,
  falsePositives: num,
  dutyCycle: num,
  throughputPerS: num,
  energyUj: num.optional(),
  powerMw: num.optional(),
});

export type RunSummary =
  | { kind: "windows"; s: z.output<typeof windowsSummary> }
  | { kind: "accuracy"; s: z.output<typeof accuracySummary> }
  | { kind: "stream"; s: z.output<typeof streamSummary> };

/** The summary as its kind, or undefined where there is none (a run that did not complete) or it is not one. */
export function readSummary(run: { mode: string; summary: Record<string, unknown> | null }): RunSummary | undefined {
  if (!run.summary) return undefined;
  const stream = streamSummary.safeParse(run.summary);
  if (stream.success) return { kind: "stream", s: stream.data };
  if (modeDefinition(run.mode)?.measures === "inputs") {
    const a = accuracySummary.safeParse(run.summary);
    return a.success ? { kind: "accuracy", s: a.data } : undefined;
  }
  const w = windowsSummary.safeParse(run.summary);
  return w.success ? { kind: "windows", s: w.data } : undefined;
}

const fixed = (v: number, digits: number) => v.toFixed(digits);

/** One line for a run's figures: "3.425 ms (median of 5 windows); 138.731 µJ/inference (modelled)", "top-1 94.67% over
 * 300; bit-exact 300/300", "stream long: TP 38 FN 12 FP 31; ...". Empty where the run has no summary. */
export function formatRunFigure(run: { mode: string; summary: Record<string, unknown> | null; modelled: boolean }): string {
  const summary = readSummary(run);
  if (!summary) return "";
  const modelled = run.modelled ? " (modelled)" : "";
  if (summary.kind === "stream") {
    const s = summary.s;
    const energy = s.energyUj !== undefined && s.powerMw !== undefined ? `; ${fixed(s.energyUj / 1e6, 3)} J, ${fixed(s.powerMw, 2)} mW${modelled}` : "";
    return `stream ${s.stream}: TP ${s.truePositives} FN ${s.falseNegatives} FP ${s.falsePositives}; duty cycle ${fixed(s.dutyCycle * 100, 2)}%, ${fixed(s.throughputPerS, 1)} inf./s${energy}`;
  }
  if (summary.kind === "accuracy") {
    const s = summary.s;
    const value = s.metric === "top1" ? `top-1 ${fixed(s.value * 100, 2)}%` : `AUC ${fixed(s.value, 4)}`;
    const printed = s.printedAgreement;
    // firmware without raw output was compared on its printed values instead: "bit-exact 0/0" would only confuse
    const exact = s.bitExact && !(printed && s.bitExact.compared === 0) ? `; bit-exact ${s.bitExact.matched}/${s.bitExact.compared}` : "";
    return `${value} over ${s.count}${exact}${printed ? `; printed outputs agree with the host reference ${printed.matched}/${printed.compared}` : ""}`;
  }
  const s = summary.s;
  const phases = s.phasesUj;
  const split = phases
    ? `; fresh input: load ${fixed(phases.load ?? Number.NaN, 1)}, pre ${fixed(phases.pre ?? Number.NaN, 1)}, post ${fixed(phases.post ?? Number.NaN, 1)} µJ`
    : "";
  const energy = s.medianEnergyPerInferenceUj !== undefined ? `${fixed(s.medianEnergyPerInferenceUj, 3)} µJ/inference${modelled}${split}` : "";
  const windows = `median of ${s.windows} windows${s.iterations !== undefined ? `, ${s.iterations} inferences each` : ""}`;
  if (modeDefinition(run.mode)?.figure === "latency" && s.medianLatencyUs !== undefined)
    return `${fixed(s.medianLatencyUs / 1000, 3)} ms (${windows})${energy ? `; ${energy}` : ""}`;
  return `${energy} (${windows})`;
}

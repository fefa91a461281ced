// One formatter for a stored run's figures (harness/store/summary.ts): the CLI's summary, `results list` and the report
// print the same line, in µJ, saying "modelled" where the energy is.
import { describe, expect, it } from "vitest";
import { formatRunFigure, readSummary } from "../harness/store/summary.ts";

describe("run summaries", () => {
  it("formats windows, accuracy and streams the one way", () => {
    const perf = {
      mode: "performance",
      modelled: true,
      summary: {
        windows: 5,
        iterations: 2992,
        medianLatencyUs: 3425.04,
        medianEnergyPerInferenceUj: 138.7312,
        phasesUj: { load: 4694.78, pre: 0.5, post: 0.25 },
      },
    };
    expect(formatRunFigure(perf)).toBe(
      "3.425 ms (median of 5 windows, 2992 inferences each); 138.731 µJ/inference (modelled); fresh input: load 4694.8, pre 0.5, post 0.3 µJ",
    );
    expect(formatRunFigure({ mode: "energy", modelled: false, summary: { windows: 5, medianEnergyPerInferenceUj: 12.5 } })).toBe(
      "12.500 µJ/inference (median of 5 windows)",
    );
    expect(
      formatRunFigure({ mode: "accuracy", modelled: false, summary: { metric: "top1", value: 0.9467, count: 300, bitExact: { matched: 300, compared: 300 } } }),
    ).toBe("top-1 94.67% over 300; bit-exact 300/300");
    expect(formatRunFigure({ mode: "accuracy", modelled: false, summary: { metric: "auc", value: 0.90189, count: 80 } })).toBe("AUC 0.9019 over 80");
    // a prebuilt image without raw output: compared on its printed values, and "bit-exact 0/0" left out
    const printed = { metric: "top1", value: 0.8, count: 5, bitExact: { matched: 0, compared: 0 }, printedAgreement: { matched: 4, compared: 5 } };
    expect(formatRunFigure({ mode: "accuracy", modelled: false, summary: printed })).toBe(
      "top-1 80.00% over 5; printed outputs agree with the host reference 4/5",
    );
    const sww = {
      metric: "sww",
      value: 0.6,
      stream: "short",
      truePositives: 5,
      falseNegatives: 1,
      falsePositives: 1,
      dutyCycle: 0.1638,
      throughputPerS: 190.2,
      energyUj: 2.5e6,
      powerMw: 41.5,
    };
    expect(formatRunFigure({ mode: "accuracy", modelled: true, summary: sww })).toBe(
      "stream short: TP 5 FN 1 FP 1; duty cycle 16.38%, 190.2 inf./s; 2.500 J, 41.50 mW (modelled)",
    );
  });

  it("prints nothing for a run without a summary, or one that is not a summary of its mode", () => {
    expect(formatRunFigure({ mode: "performance", modelled: false, summary: null })).toBe("");
    expect(readSummary({ mode: "accuracy", summary: { windows: 5 } })).toBeUndefined();
  });
});

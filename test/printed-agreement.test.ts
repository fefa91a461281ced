// Firmware without raw output (MLPerf's protocol: a prebuilt image) is compared with the host reference on the values it
// prints, to the last digit it printed: a device may round or cut to that digit, and computes in float32.
import { describe, expect, it } from "vitest";
import { resultSteps } from "../harness/protocol/parse.ts";
import { agreesToPrintedDigit } from "../harness/modes/accuracy.ts";

describe("printed precision", () => {
  it("reads the step of each value's last printed digit, exponents included", () => {
    expect(resultSteps("m-results-[0.992,0.008,]")).toEqual([0.001, 0.001]);
    expect(resultSteps("m-results-[12,-3.50,1.5e-3,2E2]")).toEqual([1, 0.01, 1e-4, 100]);
    expect(resultSteps("m-results-[]")).toEqual([]);
  });

  it("agrees within one unit of the last printed digit, and not beyond", () => {
    const host = [0.99609375, 0.00390625];
    expect(agreesToPrintedDigit([0.996, 0.004], [0.001, 0.001], host)).toBe(true); // rounded
    expect(agreesToPrintedDigit([0.996, 0.003], [0.001, 0.001], host)).toBe(true); // cut
    expect(agreesToPrintedDigit([0.994, 0.004], [0.001, 0.001], host)).toBe(false);
    expect(agreesToPrintedDigit([0.99609375, 0.00390625], [1e-8, 1e-8], host)).toBe(true);
    expect(agreesToPrintedDigit([0.996], [0.001], host)).toBe(false); // another length
    expect(agreesToPrintedDigit([0.9961, 0.0039], [0.001, 0.001], host)).toBe(true);
  });
});

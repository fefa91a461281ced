// The two tests the gate uses, from stdlib's statistics packages (maintained, exact where it matters).
import binomialTest from "@stdlib/stats-binomial-test";
import kruskalTest from "@stdlib/stats-kruskal-test";

export interface TestResult {
  statistic: number;
  pValue: number;
}

/**
 * Mann-Whitney U (Wilcoxon rank-sum), two-sided: do two sets of windows come from the same distribution? The p-value
 * is Kruskal-Wallis' over the two groups, which for two groups is the rank-sum test's normal approximation with ties
 * corrected; U (pairs where `a` is larger, ties half) is reported beside it.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): TestResult {
  if (a.length < 2 || b.length < 2) throw new RangeError(`Mann-Whitney U needs at least 2 values a side (got ${a.length} and ${b.length})`);
  let u = 0;
  for (const x of a) for (const y of b) u += x > y ? 1 : x === y ? 0.5 : 0;
  const first = a[0]!;
  // every value the same: no ranks to tell apart (the test's tie correction would divide by zero)
  if (a.every((x) => x === first) && b.every((y) => y === first)) return { statistic: u, pValue: 1 };
  return { statistic: u, pValue: kruskalTest([...a], [...b]).pValue };
}

/**
 * McNemar's test, exact: of the inputs the two runs disagree on, `lost` were right before and wrong now, `gained` the
 * reverse; under no change each is a fair coin (binomial, p = 0.5).
 */
export function mcNemar(lost: number, gained: number): TestResult {
  const n = lost + gained;
  if (n === 0) return { statistic: 0, pValue: 1 };
  return { statistic: lost, pValue: binomialTest(lost, n).pValue };
}

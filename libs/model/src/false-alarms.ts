/**
 * One-sided upper confidence bound on a Poisson rate's expected count: the λ for which seeing `count`
 * or fewer events has probability 1 − confidence (Garwood 1936, "Fiducial limits for the Poisson
 * distribution", Biometrika 28:437). For zero events at 95 % it is −ln(0.05) ≈ 3.0 — why zero false
 * alarms in about 3000 cell-hours are needed to claim at most 1 per 1000.
 */
export function poissonUpperBound(count: number, confidence = 0.95): number {
  if (!(count >= 0) || !Number.isInteger(count))
    throw new RangeError(`count must be an integer >= 0, got ${count}`);
  const tail = 1 - confidence;
  const cdf = (lambda: number): number => {
    // P(X <= count) for X ~ Poisson(lambda), summed in log space for stability.
    let term = Math.exp(-lambda);
    let sum = term;
    for (let k = 1; k <= count; k++) {
      term *= lambda / k;
      sum += term;
    }
    return sum;
  };
  let low = 0;
  let high = Math.max(10, 3 * count + 10);
  for (let k = 0; k < 200; k++) {
    const mid = (low + high) / 2;
    if (cdf(mid) > tail) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** A rate per 1000 cell-hours with its 95 % upper bound. */
export interface FalseAlarmRate {
  count: number;
  cellHours: number;
  per1000h: number;
  upper95Per1000h: number;
}

export function falseAlarmRate(count: number, cellHours: number): FalseAlarmRate {
  return {
    count,
    cellHours,
    per1000h: cellHours > 0 ? (1000 * count) / cellHours : NaN,
    upper95Per1000h: cellHours > 0 ? (1000 * poissonUpperBound(count)) / cellHours : NaN,
  };
}

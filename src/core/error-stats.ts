/**
 * Cycle-model error, defined once for sim (model vs RTL), calibrate (held-out error) and the
 * report: the absolute percentage error of each prediction against its measurement, and their
 * mean (MAPE). In: paired predicted and measured values (measured > 0). Out: percentages.
 */

/** |predicted − measured| / measured, in percent, pair by pair. */
export function absolutePercentErrors(predicted: readonly number[], measured: readonly number[]): number[] {
  return predicted.map((p, i) => (100 * Math.abs(p - measured[i])) / measured[i]);
}

/** The mean of the absolute percentage errors (0 for no pairs). */
export function meanAbsolutePercentError(predicted: readonly number[], measured: readonly number[]): number {
  const abs = absolutePercentErrors(predicted, measured);
  return abs.length ? abs.reduce((s, v) => s + v, 0) / abs.length : 0;
}

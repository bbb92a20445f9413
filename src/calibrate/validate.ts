/**
 * How good a cycle model is on measurements it was not fitted to: percentage-error statistics
 * (MAPE, P90, max, share within ±10 % — nn-Meter's figure — and Spearman's rank correlation,
 * which is what a search's choices depend on), and k-fold cross-validation that holds out
 * whole designs, so a design's layers never help predict each other.
 */
import { absolutePercentErrors } from '../core/error-stats.js';
import { DEFAULT_RIDGE, defaultCoefficients, fitCoefficients, predictCycles } from './fit.js';
import type { ErrorStats, HeldOutError, Measurement } from './types.js';

/** Ranks 1…n, ties sharing their average rank. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) out[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

export function spearman(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  if (n < 2) return 1;
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (n + 1) / 2;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    cov += (ra[i] - mean) * (rb[i] - mean);
    va += (ra[i] - mean) ** 2;
    vb += (rb[i] - mean) ** 2;
  }
  return va === 0 || vb === 0 ? 1 : cov / Math.sqrt(va * vb);
}

/** The p-quantile (0…1) of `values`, linear between order statistics. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const at = p * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function errorStats(predicted: readonly number[], measured: readonly number[]): ErrorStats {
  const abs = absolutePercentErrors(predicted, measured);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    count: abs.length,
    mapePct: round(abs.length ? abs.reduce((s, v) => s + v, 0) / abs.length : 0),
    p90Pct: round(quantile(abs, 0.9)),
    maxPct: round(abs.length ? Math.max(...abs) : 0),
    within10Pct: round(abs.length ? (100 * abs.filter((v) => v <= 10).length) / abs.length : 100),
    spearman: round(spearman(predicted, measured)),
  };
}

/** Folds: whole designs, assigned round-robin in hash order (measurements when there is one design). */
function foldsOf(measurements: readonly Measurement[], k: number): { folds: number[]; count: number; method: string } {
  const designs = [...new Set(measurements.map((m) => m.design))].sort();
  if (designs.length >= 2) {
    const count = Math.min(k, designs.length);
    const fold = new Map(designs.map((d, i) => [d, i % count]));
    return { folds: measurements.map((m) => fold.get(m.design) as number), count, method: `${count}-fold by design` };
  }
  const count = Math.min(k, measurements.length);
  return { folds: measurements.map((_, i) => i % count), count, method: `${count}-fold by measurement (one design)` };
}

/** Ridge strengths `chooseRidge` tries (see fit.ts: the pull towards the default coefficients). */
const RIDGE_GRID = [1e-4, 1e-3, 1e-2, 3e-2, 1e-1, 1, Infinity];

/**
 * The strongest ridge whose cross-validated MAPE on `measurements` (inner folds) is within
 * 10 % of the least, or DEFAULT_RIDGE when there are fewer than three folds to tell. The
 * strongest of all, Infinity, keeps the default coefficients: a fit must beat them clearly to be
 * taken. Where the data is thin a strong pull keeps the defaults; a weaker one is taken only when
 * the data clearly supports it (the spirit of the one-standard-error rule).
 */
export function chooseRidge(measurements: readonly Measurement[], k = 5): number {
  if (foldsOf(measurements, k).count < 3) return DEFAULT_RIDGE;
  const errors = RIDGE_GRID.map((ridge) => (crossValidate(measurements, k, ridge) as HeldOutError).after.mapePct);
  const best = Math.min(...errors);
  // the strongest pull whose error is within 10 % of the best: a weaker one must earn its keep
  for (let i = RIDGE_GRID.length - 1; i >= 0; i--) if (errors[i] <= best * 1.1) return RIDGE_GRID[i];
  return DEFAULT_RIDGE;
}

/**
 * Held-out error before (defaults) and after (fitted on the other folds) calibration; with
 * `ridge` 'auto' each fold chooses its ridge on its own training designs (nested, no leak).
 */
export function crossValidate(measurements: readonly Measurement[], k = 5, ridge: number | 'auto' = DEFAULT_RIDGE): HeldOutError | null {
  if (measurements.length < 2) return null;
  const { folds, count, method } = foldsOf(measurements, k);
  const defaults = defaultCoefficients();
  const before: number[] = [];
  const after: number[] = [];
  const measured: number[] = [];
  for (let f = 0; f < count; f++) {
    const train = measurements.filter((_, i) => folds[i] !== f);
    const coefficients = fitCoefficients(train, ridge === 'auto' ? chooseRidge(train, k) : ridge);
    measurements.forEach((m, i) => {
      if (folds[i] !== f) return;
      before.push(predictCycles(m, defaults));
      after.push(predictCycles(m, coefficients));
      measured.push(m.cycles);
    });
  }
  return { method, folds: count, before: errorStats(before, measured), after: errorStats(after, measured) };
}

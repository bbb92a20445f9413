/**
 * How good a linear model (the cycle model, the LUT and FF estimates) is on measurements it was not fitted to: percentage-error statistics
 * (MAPE, P90, max, share within ±10 % — nn-Meter's figure — and Spearman's rank correlation,
 * which is what a search's choices depend on), and k-fold cross-validation that holds out
 * whole designs, so a design's layers never help predict each other.
 */
import { absolutePercentErrors } from '../core/error-stats.js';
import { CYCLE_DEFAULTS, cycleSample, DEFAULT_RIDGE, fitLinear, type LinearSample, predictLinear } from './fit.js';
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

/** Folds: whole groups (designs), assigned round-robin in sorted order (samples when there is one group). */
function foldsOf(groups: readonly string[], k: number): { folds: number[]; count: number; method: string } {
  const designs = [...new Set(groups)].sort();
  if (designs.length >= 2) {
    const count = Math.min(k, designs.length);
    const fold = new Map(designs.map((d, i) => [d, i % count]));
    return { folds: groups.map((g) => fold.get(g) as number), count, method: `${count}-fold by design` };
  }
  const count = Math.min(k, groups.length);
  return { folds: groups.map((_, i) => i % count), count, method: `${count}-fold by measurement (one design)` };
}

/** Ridge strengths `chooseRidge` tries (see fit.ts: the pull towards the default coefficients). */
const RIDGE_GRID = [1e-4, 1e-3, 1e-2, 3e-2, 1e-1, 1, Infinity];

/**
 * The strongest ridge whose cross-validated MAPE on `samples` (inner folds) is within 10 % of
 * the least, or DEFAULT_RIDGE when there are fewer than three folds to tell. The strongest of
 * all, Infinity, keeps the default coefficients: a fit must beat them clearly to be taken.
 * Where the data is thin a strong pull keeps the defaults; a weaker one is taken only when the
 * data clearly supports it (the spirit of the one-standard-error rule).
 */
export function chooseRidgeLinear(samples: readonly LinearSample[], defaults: readonly number[], k = 5): number {
  if (
    foldsOf(
      samples.map((s) => s.group),
      k,
    ).count < 3
  )
    return DEFAULT_RIDGE;
  const errors = RIDGE_GRID.map((ridge) => (crossValidateLinear(samples, defaults, k, ridge) as HeldOutError).after.mapePct);
  const best = Math.min(...errors);
  // the strongest pull whose error is within 10 % of the best: a weaker one must earn its keep
  for (let i = RIDGE_GRID.length - 1; i >= 0; i--) if (errors[i] <= best * 1.1) return RIDGE_GRID[i];
  return DEFAULT_RIDGE;
}

/**
 * Held-out error before (defaults) and after (fitted on the other folds) calibration; with
 * `ridge` 'auto' each fold chooses its ridge on its own training groups (nested, no leak).
 */
export function crossValidateLinear(
  samples: readonly LinearSample[],
  defaults: readonly number[],
  k = 5,
  ridge: number | 'auto' = DEFAULT_RIDGE,
): HeldOutError | null {
  if (samples.length < 2) return null;
  const { folds, count, method } = foldsOf(
    samples.map((s) => s.group),
    k,
  );
  const before: number[] = [];
  const after: number[] = [];
  const measured: number[] = [];
  for (let f = 0; f < count; f++) {
    const train = samples.filter((_, i) => folds[i] !== f);
    const coefficients = fitLinear(train, defaults, ridge === 'auto' ? chooseRidgeLinear(train, defaults, k) : ridge);
    samples.forEach((s, i) => {
      if (folds[i] !== f) return;
      before.push(predictLinear(s.row, defaults));
      after.push(predictLinear(s.row, coefficients));
      measured.push(s.value);
    });
  }
  return { method, folds: count, before: errorStats(before, measured), after: errorStats(after, measured) };
}

/** chooseRidgeLinear for cycle measurements. */
export function chooseRidge(measurements: readonly Measurement[], k = 5): number {
  return chooseRidgeLinear(measurements.map(cycleSample), CYCLE_DEFAULTS, k);
}

/** crossValidateLinear for cycle measurements (held out by design). */
export function crossValidate(measurements: readonly Measurement[], k = 5, ridge: number | 'auto' = DEFAULT_RIDGE): HeldOutError | null {
  return crossValidateLinear(measurements.map(cycleSample), CYCLE_DEFAULTS, k, ridge);
}

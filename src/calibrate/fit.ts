/**
 * fitCoefficients — non-negative least squares on relative errors: every measurement is the
 * equation Σ_key,term coef·term / measured = 1, so a 1000-cycle layer counts as much as a
 * 10⁶-cycle one (the error that matters for a search is relative). A small ridge pulls every
 * coefficient towards its default in relative units: a term no measurement exercises keeps its
 * default, and collinear terms (e.g. `tiles` and `fixed` on single-tile layers) are shared
 * sensibly instead of arbitrarily. Solved with ml-fcnnls (Lawson–Hanson active set).
 */
import { fcnnlsVector } from 'ml-fcnnls';
import { DEFAULT_COEFFICIENTS } from '../accel/cost-model.js';
import { COST_TERMS, type CoefficientKey, type CostCoefficients } from '../accel/types.js';
import { COEFFICIENT_KEYS, type Measurement } from './types.js';

export type Coefficients = Readonly<Record<CoefficientKey, CostCoefficients>>;

/**
 * Weight of the pull towards the defaults, per coefficient, against one measurement's squared
 * relative error, when too few designs choose one by cross-validation (validate.ts).
 */
export const DEFAULT_RIDGE = 3e-2;

export function defaultCoefficients(): Coefficients {
  return Object.fromEntries(COEFFICIENT_KEYS.map((k) => [k, { ...DEFAULT_COEFFICIENTS }])) as Coefficients;
}

/** Cycles the linear model predicts for a measurement's terms. */
export function predictCycles(m: Measurement, coefficients: Coefficients): number {
  let sum = 0;
  for (const key of COEFFICIENT_KEYS) {
    const terms = m.terms[key];
    if (!terms) continue;
    for (const term of COST_TERMS) sum += coefficients[key][term] * terms[term];
  }
  return sum;
}

/** Fit the coefficients; `ridge` Infinity keeps the defaults. */
export function fitCoefficients(measurements: readonly Measurement[], ridge = DEFAULT_RIDGE): Coefficients {
  if (ridge === Infinity) return defaultCoefficients();
  const columns = COEFFICIENT_KEYS.length * COST_TERMS.length;
  const defaults = COEFFICIENT_KEYS.flatMap(() => COST_TERMS.map((t) => DEFAULT_COEFFICIENTS[t]));
  const rows: number[][] = [];
  const rhs: number[] = [];
  for (const m of measurements) {
    const row = new Array<number>(columns).fill(0);
    COEFFICIENT_KEYS.forEach((key, k) => {
      const terms = m.terms[key];
      if (terms) COST_TERMS.forEach((term, t) => (row[k * COST_TERMS.length + t] = terms[term] / m.cycles));
    });
    rows.push(row);
    rhs.push(1);
  }
  const r = Math.sqrt(ridge);
  for (let c = 0; c < columns; c++) {
    const row = new Array<number>(columns).fill(0);
    // a default of 0 would make the pull absolute: anchor such a coefficient at scale 1
    row[c] = r / (defaults[c] > 0 ? defaults[c] : 1);
    rows.push(row);
    rhs.push(defaults[c] > 0 ? r : 0);
  }
  const solution = fcnnlsVector(rows, rhs).K.to1DArray();
  return Object.fromEntries(
    COEFFICIENT_KEYS.map((key, k) => [
      key,
      Object.fromEntries(
        COST_TERMS.map((term, t) => [term, Math.max(0, solution[k * COST_TERMS.length + t])]),
      ) as unknown as CostCoefficients,
    ]),
  ) as Coefficients;
}

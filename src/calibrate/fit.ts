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

/** One equation of a linear model: its terms, the value measured, and the group it is held out with. */
export interface LinearSample {
  readonly row: readonly number[];
  readonly value: number;
  readonly group: string;
}

export const predictLinear = (row: readonly number[], coefficients: readonly number[]): number =>
  row.reduce((sum, term, i) => sum + term * coefficients[i], 0);

/**
 * Non-negative least squares of Σ coef·term / measured = 1 over the samples, with `ridge`
 * pulling every coefficient towards its default in relative units (a default of 0 is anchored
 * at scale 1, so the pull on it is absolute); Infinity keeps the defaults.
 */
export function fitLinear(samples: readonly LinearSample[], defaults: readonly number[], ridge: number): number[] {
  if (ridge === Infinity) return [...defaults];
  const columns = defaults.length;
  const rows: number[][] = samples.map((s) => s.row.map((term) => term / s.value));
  const rhs: number[] = samples.map(() => 1);
  const r = Math.sqrt(ridge);
  for (let c = 0; c < columns; c++) {
    const row = new Array<number>(columns).fill(0);
    row[c] = r / (defaults[c] > 0 ? defaults[c] : 1);
    rows.push(row);
    rhs.push(defaults[c] > 0 ? r : 0);
  }
  return fcnnlsVector(rows, rhs)
    .K.to1DArray()
    .map((v) => Math.max(0, v));
}

/** A cycle measurement as one equation over every (key, term) coefficient. */
export function cycleSample(m: Measurement): LinearSample {
  const row = new Array<number>(COEFFICIENT_KEYS.length * COST_TERMS.length).fill(0);
  COEFFICIENT_KEYS.forEach((key, k) => {
    const terms = m.terms[key];
    if (terms) COST_TERMS.forEach((term, t) => (row[k * COST_TERMS.length + t] = terms[term]));
  });
  return { row, value: m.cycles, group: m.design };
}

export const CYCLE_DEFAULTS: readonly number[] = COEFFICIENT_KEYS.flatMap(() => COST_TERMS.map((t) => DEFAULT_COEFFICIENTS[t]));

/** Flat coefficients (COEFFICIENT_KEYS × COST_TERMS) by key and term. */
export function cycleCoefficients(flat: readonly number[]): Coefficients {
  return Object.fromEntries(
    COEFFICIENT_KEYS.map((key, k) => [
      key,
      Object.fromEntries(COST_TERMS.map((term, t) => [term, flat[k * COST_TERMS.length + t]])) as unknown as CostCoefficients,
    ]),
  ) as Coefficients;
}

/** Fit the coefficients; `ridge` Infinity keeps the defaults. */
export function fitCoefficients(measurements: readonly Measurement[], ridge = DEFAULT_RIDGE): Coefficients {
  return cycleCoefficients(fitLinear(measurements.map(cycleSample), CYCLE_DEFAULTS, ridge));
}

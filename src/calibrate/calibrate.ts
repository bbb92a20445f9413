/**
 * calibrateCostModel — measurements → calibration.json: the coefficients fitted on every
 * measurement, the held-out error of the default and the fitted model (k-fold by design), and
 * the measurements used, by hash.
 */
import { fitCoefficients, predictCycles } from './fit.js';
import { COEFFICIENT_KEYS, type CalibrationFile, type Measurement } from './types.js';
import { chooseRidge, crossValidate, errorStats } from './validate.js';

interface CalibrateOptions {
  readonly folds?: number;
  /** Ridge strength, or 'auto' (default): chosen by cross-validation on the measurements. */
  readonly ridge?: number | 'auto';
  readonly toolVersion: string;
  readonly createdAt: string;
}

export function calibrateCostModel(measurements: readonly Measurement[], options: CalibrateOptions): CalibrationFile {
  const k = options.folds ?? 5;
  const ridge =
    measurements.length === 0
      ? Infinity
      : options.ridge === undefined || options.ridge === 'auto'
        ? chooseRidge(measurements, k)
        : options.ridge;
  const coefficients = fitCoefficients(measurements, ridge);
  const count = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  const bySource = count(['sim', 'board', 'hls'] as const);
  const perKey = count(COEFFICIENT_KEYS);
  for (const m of measurements) {
    bySource[m.source]++;
    for (const key of COEFFICIENT_KEYS) if (m.terms[key]) perKey[key]++;
  }
  const drop = <K extends string>(r: Record<K, number>) =>
    Object.fromEntries(Object.entries(r).filter(([, n]) => (n as number) > 0)) as Partial<Record<K, number>>;
  return {
    version: 1,
    coefficients,
    source: `trips-hw calibrate: ${measurements.length} measurements`,
    fit: {
      method:
        measurements.length === 0
          ? 'the default coefficients: no cycle measurements'
          : ridge === Infinity
            ? 'the default coefficients kept: no fit beat them clearly in cross-validation'
            : `non-negative least squares on relative error, ridge towards the default coefficients (${options.ridge === undefined || options.ridge === 'auto' ? 'strength chosen by cross-validation' : 'strength given'})`,
      // JSON has no Infinity: null records that the defaults were kept
      ridge: ridge === Infinity ? null : ridge,
    },
    records: {
      count: measurements.length,
      designs: new Set(measurements.map((m) => m.design)).size,
      bySource: drop(bySource),
      perKey: drop(perKey),
      ids: measurements.map((m) => m.id),
    },
    simulators: [...new Set(measurements.map((m) => m.by))].sort(),
    heldOut: crossValidate(measurements, k, options.ridge ?? 'auto'),
    inSample: errorStats(
      measurements.map((m) => predictCycles(m, coefficients)),
      measurements.map((m) => m.cycles),
    ),
    createdAt: options.createdAt,
    toolVersion: options.toolVersion,
  };
}

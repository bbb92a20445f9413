/**
 * Calibration data: a measurement is one equation of the linear cycle model — the model's raw
 * terms (per coefficient key) on the left, measured cycles on the right. A layer simulated by
 * Verilator or timed on a board gives one key's terms; a whole-network latency (an HLS
 * co-simulation report) gives the sum over its layers, spread over several keys.
 */
import type { CoefficientKey, CostCoefficients, CostTerm } from '../accel/types.js';
import type { ResourceCalibration } from './resources.js';

export const COEFFICIENT_KEYS: readonly CoefficientKey[] = ['conv/os', 'conv/ws', 'dw/os', 'dw/ws', 'eltwise/os', 'eltwise/ws'];

export type MeasurementSource = 'sim' | 'board' | 'hls';

export interface Measurement {
  /** Content hash of what it came from (a sim record, a CSV row, a report) — recorded in calibration.json. */
  readonly id: string;
  /** Design hash: measurements of one design are held out together. */
  readonly design: string;
  /** Layer name, or `*` for a whole-network latency. */
  readonly layer: string;
  readonly source: MeasurementSource;
  readonly terms: Readonly<Partial<Record<CoefficientKey, Readonly<Record<CostTerm, number>>>>>;
  readonly cycles: number;
  /** Simulator or tool that measured it (`Verilator 5.006`, `board`, `Vitis HLS cosim`). */
  readonly by: string;
}

export interface ErrorStats {
  readonly count: number;
  /** Mean |predicted − measured| / measured, in %. */
  readonly mapePct: number;
  /** 90th percentile of the absolute percentage error. */
  readonly p90Pct: number;
  readonly maxPct: number;
  /** Share of measurements predicted within ±10 %, in %. */
  readonly within10Pct: number;
  /** Spearman rank correlation of predicted and measured cycles. */
  readonly spearman: number;
}

export interface HeldOutError {
  /** `k-fold by design (k = 5)`, or by measurement when there is one design. */
  readonly method: string;
  readonly folds: number;
  /** The default (uncalibrated) coefficients on the held-out measurements. */
  readonly before: ErrorStats;
  /** Coefficients fitted without the held-out fold, on it. */
  readonly after: ErrorStats;
}

/** calibration.json (schemas/calibration.schema.json): CalibrationSpec plus how it was fitted. */
export interface CalibrationFile {
  readonly version: 1;
  readonly coefficients: Readonly<Record<CoefficientKey, CostCoefficients>>;
  readonly source: string;
  /** `ridge` null: the default coefficients were kept (no fit beat them in cross-validation). */
  readonly fit: { readonly method: string; readonly ridge: number | null };
  readonly records: {
    readonly count: number;
    readonly designs: number;
    readonly bySource: Readonly<Partial<Record<MeasurementSource, number>>>;
    readonly perKey: Readonly<Partial<Record<CoefficientKey, number>>>;
    readonly ids: readonly string[];
  };
  readonly simulators: readonly string[];
  readonly heldOut: HeldOutError | null;
  /** The fitted model on every measurement it was fitted to (in-sample). */
  readonly inSample: ErrorStats;
  /** The resource model's LUT and FF coefficients, fitted to synthesis (synth records, Vivado reports); absent when none was given. */
  readonly resources?: ResourceCalibration;
  readonly createdAt: string;
  readonly toolVersion: string;
}

/**
 * calibrate/ — stage: measured cycles → calibration.json.
 * Measurements come from Verilator sim records, board timings (CSV) and Vivado / Vitis HLS
 * reports; each is the cost model's terms next to the cycles measured. The coefficients of the
 * linear cycle model are fitted per layer class and loop order (non-negative least squares on
 * relative error, pulled towards the defaults where the data says nothing) and judged on
 * designs held out of the fit. What stays true: the file is plain data that `estimate`,
 * `explore` and `search` take with `--calibration`; the model's code does not change.
 */
export * from './types.js';
export { calibrateFromFiles, type CalibrateSummary } from './from-files.js';

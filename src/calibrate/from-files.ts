/** The `calibrate` stage as one call: read every measurement file, fit, cross-validate, write. */
import { writeJsonAtomic } from '../core/files.js';
import { InputError, UsageError } from '../core/diagnostics.js';
import type { DesignPoint } from '../accel/types.js';
import { calibrateCostModel } from './calibrate.js';
import { knownDesign, readBoardCsv, readHlsReport, readSimRecords } from './measurements.js';
import type { CalibrationFile, Measurement } from './types.js';

interface CalibrateRequest {
  readonly records: readonly string[];
  readonly boardCsv: readonly string[];
  readonly hlsReports: readonly string[];
  /** Designs that board and HLS measurements refer to. */
  readonly designs: readonly DesignPoint[];
  readonly out?: string;
  readonly folds?: number;
  readonly toolVersion: string;
}

export interface CalibrateSummary {
  readonly out: string | null;
  readonly records: number;
  readonly skipped: number;
  readonly designs: number;
  readonly heldOut: CalibrationFile['heldOut'];
  readonly inSample: CalibrationFile['inSample'];
  readonly calibration: CalibrationFile;
}

export function calibrateFromFiles(request: CalibrateRequest): CalibrateSummary {
  if (request.records.length + request.boardCsv.length + request.hlsReports.length === 0) {
    throw new UsageError('expected measurements: --records (sim records), --board-csv or --hls-report');
  }
  const known = request.designs.map(knownDesign);
  const measurements: Measurement[] = [];
  let skipped = 0;
  for (const file of request.records) {
    const r = readSimRecords(file);
    measurements.push(...r.measurements);
    skipped += r.skipped;
  }
  for (const file of request.boardCsv) measurements.push(...readBoardCsv(file, known));
  for (const file of request.hlsReports) measurements.push(readHlsReport(file, known));
  if (measurements.length === 0) {
    const files = [...request.records, ...request.boardCsv, ...request.hlsReports].join(', ');
    throw new InputError(
      files,
      '',
      `expected at least one usable measurement, found none (${skipped} sim records were not bit-exact or did not finish)`,
    );
  }
  const calibration = calibrateCostModel(measurements, {
    folds: request.folds,
    toolVersion: request.toolVersion,
    createdAt: new Date().toISOString(),
  });
  if (request.out !== undefined) writeJsonAtomic(request.out, calibration);
  return {
    out: request.out ?? null,
    records: measurements.length,
    skipped,
    designs: calibration.records.designs,
    heldOut: calibration.heldOut,
    inSample: calibration.inSample,
    calibration,
  };
}

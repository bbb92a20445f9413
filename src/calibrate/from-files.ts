/** The `calibrate` stage as one call: read every measurement file, fit, cross-validate, write. */
import { writeJsonAtomic } from '../core/files.js';
import { InputError, UsageError } from '../core/diagnostics.js';
import type { DesignPoint } from '../accel/types.js';
import { calibrateCostModel } from './calibrate.js';
import { knownDesign, readBoardCsv, readHlsReport, readSimRecords } from './measurements.js';
import { calibrateResources, readSynthRecords, readVivadoUtilization, type ResourceMeasurement } from './resources.js';
import type { CalibrationFile, Measurement } from './types.js';

interface CalibrateRequest {
  readonly records: readonly string[];
  readonly boardCsv: readonly string[];
  readonly hlsReports: readonly string[];
  /** Designs that board and HLS measurements refer to. */
  readonly designs: readonly DesignPoint[];
  /** Synth records of `trips-hw synth` and Vivado utilization reports (with the project each belongs to, when not the folder above its rtl/). */
  readonly synthRecords?: readonly string[];
  readonly vivadoReports?: readonly string[];
  readonly project?: string;
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
  /** Resource measurements (chunks synthesised), 0 when none were given. */
  readonly chunks: number;
}

export function calibrateFromFiles(request: CalibrateRequest): CalibrateSummary {
  const synth = request.synthRecords ?? [];
  const vivado = request.vivadoReports ?? [];
  const cycleFiles = [...request.records, ...request.boardCsv, ...request.hlsReports];
  if (cycleFiles.length + synth.length + vivado.length === 0) {
    throw new UsageError(
      'expected measurements: --records (sim records), --board-csv or --hls-report for cycles; --synth-records or --vivado-util for LUT and FF',
    );
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
  if (measurements.length === 0 && cycleFiles.length > 0) {
    throw new InputError(
      cycleFiles.join(', '),
      '',
      `expected at least one usable measurement, found none (${skipped} sim records were not bit-exact or did not finish)`,
    );
  }
  const chunks: ResourceMeasurement[] = [];
  for (const file of synth) chunks.push(...readSynthRecords(file));
  for (const file of vivado) chunks.push(...readVivadoUtilization(file, request.project));
  const cycles = calibrateCostModel(measurements, {
    folds: request.folds,
    toolVersion: request.toolVersion,
    createdAt: new Date().toISOString(),
  });
  const calibration: CalibrationFile = chunks.length > 0 ? { ...cycles, resources: calibrateResources(chunks, request.folds) } : cycles;
  if (request.out !== undefined) writeJsonAtomic(request.out, calibration);
  return {
    out: request.out ?? null,
    records: measurements.length,
    skipped,
    designs: calibration.records.designs,
    heldOut: calibration.heldOut,
    inSample: calibration.inSample,
    calibration,
    chunks: chunks.length,
  };
}

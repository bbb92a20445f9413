/**
 * What a report shows, read from a run folder: the design (and the final design searched with
 * the calibrated model), the search's epoch records, the retraining, the sim records of the
 * generated hardware, the calibration, and optional baseline points. Every part is optional
 * but the design, so a folder written by `search` alone reports too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { estimateDesign } from '../accel/estimate.js';
import type { CoefficientKey, CostReport, CostTerm, DesignPoint } from '../accel/types.js';
import type { CalibrationFile } from '../calibrate/types.js';
import { InputError } from '../core/diagnostics.js';
import { readJsonFile } from '../core/files.js';
import { validateArtifact } from '../core/schema.js';

export interface SearchEpoch {
  readonly epoch: number;
  readonly phase: string;
  readonly accuracy: number;
  readonly fps: number;
  readonly lambda: number;
  readonly temperature: number;
  readonly genotype?: string;
}

export interface TrainSummary {
  readonly accuracy: number;
  readonly integerAccuracy?: number;
  readonly agreement?: number;
  readonly epochs: number;
}

export interface LayerRecord {
  readonly layer: string;
  readonly chunk: string;
  readonly op: string;
  readonly image: number;
  readonly predicted: number;
  readonly measured: number | null;
  readonly bitExact: boolean;
  /** The model's terms and coefficient key, to predict with calibrated coefficients. */
  readonly key: CoefficientKey;
  readonly terms: Readonly<Record<CostTerm, number>>;
}

export interface BaselinePoint {
  readonly label: string;
  readonly accuracy: number;
  readonly fps: number;
}

export interface RunData {
  readonly dir: string;
  readonly design: DesignPoint;
  readonly designFile: string;
  /** The design's cost report (default coefficients), computed once for every plot and table. */
  readonly cost: CostReport;
  readonly finalDesign?: DesignPoint;
  readonly search: readonly SearchEpoch[];
  readonly train?: TrainSummary;
  readonly records: readonly LayerRecord[];
  readonly calibration?: CalibrationFile;
  readonly baselines: readonly BaselinePoint[];
}

const first = (dir: string, paths: string[]) => paths.map((p) => join(dir, p)).find((p) => existsSync(p));

function jsonLines<T>(file: string | undefined): T[] {
  if (!file) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as T;
      } catch {
        throw new InputError(file, `/line/${i + 1}`, 'expected one JSON object per line');
      }
    });
}

function readBaselines(file: string): BaselinePoint[] {
  const value = readJsonFile(file);
  if (!Array.isArray(value)) throw new InputError(file, '', 'expected an array of {label, accuracy, fps}');
  return value.map((p: unknown, i) => {
    const b = p as Partial<BaselinePoint>;
    if (typeof b.label !== 'string' || !(typeof b.accuracy === 'number' && b.accuracy >= 0 && b.accuracy <= 1) || !(typeof b.fps === 'number' && b.fps > 0)) {
      throw new InputError(file, `/${i}`, 'expected {label: string, accuracy: 0…1, fps: > 0}');
    }
    return { label: b.label, accuracy: b.accuracy, fps: b.fps };
  });
}

/** Read a run folder (`flow`'s, or `search`'s alone); `baselines` adds points from another file. */
export function readRun(dir: string, baselines?: string): RunData {
  const designFile = first(dir, ['design.json', 'search/design.json']);
  if (!designFile) throw new InputError(dir, '', 'expected a run folder with design.json or search/design.json');
  const design = validateArtifact<DesignPoint>('design', readJsonFile(designFile), designFile);
  const finalFile = first(dir, ['final/design.json']);
  const trainFile = first(dir, ['train/train.json']);
  const calibrationFile = first(dir, ['calibration.json']);
  const baselinesFile = first(dir, ['baselines.json']);
  const records = jsonLines<{ layer: string; chunk: string; op: string; image: number; pred: { cycles: number; key: CoefficientKey; terms: Record<CostTerm, number> }; meas: { cycles: number | null }; bitExact: boolean }>(first(dir, ['hw/sim/records.jsonl']));
  return {
    dir,
    design,
    designFile,
    cost: estimateDesign(design, undefined, designFile),
    finalDesign: finalFile ? validateArtifact<DesignPoint>('design', readJsonFile(finalFile), finalFile) : undefined,
    search: jsonLines<SearchEpoch>(first(dir, ['search.jsonl', 'search/search.jsonl'])),
    train: trainFile ? (readJsonFile(trainFile) as TrainSummary) : undefined,
    records: records.map((r) => ({ layer: r.layer, chunk: r.chunk, op: r.op, image: r.image, predicted: r.pred.cycles, key: r.pred.key, terms: r.pred.terms, measured: r.meas.cycles, bitExact: r.bitExact })),
    calibration: calibrationFile ? validateArtifact<CalibrationFile>('calibration', readJsonFile(calibrationFile), calibrationFile) : undefined,
    baselines: [...(baselinesFile ? readBaselines(baselinesFile) : []), ...(baselines ? readBaselines(baselines) : [])],
  };
}

/**
 * What a report shows, read from a run folder: the design (and the final design searched with
 * the calibrated model), the search's epoch records, the retraining, the sim records of the
 * generated hardware, the calibration, and optional baseline points. Every part is optional
 * but the design, so a folder written by `search` alone reports too.
 */
import type { SystemResult } from '../sim/system.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { estimateDesign } from '../accel/estimate.js';
import type { CoefficientKey, CostReport, CostTerm, DesignPoint } from '../accel/types.js';
import type { CalibrationFile } from '../calibrate/types.js';
import { InputError } from '../core/diagnostics.js';
import { checkInputDir } from '../core/files.js';
import { loadArtifact, loadArtifactLines } from '../core/schema.js';
import { PROJECT_FILES, RUN_FILES, STAGE_FILES } from '../core/run-layout.js';

export interface SearchEpoch {
  readonly epoch: number;
  readonly phase: string;
  readonly accuracy: number;
  readonly fps: number;
  readonly lambda: number;
  readonly temperature: number;
  /** Mean entropy of α's and β's softmax (nats); absent in runs made before it was recorded. */
  readonly entropyAlpha?: number;
  readonly entropyBeta?: number;
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
  /** A mean over seeds: the sample standard deviations, drawn as error bars, and the seeds. */
  readonly accuracySd?: number;
  readonly fpsSd?: number;
  readonly seeds?: number;
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
  /** The whole accelerator's simulation (OUT/hw/sim/system.json), when the flow ran it. */
  readonly system?: SystemResult;
  readonly baselines: readonly BaselinePoint[];
  /** The stages `flow` finished in this folder, with their time (OUT/flow.json), in order. */
  readonly stages: readonly { readonly stage: string; readonly seconds: number }[];
}

const first = (dir: string, paths: string[]) => paths.map((p) => join(dir, p)).find((p) => existsSync(p));

/** The fields of a sim record (schemas/sim-record.schema.json) the report shows. */
interface SimRecordFields {
  readonly layer: string;
  readonly chunk: string;
  readonly op: string;
  readonly image: number;
  readonly pred: { readonly cycles: number; readonly key: CoefficientKey; readonly terms: Record<CostTerm, number> };
  readonly meas: { readonly cycles: number | null };
  readonly bitExact: boolean;
}

/**
 * Baseline points (schemas/baselines.schema.json): a JSON array of {label, accuracy 0…1,
 * fps > 0, and for a mean over seeds accuracySd, fpsSd, seeds}. Anything else is an
 * `InputError` naming the file and the bad point.
 */
export function readBaselines(file: string): BaselinePoint[] {
  return loadArtifact<BaselinePoint[]>('baselines', file).map((b) => ({
    label: b.label,
    accuracy: b.accuracy,
    fps: b.fps,
    ...(b.accuracySd === undefined ? {} : { accuracySd: b.accuracySd }),
    ...(b.fpsSd === undefined ? {} : { fpsSd: b.fpsSd }),
    ...(b.seeds === undefined ? {} : { seeds: b.seeds }),
  }));
}

/**
 * Read a run folder (`flow`'s, or `search`'s alone); `baselines` adds points from another file
 * (or points already read from one). Every file goes through its schema: a folder that is
 * missing or a file, or a file that is not what the stage writes, is an `InputError` naming it.
 */
export function readRun(dir: string, baselines?: string | readonly BaselinePoint[]): RunData {
  checkInputDir(dir, 'a run folder with design.json or search/design.json');
  const designFile = first(dir, [STAGE_FILES.design, join(RUN_FILES.search, STAGE_FILES.design)]);
  if (!designFile) throw new InputError(dir, '', 'expected a run folder with design.json or search/design.json');
  const design = loadArtifact<DesignPoint>('design', designFile);
  const finalFile = first(dir, [join(RUN_FILES.final, STAGE_FILES.design)]);
  const searchFile = first(dir, [STAGE_FILES.searchEpochs, join(RUN_FILES.search, STAGE_FILES.searchEpochs)]);
  const trainFile = first(dir, [join(RUN_FILES.train, STAGE_FILES.trainSummary)]);
  const recordsFile = first(dir, [join(RUN_FILES.hw, PROJECT_FILES.simRecords)]);
  const calibrationFile = first(dir, [RUN_FILES.calibration]);
  const systemFile = first(dir, [join(RUN_FILES.hw, PROJECT_FILES.simSystem)]);
  const baselinesFile = first(dir, [RUN_FILES.baselines]);
  const flowFile = first(dir, [RUN_FILES.flowState]);
  const flow = flowFile ? loadArtifact<{ done: Record<string, { seconds: number }> }>('flow-state', flowFile) : undefined;
  const records = recordsFile ? loadArtifactLines<SimRecordFields>('sim-record', recordsFile) : [];
  const extra = baselines === undefined ? [] : typeof baselines === 'string' ? readBaselines(baselines) : baselines;
  return {
    dir,
    design,
    designFile,
    cost: estimateDesign(design, undefined, designFile),
    finalDesign: finalFile ? loadArtifact<DesignPoint>('design', finalFile) : undefined,
    search: searchFile ? loadArtifactLines<SearchEpoch>('search-epoch', searchFile) : [],
    train: trainFile ? loadArtifact<TrainSummary>('train-summary', trainFile) : undefined,
    records: records.map((r) => ({
      layer: r.layer,
      chunk: r.chunk,
      op: r.op,
      image: r.image,
      predicted: r.pred.cycles,
      key: r.pred.key,
      terms: r.pred.terms,
      measured: r.meas.cycles,
      bitExact: r.bitExact,
    })),
    calibration: calibrationFile ? loadArtifact<CalibrationFile>('calibration', calibrationFile) : undefined,
    system: systemFile ? loadArtifact<SystemResult>('system-result', systemFile) : undefined,
    baselines: [...(baselinesFile ? readBaselines(baselinesFile) : []), ...extra],
    stages: flow ? Object.entries(flow.done).map(([stage, d]) => ({ stage, seconds: d.seconds })) : [],
  };
}

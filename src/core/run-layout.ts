/**
 * The run layout — stage: every stage and the report. Where each artifact sits in the folders
 * trips-hw writes: a flow run folder (`flow --out`), the folders of `search`, `train` and
 * `generate` inside it or on their own, and a generated project's co-simulation and synthesis folders.
 * What stays true: a file's name is written here once, so the stage that writes it, the stage
 * that reads it and the report name the same file (docs/architecture.md "Run folder").
 */
import { join } from 'node:path';

/** Files and folders of a search, train or generate folder (each stage's own `--out`). */
export const STAGE_FILES = {
  /** A design point (search, final): schemas/design.schema.json. */
  design: 'design.json',
  /** One line per search epoch: schemas/search-epoch.schema.json. */
  searchEpochs: 'search.jsonl',
  /** The retraining's summary: schemas/train-summary.schema.json. */
  trainSummary: 'train.json',
  /** TF.js-format weights (weights_manifest.json and one shard). */
  weights: 'weights',
  /** The resumable state of an interrupted search or training. */
  checkpoint: 'checkpoint',
} as const;

/** Files of a generated project (`generate --out`, a flow's hw/). */
export const PROJECT_FILES = {
  program: 'program.json',
  golden: 'golden.json',
  manifest: 'manifest.json',
  /** Written by `sim`: one JSON line per simulated layer. */
  simRecords: join('sim', 'records.jsonl'),
  /** The harness jobs and outputs of `sim`. */
  simWork: join('sim', 'work'),
  /** Written by `sim --system`: the whole accelerator's run (SystemResult). */
  simSystem: join('sim', 'system.json'),
  simDir: 'sim',
  /** Written by `synth`: one JSON line per synthesised chunk. */
  synthRecords: join('synth', 'records.jsonl'),
  synthDir: 'synth',
} as const;

/** Files and folders of a flow run folder, besides each stage's folder. */
export const RUN_FILES = {
  /** The flow's finished stages and their results: schemas/flow-state.schema.json. */
  flowState: 'flow.json',
  search: 'search',
  train: 'train',
  hw: 'hw',
  calibration: 'calibration.json',
  final: 'final',
  baselines: 'baselines.json',
  report: 'report.html',
} as const;

/** The paths of a flow run folder `out`. */
export function runLayout(out: string) {
  return {
    state: join(out, RUN_FILES.flowState),
    search: join(out, RUN_FILES.search),
    design: join(out, RUN_FILES.search, STAGE_FILES.design),
    train: join(out, RUN_FILES.train),
    hw: join(out, RUN_FILES.hw),
    records: join(out, RUN_FILES.hw, PROJECT_FILES.simRecords),
    calibration: join(out, RUN_FILES.calibration),
    final: join(out, RUN_FILES.final, STAGE_FILES.design),
    baselines: join(out, RUN_FILES.baselines),
    report: join(out, RUN_FILES.report),
  };
}

/**
 * `trips-hw flow` — stage: cli. In: a preset, a dataset, a board, a seed and a run folder. Out:
 * every stage of the pipeline in that folder (pipeline.ts runFlow) and a FlowSummary of its
 * headline numbers. Progress goes to stderr; a rerun of the same command skips the finished
 * stages recorded in OUT/flow.json and resumes search and training from their last epoch.
 */
import { Flags } from '@oclif/core';
import { listBoards } from '../../accel/index.js';
import { DATASET_NAMES, type DatasetName } from '../../data/index.js';
import { BACKENDS, type BackendName } from '../../nn/backend.js';
import { FLOW_STAGES, FLOW_STEPS, runFlow, type FlowSummary } from '../../pipeline.js';
import { checkOutputDir } from '../../core/files.js';
import { startProgress } from '../../core/progress.js';
import { PRESET_NAMES, type PresetName } from '../../search/presets.js';
import { BaseCommand } from '../base-command.js';
import { stopOnSigint } from '../interrupt.js';

export default class Flow extends BaseCommand {
  static override summary = 'Everything in one command: search, retrain, generate, simulate, calibrate, re-search the accelerator, report.';

  static override description = `Runs the whole pipeline into one run folder, stage by stage:
${FLOW_STAGES.map((stage) => `  ${stage.padEnd(10)} ${FLOW_STEPS[stage].describe}`).join('\n')}
Progress goes to stderr, one line per stage and epoch. OUT/flow.json records every finished stage: run the same command again after an interruption (Ctrl-C, a crash) and it skips what is done and resumes search and training from their last epoch.`;

  static override examples = [
    {
      description: 'The default: Fashion-MNIST, ZC706, the quick preset (about 20 minutes on 2 cores)',
      command: '<%= config.bin %> <%= command.id %> --out runs/flow',
    },
    {
      description: 'A smoke run on synthetic data (about a minute)',
      command: '<%= config.bin %> <%= command.id %> --preset smoke --dataset synthetic --out runs/smoke',
    },
  ];

  static override flags = {
    preset: Flags.option({
      options: PRESET_NAMES,
      default: 'quick' as PresetName,
      description: 'space, schedules and default board: smoke, quick (Fashion-MNIST, ZC706), paper (22-cell CIFAR)',
    })(),
    dataset: Flags.option({ options: DATASET_NAMES, description: "dataset (default: the preset's)" })(),
    data: Flags.string({ description: 'dataset folder (CIFAR-10; Fashion-MNIST defaults to the Debian package)', helpValue: 'DIR' }),
    board: Flags.string({
      description: `board: ${listBoards().join(', ')} or a board file (default: the preset's)`,
      helpValue: 'NAME|FILE',
    }),
    seed: Flags.integer({ default: 1, description: 'random seed of every stage' }),
    backend: Flags.option({ options: BACKENDS, description: 'TF.js backend (default: tensorflow if it loads, else wasm, else cpu)' })(),
    replicas: Flags.integer({ min: 1, description: 'data-parallel replicas for search and training (default: one per core on wasm)' }),
    out: Flags.string({ default: 'runs/flow', description: 'run folder', helpValue: 'DIR' }),
    baselines: Flags.string({
      description: 'baseline points for the report: a JSON array of {label, accuracy, fps} (npm run bench:search writes one)',
      helpValue: 'FILE',
    }),
  };

  async run(): Promise<FlowSummary> {
    const { flags } = await this.parse(Flow);
    checkOutputDir(flags.out);
    const stop = stopOnSigint();
    const progress = startProgress();
    const started = performance.now();
    const stamp = () => `${((performance.now() - started) / 1e3).toFixed(0).padStart(5)} s`;
    let summary: FlowSummary;
    try {
      summary = await runFlow({
        preset: flags.preset as PresetName,
        dataset: flags.dataset as DatasetName | undefined,
        dataDir: flags.data,
        board: flags.board,
        seed: flags.seed,
        out: flags.out,
        backend: flags.backend as BackendName | undefined,
        replicas: flags.replicas,
        baselines: flags.baselines,
        shouldStop: stop.requested,
        onStage: (stage, index, skipped) => {
          progress.end();
          process.stderr.write(`${stamp()}  [${index + 1}/${FLOW_STAGES.length}] ${stage}${skipped ? ' (done in an earlier run)' : ''}\n`);
        },
        onProgress: (text) => progress.tick(() => text),
        onLog: (text) => {
          progress.end();
          process.stderr.write(`${stamp()}      ${text}\n`);
        },
      });
    } finally {
      progress.end();
      stop.release();
    }
    const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
    this.log(
      [
        `genotype   ${summary.genotype}`,
        `accuracy   ${pct(summary.integerAccuracy)} integer model (${pct(summary.accuracy)} fake-quantised), ${summary.dataset} test set`,
        `fps        ${summary.fps.toFixed(0)} searched accelerator; ${summary.fpsCalibrated.toFixed(0)} final accelerator, calibrated model (${summary.board})`,
        `system     ${summary.fpsMeasured === null ? 'not simulated (a run from before the system top)' : `${summary.fpsMeasured.toFixed(0)} FPS measured: every chunk at once in trips_accel, images streamed back to back`}`,
        `rtl        ${summary.bitExact ? 'bit-exact with the golden model' : 'NOT bit-exact'}; uncalibrated cycle MAPE ${summary.cycles.mapePct.toFixed(2)} %${summary.cycles.calibratedMapePct === null ? '' : `, calibrated (held out) ${summary.cycles.calibratedMapePct.toFixed(2)} %`}`,
        `report     ${summary.report}`,
        `time       ${summary.seconds.toFixed(0)} s (${summary.stages.map((s) => `${s.stage} ${s.skipped ? 'done before' : `${s.seconds.toFixed(0)} s`}`).join(', ')})`,
      ].join('\n'),
    );
    return summary;
  }
}

/**
 * `trips-hw search` — stage: cli. In: a preset or a search space, a dataset, a board, the
 * schedule flags. Out: the joint search's run folder (search.jsonl, checkpoints, design.json,
 * weights/) and a SearchSummary (text, or JSON with --json). The search itself is search/joint.ts;
 * this file parses flags and reports. Ctrl-C stops between steps, and --resume continues.
 */
import { Flags } from '@oclif/core';
import { listBoards, resolveBoard } from '../../accel/index.js';
import { EXIT_FAILED, UsageError } from '../../core/diagnostics.js';
import { checkOutputDir } from '../../core/files.js';
import { startProgress } from '../../core/progress.js';
import { DATASET_NAMES, type DatasetName } from '../../data/index.js';
import { BACKENDS, type BackendName } from '../../nn/backend.js';
import { type HwSearchMode, runSearch, type SearchResult } from '../../search/joint.js';
import { PRESET_NAMES, PRESETS, type PresetName } from '../../search/presets.js';
import { checkSpaceLimits } from '../../search/lower-genotype.js';
import { resolveSearchSpace } from '../../search/spaces.js';
import { BaseCommand } from '../base-command.js';
import { loadCalibration } from '../../accel/load.js';
import { stopOnSigint } from '../interrupt.js';
import { LAMBDA_RULES, type LambdaRule } from '../../search/lambda.js';
import { HW_COST_MODES, type HwCostMode } from '../../search/context.js';

export interface SearchSummary {
  readonly accuracy: number;
  readonly fps: number;
  readonly design: string | null;
  readonly genotype: string | null;
  readonly lambda: number;
  readonly epochs: number;
  readonly backend: string;
  readonly replicas: number;
  readonly out: string;
  readonly seconds: number;
}

const windowFlag = Flags.custom<[number, number]>({
  helpValue: 'LO:HI',
  description: "target FPS window of the derived network (λ ×2 below it, ÷2 above; default: the preset's)",
  parse: async (input) => {
    const m = /^([0-9.]+(?:e[0-9]+)?):([0-9.]+(?:e[0-9]+)?)$/i.exec(input);
    const [lo, hi] = m ? [Number(m[1]), Number(m[2])] : [Number.NaN, Number.NaN];
    if (!(lo > 0 && hi > lo)) throw new UsageError(`--fps-window: expected LO:HI with 0 < LO < HI, found "${input}"`);
    return [lo, hi];
  },
});

export default class Search extends BaseCommand {
  static override summary = 'Search the network, its per-layer precision and its accelerator together (TRIPS).';

  static override description =
    `Trains a supernet with heterogeneous sampling: weight steps mix every bitwidth of a cell's op on the quantised tensors before one convolution; after the warm-up epochs, each iteration also takes an arch step on the validation half that updates the op logits α and bitwidth logits β with a hardware penalty. The penalty charges each cell the latency its layers take on the accelerator the differentiable accelerator search (DAS) found for the current single path, re-searched with warm start as the path changes. λ doubles when the derived network's FPS is below --fps-window and halves above it.

Writes OUT/search.jsonl (a line per epoch: accuracy of the derived path, FPS, λ, temperature, entropies of α and β, time), a checkpoint after every epoch, and at the end OUT/design.json (the derived network on the accelerator of a long DAS run) and OUT/weights (the supernet). Ctrl-C stops between steps; --resume continues from the last finished epoch. Retrain the derived network from scratch with \`trips-hw train --design OUT/design.json\`.`;

  static override examples = [
    {
      description: 'A smoke test on synthetic data (seconds)',
      command: '<%= config.bin %> <%= command.id %> --preset smoke --dataset synthetic --out runs/smoke --json',
    },
    {
      description: 'Fashion-MNIST, co-search for 16000–24000 FPS on the ZC706',
      command: '<%= config.bin %> <%= command.id %> --preset quick --fps-window 16000:24000 --out runs/quick',
    },
    {
      description: 'The baseline: hardware-aware NAS on the first accelerator found',
      command: '<%= config.bin %> <%= command.id %> --preset quick --hw-search once --out runs/quick-once',
    },
    {
      description: 'Accuracy alone (the accelerator is searched for the result afterwards)',
      command: '<%= config.bin %> <%= command.id %> --preset quick --lambda 0 --out runs/quick-acc',
    },
  ];

  static override flags = {
    preset: Flags.option({
      options: PRESET_NAMES,
      default: 'quick' as PresetName,
      description:
        "space and schedule: smoke (seconds), quick (Fashion-MNIST, ≤ 20 min on 2 cores), paper (22 cells, the authors' schedule)",
    })(),
    dataset: Flags.option({ options: DATASET_NAMES, description: "dataset (default: the preset's)" })(),
    data: Flags.string({ description: 'dataset folder (CIFAR-10; Fashion-MNIST defaults to the Debian package)', helpValue: 'DIR' }),
    space: Flags.string({
      description: "search space: a built-in name or a search-space file (default: the preset's)",
      helpValue: 'NAME|FILE',
    }),
    board: Flags.string({
      description: `board: ${listBoards().join(', ')} or a board file (default: the preset's)`,
      helpValue: 'NAME|FILE',
    }),
    'fps-window': windowFlag(),
    lambda: Flags.string({
      description: "initial λ of the hardware penalty; 0 searches for accuracy alone (default: the preset's)",
      helpValue: 'λ',
    }),
    'lambda-rule': Flags.option({
      options: LAMBDA_RULES,
      default: 'adaptive' as LambdaRule,
      description:
        "how λ is steered toward the FPS window: adaptive (a step on log λ that halves each time the FPS crosses the window) or release (the authors' ×2 / ÷2)",
    })(),
    'hw-cost': Flags.option({
      options: HW_COST_MODES,
      default: 'expected' as HwCostMode,
      description:
        "the arch step's hardware penalty: expected (every candidate's cycles weighed by α and β) or path (the method's cost of the current single path)",
    })(),
    'hw-search': Flags.option({
      options: ['joint', 'once'] as const,
      default: 'joint' as const,
      description:
        'joint: re-search the accelerator as the path changes; once: keep the first one (hardware-aware NAS on a fixed accelerator)',
    })(),
    sampling: Flags.option({
      options: ['heterogeneous', 'hard', 'soft'] as const,
      default: 'heterogeneous' as const,
      description: 'bitwidth sampling (method.md §4) or one of its ablations',
    })(),
    epochs: Flags.integer({ min: 1, description: "epochs (default: the preset's)" }),
    seed: Flags.integer({ default: 1, description: 'random seed (weights, paths, batches, DAS)' }),
    backend: Flags.option({ options: BACKENDS, description: 'TF.js backend (default: tensorflow if it loads, else wasm, else cpu)' })(),
    replicas: Flags.integer({ min: 1, description: 'data-parallel replicas (wasm and cpu; default: one per core on wasm)' }),
    calibration: Flags.string({
      description: 'calibration file (trips-hw calibrate): fitted cost-model coefficients for every accelerator search',
      helpValue: 'FILE',
    }),
    out: Flags.string({ required: true, description: 'run folder', helpValue: 'DIR' }),
    resume: Flags.boolean({ default: false, description: 'continue from the checkpoint in --out' }),
  };

  async run(): Promise<SearchSummary> {
    const { flags } = await this.parse(Search);
    checkOutputDir(flags.out);
    const preset = PRESETS[flags.preset as PresetName];
    const lambda = flags.lambda === undefined ? preset.schedule.lambda : Number(flags.lambda);
    if (!(lambda >= 0)) throw new UsageError(`--lambda: expected a number ≥ 0, found "${flags.lambda}"`);
    const space = flags.space ? checkSpaceLimits(resolveSearchSpace(flags.space), flags.space) : preset.space;
    const board = resolveBoard(flags.board ?? preset.board);
    const calibration = flags.calibration === undefined ? undefined : loadCalibration(flags.calibration);
    const schedule = {
      ...preset.schedule,
      ...(flags.epochs ? { epochs: flags.epochs, warmupEpochs: Math.min(preset.schedule.warmupEpochs, flags.epochs - 1) } : {}),
    };
    const stop = stopOnSigint();
    const progress = startProgress();
    const started = performance.now();
    let result: SearchResult;
    try {
      result = await runSearch({
        space,
        dataset: (flags.dataset ?? preset.dataset) as DatasetName,
        dataDir: flags.data,
        board,
        preset: preset.name,
        schedule,
        fpsWindow: flags['fps-window'] ?? preset.fpsWindow,
        lambda,
        lambdaRule: flags['lambda-rule'] as LambdaRule,
        hwCost: flags['hw-cost'] as HwCostMode,
        hwSearch: flags['hw-search'] as HwSearchMode,
        sampling: flags.sampling,
        seed: flags.seed,
        outDir: flags.out,
        resume: flags.resume,
        backend: flags.backend as BackendName | undefined,
        replicas: flags.replicas,
        calibration,
        shouldStop: stop.requested,
        onProgress: (p) =>
          progress.tick(() => `epoch ${p.epoch + 1}/${schedule.epochs} (${p.phase}) step ${p.step}/${p.steps} loss ${p.loss.toFixed(3)}`),
        onEpoch: (r) => {
          progress.end();
          process.stderr.write(
            `epoch ${r.epoch + 1}/${schedule.epochs} ${r.phase}: accuracy ${(100 * r.accuracy).toFixed(2)}%, ${r.fps.toFixed(0)} FPS, λ ${r.lambda.toPrecision(3)}, T ${r.temperature.toFixed(2)}, ${r.seconds.toFixed(0)} s  [${r.genotype}]\n`,
          );
        },
      });
    } finally {
      progress.end();
      stop.release();
    }
    const seconds = (performance.now() - started) / 1e3;
    if (result.interrupted)
      this.error(`interrupted after ${result.epochs.length} finished epochs; continue with --resume`, { exit: EXIT_FAILED });
    const last = result.epochs.at(-1);
    const summary: SearchSummary = {
      accuracy: result.accuracy,
      fps: result.fps,
      design: result.design ?? null,
      genotype: result.genotype ? result.genotype.cells.map((c) => `${c.op}@${c.bits}`).join(' ') : null,
      lambda: last?.lambda ?? lambda,
      epochs: result.epochs.length,
      backend: result.backend,
      replicas: result.replicas,
      out: flags.out,
      seconds,
    };
    this.log(
      [
        `backend   ${result.backend}${result.replicas > 1 ? ` × ${result.replicas} replicas` : ''}`,
        `genotype  ${summary.genotype}`,
        `accuracy  ${(100 * summary.accuracy).toFixed(2)} % (derived path, supernet weights)`,
        `fps       ${summary.fps.toFixed(1)} on ${board.name} (final accelerator)`,
        `design    ${summary.design}`,
        `time      ${seconds.toFixed(0)} s`,
      ].join('\n'),
    );
    return summary;
  }
}

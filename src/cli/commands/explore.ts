/**
 * `trips-hw explore` — stage: cli. In: a network or genotype file, a board, a strategy and its
 * flags (samples, seed, calibration, warm start, clock). Out: the best feasible design file,
 * stamped with the command line and checked against its schema before it is written, and an
 * ExploreSummary. With no feasible design nothing is written (accel/explore.ts throws).
 */
import { Flags } from '@oclif/core';
import {
  DAS_REFINE_SHARE,
  exploreAccelerator,
  listBoards,
  resolveBoard,
  STRATEGIES,
  type DesignPoint,
  type Strategy,
} from '../../accel/index.js';
import type { ExploreResult } from '../../accel/index.js';
import { UsageError } from '../../core/diagnostics.js';
import { checkOutputFile, writeJsonAtomic } from '../../core/files.js';
import { startProgress } from '../../core/progress.js';
import { validateArtifact } from '../../core/schema.js';
import { BaseCommand } from '../base-command.js';
import { formatExplore, summariseExplore, type ExploreSummary } from '../format.js';
import { loadCalibration, loadWarmStart } from '../../accel/load.js';
import { loadNetworkInput } from '../../search/load-network.js';
import { formatFixed, formatInt } from '../table.js';

const clockFlag = Flags.custom<number>({
  helpValue: 'MHZ',
  description: "accelerator clock in MHz (default: the board's clock)",
  parse: async (input) => {
    const mhz = Number(input);
    if (!(Number.isFinite(mhz) && mhz > 0 && mhz <= 1000)) throw new UsageError(`expected a clock in MHz in (0, 1000], found "${input}"`);
    return mhz;
  },
});

const refineFlag = Flags.custom<number>({
  helpValue: 'SHARE',
  description: `differentiable: share of the samples spent refining DAS's best design by annealing (default ${DAS_REFINE_SHARE}; 0: DAS alone)`,
  parse: async (input) => {
    const share = Number(input);
    if (!(input.trim() !== '' && Number.isFinite(share) && share >= 0 && share <= 1))
      throw new UsageError(`expected --refine in [0, 1], found "${input}"`);
    return share;
  },
});

/** The design with the command line that made it, checked against its schema before it is written. */
function finishDesign(design: DesignPoint, argv: readonly string[], out: string): DesignPoint {
  const command = ['trips-hw', 'explore', ...argv.map((a) => (/^[\w./=:@+-]+$/.test(a) ? a : JSON.stringify(a)))].join(' ');
  const finished: DesignPoint = { ...design, provenance: { ...design.provenance, command } };
  try {
    return validateArtifact<DesignPoint>('design', finished, out);
  } catch (error) {
    throw new Error(`internal: the design explore produced does not match its schema (${(error as Error).message})`);
  }
}

export default class Explore extends BaseCommand {
  static override summary = 'Search the accelerator (chunk parameters) for a fixed network on a board.';

  static override description =
    `Allocates the network's layers to chunks, then searches every chunk's parameters (parallelism, loop order, tiles, PE array, DRAM port) for the highest FPS that fits the board, and writes the best design. Strategies: differentiable (DAS: sampled designs update per-option logits), random (uniform sampling of the same space) and exhaustive (every design; only for small spaces).

The design file is written only when a feasible design is found. Progress is shown on stderr when it is a terminal.`;

  static override examples = [
    {
      description: 'DAS on the CIFAR fixture network for the ZC706',
      command:
        '<%= config.bin %> <%= command.id %> --genotype test/fixtures/cifar22-mixed.genotype.json --board zc706 --out runs/cifar22/design.json',
    },
    {
      description: 'Random search baseline with 5000 samples, JSON summary',
      command:
        '<%= config.bin %> <%= command.id %> --genotype test/fixtures/cifar22-mixed.genotype.json --board zc706 --strategy random --samples 5000 --out runs/cifar22/random.json --json',
    },
    {
      description: 'Continue a differentiable search from the logits of an earlier design, at 150 MHz',
      command:
        '<%= config.bin %> <%= command.id %> --genotype test/fixtures/cifar22-mixed.genotype.json --board zc706 --warm-start runs/cifar22/design.json --clock 150 --out runs/cifar22/design-150.json',
    },
  ];

  static override flags = {
    network: Flags.string({ description: 'network file', helpValue: 'FILE', exactlyOne: ['network', 'genotype'] }),
    genotype: Flags.string({
      description: 'genotype file, lowered with the search space it names',
      helpValue: 'FILE',
      exactlyOne: ['network', 'genotype'],
    }),
    board: Flags.string({ required: true, description: `board: ${listBoards().join(', ')}, or a board file`, helpValue: 'NAME|FILE' }),
    strategy: Flags.option({ options: STRATEGIES, default: 'differentiable' as Strategy, description: 'search strategy' })(),
    samples: Flags.integer({ default: 20000, min: 1, description: 'designs to sample (differentiable, random)' }),
    seed: Flags.integer({ default: 1, description: 'random seed' }),
    calibration: Flags.string({ description: 'calibration file with fitted cost-model coefficients', helpValue: 'FILE' }),
    'warm-start': Flags.string({ description: 'design file whose explore.logits start the search (differentiable)', helpValue: 'FILE' }),
    refine: refineFlag(),
    clock: clockFlag(),
    out: Flags.string({ required: true, description: 'design file to write', helpValue: 'FILE' }),
  };

  async run(): Promise<ExploreSummary> {
    const { flags } = await this.parse(Explore);
    const strategy = flags.strategy as Strategy;
    if (flags['warm-start'] !== undefined && strategy !== 'differentiable') {
      throw new UsageError(`--warm-start needs --strategy differentiable, found ${strategy}`);
    }
    if (flags.refine !== undefined && strategy !== 'differentiable') {
      throw new UsageError(`--refine needs --strategy differentiable, found ${strategy}`);
    }
    checkOutputFile(flags.out);
    const network = loadNetworkInput(flags);
    const board = resolveBoard(flags.board);
    const calibration = flags.calibration === undefined ? undefined : loadCalibration(flags.calibration);
    const warmStart = flags['warm-start'] === undefined ? undefined : loadWarmStart(flags['warm-start']);
    const clockMhz = flags.clock ?? board.clockMhz;
    const progress = startProgress();
    let result: ExploreResult;
    try {
      result = exploreAccelerator(network, board, {
        strategy,
        samples: flags.samples,
        seed: flags.seed,
        calibration,
        clockMhz,
        warmStart,
        refine: flags.refine,
        onProgress: (done, total, best) =>
          progress.tick(
            () =>
              `explore ${strategy}: ${formatInt(done)}/${formatInt(total)}, best ${Number.isFinite(best) ? `${formatFixed((clockMhz * 1e6) / best, 1)} FPS` : 'none feasible yet'}`,
          ),
      });
    } finally {
      progress.end();
    }
    writeJsonAtomic(flags.out, finishDesign(result.design, this.argv, flags.out));
    this.log(formatExplore(result, flags.out));
    return summariseExplore(result, flags.out);
  }
}

/**
 * The hardware side of the joint search (method.md §5, Challenge 2): the current single path
 * as a network, the accelerator the DAS finds for it (warm-started from the previous one), and
 * the latency each cell's layers take on that accelerator — what the arch step charges.
 */
import type { NetworkSpec } from '../core/network.js';
import {
  allocateChunks,
  compileCostProblem,
  estimateCost,
  exploreAccelerator,
  packParams,
  type AcceleratorSpec,
  type BoardSpec,
  type CalibrationSpec,
  type ChunkParams,
  type ChunkSpec,
  type CostReport,
  type DesignPoint,
  type LogitTable,
} from '../accel/index.js';
import { lowerGenotypeToNetwork } from './lower-genotype.js';
import type { GenotypeSpec, SearchSpaceSpec } from './types.js';

/** The accelerator the search currently charges latencies against. */
export interface HardwareState {
  readonly accelerator: AcceleratorSpec;
  readonly logits?: LogitTable;
  /** The path (genotype key) it was searched for. */
  readonly searchedFor: string;
}

export function genotypeKey(genotype: GenotypeSpec): string {
  return genotype.cells.map((c) => `${c.op}@${c.bits}`).join(' ');
}

export function pathNetwork(space: SearchSpaceSpec, genotype: GenotypeSpec): NetworkSpec {
  return lowerGenotypeToNetwork(space, genotype, `${space.name}-path`);
}

/** The chunk of `accelerator` whose parameters serve `chunk`: same id, else the nearest. */
function donorOf(accelerator: AcceleratorSpec, chunk: { id: string; kind: string; size: string; bits: number }): ChunkSpec {
  const same = accelerator.chunks.find((c) => c.id === chunk.id);
  if (same) return same;
  const rank = (c: ChunkSpec) => (c.kind === chunk.kind ? 0 : 2) + (c.size === chunk.size ? 0 : 1);
  return [...accelerator.chunks].sort((a, b) => rank(a) - rank(b) || Math.abs(a.bits - chunk.bits) - Math.abs(b.bits - chunk.bits))[0];
}

/**
 * The cost of `network` on an accelerator searched for another path: the network's chunks
 * take the parameters of the accelerator's chunk with the same id, or else of the nearest one
 * (same kind and map size, closest bitwidth). Resources may then exceed the board: the report
 * says so, and the latencies are still those of this configuration.
 */
export function costOnAccelerator(
  network: NetworkSpec,
  board: BoardSpec,
  accelerator: AcceleratorSpec,
  calibration?: CalibrationSpec,
): { report: CostReport; params: ChunkParams[] } {
  const chunks = allocateChunks(network);
  const problem = compileCostProblem(network, chunks, board, { clockMhz: accelerator.clockMhz, calibration });
  const params = chunks.map((c) => donorOf(accelerator, c).params);
  return { report: estimateCost(problem, packParams(params)), params };
}

/** DAS for the path's network, warm-started from the previous state (logits and accelerator). */
export function searchHardware(
  network: NetworkSpec,
  board: BoardSpec,
  samples: number,
  seed: number,
  previous?: HardwareState,
  calibration?: CalibrationSpec,
): { state: HardwareState; design: DesignPoint; report: CostReport } {
  const result = exploreAccelerator(network, board, {
    strategy: 'differentiable',
    samples,
    seed,
    calibration,
    warmStart: previous?.logits ? { logits: previous.logits, accelerator: previous.accelerator } : undefined,
  });
  return {
    state: { accelerator: result.design.accelerator, logits: result.outcome.logits, searchedFor: network.name },
    design: result.design,
    report: result.report,
  };
}

/** Cycles of each searchable cell's layers (identity skips cost nothing). */
export function cellLatencies(network: NetworkSpec, report: CostReport, cells: number): number[] {
  const byName = new Map(report.layers.map((l) => [l.name, l.cycles]));
  const out = new Array<number>(cells).fill(0);
  for (const layer of network.layers) {
    const cell = layer.cell ?? -1;
    if (cell >= 0) out[cell] += byName.get(layer.name) ?? 0;
  }
  return out;
}

/**
 * [ours] Cycles of every candidate of every cell on the accelerator: entry [cell][op][bit] is
 * the cycles cell `cell`'s layers take when that cell alone is (op, bit) and every other cell is
 * as in `genotype` — the per-op cost table (as FBNet's latency table) that the expected hardware
 * cost of the arch step weighs with α and β. One cost-model evaluation per entry.
 */
export function candidateLatencies(
  space: SearchSpaceSpec,
  genotype: GenotypeSpec,
  board: BoardSpec,
  accelerator: AcceleratorSpec,
  calibration?: CalibrationSpec,
): number[][][] {
  const cells = genotype.cells.length;
  return genotype.cells.map((_, cell) =>
    space.ops.map((op) =>
      space.bitwidths.map((bits) => {
        const variant = { ...genotype, cells: genotype.cells.map((c, i) => (i === cell ? { op, bits } : c)) };
        const network = pathNetwork(space, variant);
        return cellLatencies(network, costOnAccelerator(network, board, accelerator, calibration).report, cells)[cell];
      }),
    ),
  );
}

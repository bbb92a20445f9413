/**
 * The harness's job file (hw/sim/harness.cpp) for one chunk and one image — pure. The DRAM
 * spaces are word-addressed: the arena holds every tensor's golden codes (so each layer reads
 * golden inputs), the parameter spaces hold the chunk's images. Format (whitespace-separated):
 *   lanes L
 *   dram LATENCY STALL SEED BANDWIDTH   (answer latency in cycles, stall probability per cycle, seed, bits per cycle)
 *   program N  w0 … (hex)
 *   space ID N  v0 …          (0 arena, 1 weights, 2 bias, 3 multiplier|shift<<32, 5 perm, 6 scores)
 *   layer INDEX OUT_ADDR WORDS RAW MAX_CYCLES   (one per layer, in program order)
 */
import { UsageError } from '../core/diagnostics.js';
import type { RtlChunk } from '../backend/rtl/lower.js';
import type { ChunkProgram, GoldenVectors, LayerDescriptor, ProgramSpec } from '../backend/types.js';

const SPACE = { arena: 0, weights: 1, bias: 2, mulShift: 3, perm: 5, scores: 6 } as const;

/**
 * Cycles a layer may run before the harness calls it a hang: the prediction with generous
 * slack (the model is meant to be within a few per cent; a hang is unbounded).
 */
function livenessBound(predictedCycles: number): number {
  return Math.ceil(4 * predictedCycles) + 10_000;
}

/** The arena of one image: input and every layer's golden codes at their addresses. */
function goldenArena(program: ProgramSpec, golden: GoldenVectors, image: number): number[] {
  const arena = new Array<number>(program.arenaWords).fill(0);
  golden.input[image].forEach((v, i) => (arena[program.input.address + i] = v));
  for (const t of program.tensors) golden.layers[t.name][image].forEach((v, i) => (arena[t.address + i] = v));
  return arena;
}

/** multiplier (two's complement, low 32 bits) | shift << 32, as the engine reads the word. */
function mulShiftWord(multiplier: number, shift: number): number {
  return (multiplier >>> 0) + shift * 2 ** 32;
}

/** The DRAM behind the lane ports (hw/sim/lane_dram.h): answer latency, stall probability, seed. */
export interface DramBehaviour {
  readonly latency: number;
  readonly stall: number;
  readonly seed: number;
  /** Bits per cycle of the whole DRAM, every port together (0: unlimited). */
  readonly bandwidth: number;
}
export const IDEAL_DRAM: DramBehaviour = { latency: 0, stall: 0, seed: 1, bandwidth: 0 };

/** The DRAM a run simulates: the board's latency from the program, unless the caller says otherwise; checked. */
export function dramOf(program: ProgramSpec, dram: Partial<DramBehaviour> = {}): DramBehaviour {
  const d = { ...IDEAL_DRAM, latency: program.dramLatency, bandwidth: program.dramBitsPerCycle, ...dram };
  checkDram(d);
  return d;
}

/** Usage errors for a DRAM the harness cannot be: latency 0 … 10,000 cycles, stalls in [0, 0.95]. */
export function checkDram(dram: DramBehaviour): void {
  if (!Number.isInteger(dram.latency) || dram.latency < 0 || dram.latency > 10_000)
    throw new UsageError(`--dram-latency: expected a whole number of cycles from 0 to 10000, found ${dram.latency}`);
  if (!(dram.stall >= 0 && dram.stall <= 0.95))
    throw new UsageError(`--stalls: expected a probability from 0 to 0.95, found ${dram.stall}`);
  if (!Number.isInteger(dram.seed) || dram.seed < 0) throw new UsageError(`--seed: expected a whole number ≥ 0, found ${dram.seed}`);
  if (!(dram.bandwidth >= 0 && Number.isFinite(dram.bandwidth)))
    throw new UsageError(`--dram-bandwidth: expected bits per cycle ≥ 0 (0: unlimited), found ${dram.bandwidth}`);
}

/** The job line of the DRAM behind the ports (both harnesses read it). */
export function dramLine(dram: DramBehaviour): string {
  return `dram ${dram.latency} ${dram.stall} ${dram.seed} ${dram.bandwidth}`;
}

/** A chunk's own DRAM spaces: its weight image and tables, as the engine reads them. */
export function chunkSpaces(chunk: ChunkProgram): [number, readonly number[]][] {
  return [
    [SPACE.weights, chunk.weights],
    [SPACE.bias, chunk.bias],
    [SPACE.mulShift, chunk.multiplier.map((m, i) => mulShiftWord(m, chunk.shift[i]))],
    [SPACE.perm, chunk.perm],
  ];
}

/** Words a layer writes: its output tensor, or the raw scores. */
export function outputWords(program: ProgramSpec, d: LayerDescriptor): number {
  return d.rawOut ? program.classes : d.outH * d.outW * d.outC;
}

/** The golden model's words of a layer's output for one image. */
export function goldenOutput(program: ProgramSpec, golden: GoldenVectors, index: number, image: number): readonly number[] {
  const d = program.layers[index];
  return d.rawOut ? golden.scores[image] : golden.layers[d.name][image];
}

export function jobText(
  program: ProgramSpec,
  chunk: ChunkProgram,
  rtl: RtlChunk,
  golden: GoldenVectors,
  image: number,
  dram: DramBehaviour = IDEAL_DRAM,
): string {
  const lines: string[] = [`lanes ${rtl.sizes.LANES}`, dramLine(dram)];
  lines.push(`program ${rtl.program.length} ${rtl.program.map((w) => w.toString(16)).join(' ')}`);
  const space = (id: number, values: readonly number[]) => lines.push(`space ${id} ${values.length} ${values.join(' ')}`);
  space(SPACE.arena, goldenArena(program, golden, image));
  for (const [id, values] of chunkSpaces(chunk)) space(id, values);
  space(SPACE.scores, new Array<number>(program.classes).fill(0));
  for (const l of rtl.layers) {
    const d = program.layers[l.index];
    lines.push(`layer ${d.index} ${d.rawOut ? 0 : d.outAddr} ${outputWords(program, d)} ${d.rawOut} ${livenessBound(d.predictedCycles)}`);
  }
  return `${lines.join('\n')}\n`;
}

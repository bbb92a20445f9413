/**
 * The harness's job file (hw/sim/harness.cpp) for one chunk and one image — pure. The DRAM
 * spaces are word-addressed: the arena holds every tensor's golden codes (so each layer reads
 * golden inputs), the parameter spaces hold the chunk's images. Format (whitespace-separated):
 *   lanes L
 *   program N  w0 … (hex)
 *   space ID N  v0 …          (0 arena, 1 weights, 2 bias, 3 multiplier|shift<<32, 5 perm, 6 scores)
 *   layer INDEX OUT_ADDR WORDS RAW MAX_CYCLES   (one per layer, in program order)
 */
import type { RtlChunk } from '../backend/rtl/lower.js';
import type { ChunkProgram, GoldenVectors, ProgramSpec } from '../backend/types.js';

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

export function jobText(program: ProgramSpec, chunk: ChunkProgram, rtl: RtlChunk, golden: GoldenVectors, image: number): string {
  const lines: string[] = [`lanes ${rtl.sizes.LANES}`];
  lines.push(`program ${rtl.program.length} ${rtl.program.map((w) => w.toString(16)).join(' ')}`);
  const space = (id: number, values: readonly number[]) => lines.push(`space ${id} ${values.length} ${values.join(' ')}`);
  space(SPACE.arena, goldenArena(program, golden, image));
  space(SPACE.weights, chunk.weights);
  space(SPACE.bias, chunk.bias);
  space(
    SPACE.mulShift,
    chunk.multiplier.map((m, i) => mulShiftWord(m, chunk.shift[i])),
  );
  space(SPACE.perm, chunk.perm);
  space(SPACE.scores, new Array<number>(program.classes).fill(0));
  for (const l of rtl.layers) {
    const d = program.layers[l.index];
    const words = d.rawOut ? program.classes : d.outH * d.outW * d.outC;
    lines.push(`layer ${d.index} ${d.rawOut ? 0 : d.outAddr} ${words} ${d.rawOut} ${livenessBound(d.predictedCycles)}`);
  }
  return `${lines.join('\n')}\n`;
}

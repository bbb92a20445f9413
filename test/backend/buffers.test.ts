/**
 * Buffer sizes, model against hardware: for every fixture design and 60 seeded random designs,
 * the buffer words the program gives each chunk (ChunkProgram.buffers), the HLS project
 * (lowerProgramToHls) and the RTL engines (lowerProgramToRtl: powers of two) equal the words
 * the resource model charges BRAM for (accel/chunk-extents.ts sizeChunkBuffers), the model's
 * BRAM18 figure follows from the program's words, and the HLS arrays (a box of per-dimension
 * maxima over the MAC layers) hold every MAC layer of their chunk.
 * Found before the two were one function: 180 differences in 52 of the 62 designs (see the
 * commit note) — tiles clipped by add/pool channels in the model only, pools whose whole-map
 * buffers the model did not charge, tiles of one layer mixed with windows of another.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compileCostProblem } from '../../src/accel/problem.js';
import { estimateDesign } from '../../src/accel/estimate.js';
import { bram18For, DEFAULT_RESOURCE_MODEL } from '../../src/accel/resources.js';
import type { DesignPoint } from '../../src/accel/types.js';
import type { ChunkProgram } from '../../src/backend/types.js';
import { inputSpan, isMacKind, walkedM } from '../../src/core/layer-geometry.js';
import type { LayerSpec } from '../../src/core/network.js';
import { packParams } from '../../src/accel/evaluate.js';
import { Rng } from '../../src/core/random.js';
import { lowerProgramToHls } from '../../src/backend/hls/lower.js';
import { lowerProgramToRtl, pow2 } from '../../src/backend/rtl/lower.js';
import { selectBackend } from '../../src/nn/backend.js';
import { FIXTURE_DESIGNS, fixtureDesign, generateFor, randomDesign, randomNetwork } from './helpers.js';
import { BUF_ACC, BUF_INPUT, BUF_WEIGHT, type ChunkExtents, sizeChunkBuffers } from '../../src/accel/chunk-extents.js';
import { P_ORDER, P_TC, P_TM, P_TN, P_TR, PARAM_SIZE } from '../../src/accel/cost-model.js';

/** The words the resource model charges BRAM for (chunkResources calls sizeChunkBuffers). */
function modelBuffers(ext: ChunkExtents, p: Float64Array, po: number) {
  const tile = (i: number) => p[po + i];
  const words = sizeChunkBuffers(ext, tile(P_TM), tile(P_TN), tile(P_TR), tile(P_TC), p[po + P_ORDER] === 0, new Float64Array(3));
  return { inputWords: words[BUF_INPUT], weightWords: words[BUF_WEIGHT], accWords: words[BUF_ACC] };
}

interface Case {
  readonly label: string;
  readonly design: DesignPoint;
  readonly seed: number;
}

/** BRAM18 of a chunk from the program's buffer words, with the banks resources.ts describes. */
function bramOfProgram(c: ChunkProgram): number {
  const { parallel, loopOrder, peM, peN } = c.params;
  const [mn, dw, macs] = [parallel === 'mn', c.kind === 'dw', peM * peN];
  const b = c.buffers;
  const inBanks = dw ? (mn ? peM : macs) : peN;
  const wBanks = dw ? peM : mn ? macs : peM;
  const oBanks = mn ? peM : macs;
  const block = (banks: number, width: number, words: number) => bram18For(banks, width, Math.ceil(words / banks), DEFAULT_RESOURCE_MODEL);
  return (
    2 * block(inBanks, c.bits, b.inputWords) +
    (loopOrder === 'os' ? 2 : 1) * block(wBanks, c.bits, b.weightWords) +
    block(oBanks, 32, b.accWords)
  );
}

/** Where the HLS arrays (a box of per-dimension maxima) do not cover one of the chunk's MAC layers. */
function uncovered(c: ChunkProgram, layers: readonly LayerSpec[]): string[] {
  const b = c.buffers;
  const out: string[] = [];
  for (const l of layers.filter((x) => isMacKind(x.kind))) {
    const [ri, ci] = [Math.min(b.tileR, l.outH), Math.min(b.tileC, l.outW)];
    const need = {
      inRows: inputSpan(ri, l.stride, l.kernel),
      inCols: inputSpan(ci, l.stride, l.kernel),
      kernel: l.kernel,
      tileM: Math.min(c.params.tileM, walkedM(l)),
    };
    for (const [k, v] of Object.entries(need))
      if (v > b[k as keyof typeof need]) out.push(`layer ${l.name} needs ${k} ${v}, the HLS array has ${b[k as keyof typeof need]}`);
  }
  return out;
}

function mismatches({ label, design, seed }: Case): { differ: string[]; hlsBox: string[] } {
  const project = generateFor(design, seed, 'vitis-hls-2023.2', 1);
  const { program } = project;
  const rtl = lowerProgramToRtl(program, { toolVersion: 'test' });
  const hls = lowerProgramToHls(program, project.golden, {
    tool: 'vitis-hls-2023.2',
    toolVersion: 't',
    board: design.board,
    weights: 'random',
  });
  const problem = compileCostProblem(design.network, design.accelerator.chunks, design.board);
  const params = packParams(design.accelerator.chunks.map((c) => c.params));
  const report = estimateDesign(design);
  const differ: string[] = [];
  const hlsBox: string[] = [];
  program.chunks.forEach((c, i) => {
    const m = modelBuffers(problem.extents[i], params, i * PARAM_SIZE);
    const b = c.buffers;
    const hb = hls.chunks[i].buffers;
    const s = rtl.chunks[i].sizes;
    const os = c.params.loopOrder === 'os';
    const at = `${label} chunk ${c.id} [${c.ops.join('+')}, ${c.kind} ${c.params.parallel}/${c.params.loopOrder}]`;
    const views: [string, Record<string, number>, (w: number) => number][] = [
      ['program', { inputWords: b.inputWords, weightWords: b.weightWords, accWords: b.accWords }, (w) => w],
      ['HLS', { inputWords: hb.inputWords, weightWords: hb.weightWords, accWords: hb.accWords }, (w) => w],
      ['RTL', { inputWords: s.IN_HALF, weightWords: os ? s.W_HALF : s.W_WORDS, accWords: s.ACC_WORDS }, pow2],
    ];
    for (const [view, got, round] of views) {
      for (const [k, v] of Object.entries(got)) {
        const want = round(m[k as keyof typeof m]);
        if (v !== want) differ.push(`${at}: ${view} ${k} ${v}, model ${want}`);
      }
    }
    if (os && s.W_WORDS !== 2 * s.W_HALF) differ.push(`${at}: RTL os weights not double-buffered`);
    if (report.chunks[i].bram18 !== bramOfProgram(c))
      differ.push(`${at}: model BRAM18 ${report.chunks[i].bram18}, from the program's words ${bramOfProgram(c)}`);
    differ.push(
      ...uncovered(
        c,
        c.layers.map((l) => design.network.layers[l]),
      ).map((u) => `${at}: ${u}`),
    );
    const box = { inputWords: b.inChannels * b.inRows * b.inCols, weightWords: b.tileM * b.weightN * b.kernel * b.kernel };
    for (const [k, v] of Object.entries(box))
      if (v !== m[k as keyof typeof m]) hlsBox.push(`${at}: HLS box ${k} ${v}, model ${m[k as keyof typeof m]}`);
  });
  return { differ, hlsBox };
}

const RANDOM = 60;
const cases: Case[] = [];
beforeAll(async () => {
  await selectBackend('cpu');
  for (const name of FIXTURE_DESIGNS) cases.push({ label: name, design: fixtureDesign(name), seed: 1 });
  const rng = new Rng(1414);
  for (let i = 0; i < RANDOM; i++)
    cases.push({ label: `random-${i}`, design: randomDesign(rng, randomNetwork(rng, `random-${i}`)), seed: 100 + i });
});

describe('chunk buffers: the hardware gets what the resource model charges', () => {
  it(`for the fixtures and ${RANDOM} random designs`, () => {
    const found = cases.map(mismatches);
    if (process.env.BUFFERS_REPORT) process.stdout.write(`${found.flatMap((f) => f.hlsBox).join('\n')}\n`);
    expect(found.flatMap((f) => f.differ)).toEqual([]);
  });
});

/**
 * Buffer sizes, model against hardware: for every fixture design and 60 seeded random designs,
 *   RTL: each chunk engine's depths (lowerProgramToRtl IN_DEPTH, W_DEPTH, ACC_DEPTH, RQ_DEPTH)
 *     equal the words per bank the resource model charges (resources.ts chunkDepths, both from
 *     accel/engine-layout.ts), each memory is block RAM (*_BLOCK) exactly when the model's rule
 *     (memoryIsBlock) says so for the widths the RTL builds (VI·ACT_W, VW·W_W, 32, 64), its
 *     ACT_W, W_W, PE array, mode and PROG_WORDS are the model's, and the model's BRAM18 figure
 *     is what the memories the RTL instantiates (banks × slices × configuration) take;
 *   HLS: the buffer words the program gives each chunk (ChunkProgram.buffers) and the HLS
 *     project (lowerProgramToHls) both equal sizeChunkBuffers (accel/chunk-extents.ts), and the
 *     HLS arrays (a box of per-dimension maxima over the MAC layers) hold every MAC layer of
 *     their chunk.
 * Found before model and hardware shared one function: 180 differences in 52 of the 62 designs
 * (see the commit note) — tiles clipped by add/pool channels in the model only, pools whose
 * whole-map buffers the model did not charge, tiles of one layer mixed with windows of another.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compileCostProblem } from '../../src/accel/problem.js';
import { estimateDesign } from '../../src/accel/estimate.js';
import { programWords } from '../../src/accel/engine-layout.js';
import { DEFAULT_RESOURCE_MODEL } from '../../src/accel/resource-model.js';
import { bram18For, chunkDepths, memoryIsBlock } from '../../src/accel/resources.js';
import type { DesignPoint } from '../../src/accel/types.js';
import type { ChunkProgram } from '../../src/backend/types.js';
import { inputSpan, isMacKind, walkedM } from '../../src/core/layer-geometry.js';
import type { LayerSpec } from '../../src/core/network.js';
import { packParams } from '../../src/accel/evaluate.js';
import { Rng } from '../../src/core/random.js';
import { lowerProgramToHls } from '../../src/backend/hls/lower.js';
import { engineSizes, lowerProgramToRtl, RTL_SIZE_NAMES, type RtlSizes } from '../../src/backend/rtl/lower.js';
import { selectBackend } from '../../src/nn/backend.js';
import { FIXTURE_DESIGNS, fixtureDesign, generateFor, randomDesign, randomNetwork } from './helpers.js';
import { BUF_ACC, BUF_INPUT, BUF_WEIGHT, type ChunkExtents, sizeChunkBuffers } from '../../src/accel/chunk-extents.js';
import { P_ORDER, P_TC, P_TM, P_TN, P_TR, PARAM_SIZE } from '../../src/accel/cost-model.js';

const MODEL = DEFAULT_RESOURCE_MODEL;

/** The HLS buffer words of a chunk (program.ts chunkBuffers calls sizeChunkBuffers). */
function hlsWords(ext: ChunkExtents, p: Float64Array, po: number) {
  const tile = (i: number) => p[po + i];
  const words = sizeChunkBuffers(ext, tile(P_TM), tile(P_TN), tile(P_TR), tile(P_TC), p[po + P_ORDER] === 0, new Float64Array(3));
  return { inputWords: words[BUF_INPUT], weightWords: words[BUF_WEIGHT], accWords: words[BUF_ACC] };
}

/** The widths and banks trips_chunk.sv builds from its parameters (VI, VW, BJ, WCOPIES). */
function rtlMemories(s: RtlSizes) {
  const vi = s.DW ? s.PE_M : s.PE_N;
  const vw = s.DW ? 1 : s.PE_N;
  const bj = s.MP ? s.PE_N : 1;
  return [
    { name: 'input', banks: 2 * bj, width: vi * s.ACT_W, depth: s.IN_DEPTH, block: s.IN_BLOCK },
    { name: 'weight', banks: (s.WS ? 1 : 2) * s.PE_M, width: vw * s.W_W, depth: s.W_DEPTH, block: s.W_BLOCK },
    { name: 'accumulator', banks: s.PE_M * bj, width: 32, depth: s.ACC_DEPTH, block: s.ACC_BLOCK },
    // the three tables share RQ_BLOCK, chosen by the 64-bit one
    { name: 'bias table', banks: s.PE_M, width: 64, depth: s.RQ_DEPTH, block: s.RQ_BLOCK },
    { name: 'multiplier table', banks: s.PE_M, width: 30, depth: s.RQ_DEPTH, block: s.RQ_BLOCK },
    { name: 'permutation table', banks: s.PE_M, width: 16, depth: s.RQ_DEPTH, block: s.RQ_BLOCK },
    { name: 'program', banks: 1, width: 32, depth: s.PROG_WORDS, block: 1 },
  ];
}

/** bram18For of a memory the RTL builds as block RAM whatever its size (the tables, the program). */
const ALWAYS_BLOCK = { ...MODEL, lutramMaxBits: -1 };

/** BRAM18 of the memories the RTL instantiates: block ones by bram18For's configurations, LUT RAM 0. */
function bramOfRtl(s: RtlSizes): number {
  return rtlMemories(s).reduce((sum, m) => sum + (m.block ? bram18For(m.banks, m.width, m.depth, ALWAYS_BLOCK) : 0), 0);
}

interface Case {
  readonly label: string;
  readonly design: DesignPoint;
  readonly seed: number;
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
    const ext = problem.extents[i];
    const po = i * PARAM_SIZE;
    const m = hlsWords(ext, params, po);
    const b = c.buffers;
    const hb = hls.chunks[i].buffers;
    const s = rtl.chunks[i].sizes;
    const at = `${label} chunk ${c.id} [${c.ops.join('+')}, ${c.kind} ${c.params.parallel}/${c.params.loopOrder}]`;
    const expectSame = (what: string, got: number, want: number) => {
      if (got !== want) differ.push(`${at}: ${what} ${got}, model ${want}`);
    };
    // RTL: the sizes lowerChunk builds from the program are engineSizes of the model's inputs
    const fromModel = engineSizes(ext, c.params);
    for (const name of RTL_SIZE_NAMES) expectSame(`RTL ${name} (engineSizes)`, s[name], fromModel[name]);
    // … the engine's depths are the model's, its memories block RAM by the model's rule
    const d = chunkDepths(ext, params, po, new Float64Array(4));
    expectSame('RTL IN_DEPTH', s.IN_DEPTH, d[0]);
    expectSame('RTL W_DEPTH', s.W_DEPTH, d[1]);
    expectSame('RTL ACC_DEPTH', s.ACC_DEPTH, d[2]);
    expectSame('RTL RQ_DEPTH', s.RQ_DEPTH, d[3]);
    const blocks = rtlMemories(s);
    for (const [flag, mem] of [
      ['IN_BLOCK', blocks[0]],
      ['W_BLOCK', blocks[1]],
      ['ACC_BLOCK', blocks[2]],
      ['RQ_BLOCK', blocks[3]],
    ] as const)
      expectSame(
        `RTL ${flag} (${mem.name}, ${mem.width} bits × ${mem.depth})`,
        mem.block,
        memoryIsBlock(mem.width, mem.depth, MODEL) ? 1 : 0,
      );
    // … for the word widths, array, mode and program RAM the model charges
    expectSame('RTL ACT_W', s.ACT_W, ext.actW);
    expectSame('RTL W_W', s.W_W, ext.bits);
    expectSame('RTL PE_M', s.PE_M, c.params.peM);
    expectSame('RTL PE_N', s.PE_N, c.params.peN);
    expectSame('RTL MP', s.MP, c.params.parallel === 'mp' ? 1 : 0);
    expectSame('RTL WS', s.WS, c.params.loopOrder === 'ws' ? 1 : 0);
    expectSame('RTL DW', s.DW, ext.dw ? 1 : 0);
    expectSame('RTL PROG_WORDS', s.PROG_WORDS, programWords(ext.layers));
    // the model's BRAM18 is what the RTL's memories take, and the program carries the model's figures
    expectSame("BRAM18 of the RTL's memories", bramOfRtl(s), report.chunks[i].bram18);
    const r = report.chunks[i];
    expectSame('program resources.bram18', c.resources.bram18, r.bram18);
    expectSame('program resources.dsp', c.resources.dsp, r.dsp);
    // HLS: the program's buffer words and the HLS project's are sizeChunkBuffers'
    const views: [string, Record<string, number>][] = [
      ['program', { inputWords: b.inputWords, weightWords: b.weightWords, accWords: b.accWords }],
      ['HLS', { inputWords: hb.inputWords, weightWords: hb.weightWords, accWords: hb.accWords }],
    ];
    for (const [view, got] of views) for (const [k, v] of Object.entries(got)) expectSame(`${view} ${k}`, v, m[k as keyof typeof m]);
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

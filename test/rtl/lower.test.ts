/**
 * lowerProgramToRtl on a hand-written two-layer program (a padded 3×3 conv and a padded 3×3
 * average pool on one chunk), every number checked by hand; renderRtl prints exactly those
 * numbers, read back from the files.
 */
import { describe, expect, it } from 'vitest';
import { renderRtl } from '../../src/backend/rtl/index.js';
import { lowerProgramToRtl, pow2 } from '../../src/backend/rtl/lower.js';
import { poolWindowRange } from '../../src/core/layer-geometry.js';
import type { LayerDescriptor, ProgramSpec } from '../../src/backend/types.js';

const base = {
  inAddr: 0,
  in2Addr: 0,
  weightOffset: 0,
  requantOffset: 0,
  permOffset: -1,
  clampLo: 0,
  clampHi: 63,
  rawOut: 0,
  chunk: 0,
  groups: 1,
  cost: { key: 'conv/os' as const, terms: { overlap: 0, prologue: 0, weightLoad: 0, output: 0, params: 0, steps: 0, tiles: 0, fixed: 0 } },
};
const conv: LayerDescriptor = {
  ...base,
  index: 0,
  name: 'c/1',
  ident: 'c_1',
  op: 'conv',
  opcode: 0,
  inH: 5,
  inW: 6,
  inC: 3,
  outH: 5,
  outW: 6,
  outC: 6,
  kernel: 3,
  stride: 1,
  pad: 1,
  inPer: 3,
  outPer: 6,
  outAddr: 90,
  predictedCycles: 1000,
};
const pool: LayerDescriptor = {
  ...base,
  index: 1,
  name: 'p',
  ident: 'p',
  op: 'pool',
  opcode: 3,
  inH: 5,
  inW: 6,
  inC: 6,
  outH: 3,
  outW: 3,
  outC: 6,
  kernel: 3,
  stride: 2,
  pad: 1,
  inPer: 1,
  outPer: 1,
  inAddr: 90,
  outAddr: 270,
  requantOffset: 6,
  clampLo: 0,
  clampHi: 63,
  predictedCycles: 200,
};
const HAND: ProgramSpec = {
  name: 'hand',
  designHash: 'ab'.repeat(32),
  modelHash: 'cd'.repeat(32),
  classes: 6,
  input: { name: 'input', address: 0, words: 90, bits: 8, signed: true, height: 5, width: 6, channels: 3 },
  tensors: [
    { name: 'c/1', address: 90, words: 180, bits: 6, signed: false },
    { name: 'p', address: 270, words: 54, bits: 6, signed: false },
  ],
  arenaWords: 324,
  actBits: 8,
  layers: [conv, pool],
  chunks: [
    {
      index: 0,
      id: 'conv_small_b8',
      ident: 'conv_small_b8',
      kind: 'conv',
      bits: 8,
      params: { parallel: 'mn', loopOrder: 'os', tileM: 4, tileN: 2, tileR: 2, tileC: 3, peM: 2, peN: 2, portBits: 64 },
      portBitsEffective: 48.5,
      layers: [0, 1],
      ops: ['conv', 'pool'],
      buffers: {
        tileM: 4,
        tileN: 2,
        tileR: 2,
        tileC: 3,
        inChannels: 2,
        inRows: 4,
        inCols: 5,
        kernel: 3,
        weightN: 2,
        // the largest need of any layer (hand-checked in the sizes test below)
        inputWords: 120,
        weightWords: 72,
        accWords: 36,
        lanesM: 2,
        lanesN: 2,
        lanesC: 1,
      },
      weights: [],
      multiplier: [],
      bias: [],
      shift: [],
      perm: [],
      predictedCycles: 1200,
      resources: { dsp: 6, bram18: 0, lut: 3000, ff: 4000 },
    },
  ],
  scores: 'codes',
  clockMhz: 200,
  predictedFps: 1,
};

describe('lowerProgramToRtl', () => {
  const rtl = lowerProgramToRtl(HAND, { toolVersion: '9.9.9' });
  const chunk = rtl.chunks[0];

  it('sizes the engine from the buffer words, rounded up to powers of two (hand-checked)', () => {
    // conv: box 2 ch × ((2−1)·1+3) rows × ((3−1)·1+3) cols = 40; os weights 4·9·2 = 72; acc 4·2·3 = 24
    // pool: an out-channel tile's map 4·5·6 = 120, its accumulators 4·3·3 = 36
    // lanes: 64-bit port, narrowest value 6 bits → ⌊64/6⌋ + 1 = 11
    expect(chunk.sizes).toEqual({
      PE_M: 2,
      PE_N: 2,
      LANES: 11,
      ACT_W: 8,
      W_W: 8,
      IN_HALF: 128,
      W_HALF: 128,
      W_WORDS: 256,
      ACC_WORDS: 64,
      RQ_WORDS: 8,
      PROG_WORDS: 128,
    });
  });

  it('writes the header: magic, version, layers, flags, tiles, PE, port rate · 2^16', () => {
    expect(chunk.program.slice(0, 16)).toEqual([0x54524950, 1, 2, 0, 4, 2, 2, 3, 2, 2, 3178496, 0, 0, 0, 0, 0]);
    expect(chunk.program).toHaveLength(16 + 2 * 32);
  });

  it('writes each descriptor with port bits and requantisation entries', () => {
    expect(chunk.layers[0].words.slice(0, 27)).toEqual([
      0, 5, 6, 3, 5, 6, 6, 3, 1, 1, 1, 3, 6, 0, 0, 90, 0, 0, 0xffffffff, 0, 63, 0, 8, 6, 0, 6, 0,
    ]);
    // pool windows: rows 2,3,2 and columns 2,3,3 pixels inside the map → sizes 4 … 9 → entries 3 … 8
    expect(poolWindowRange(pool)).toEqual({ min: 4, max: 9 });
    expect(chunk.layers[1]).toMatchObject({ inBits: 6, outBits: 6, entries: 6, firstEntry: 3 });
    expect(chunk.layers[1].words.slice(22, 27)).toEqual([6, 6, 1, 6, 3]);
    expect(chunk.program.slice(48, 80)).toEqual(chunk.layers[1].words);
  });

  it('rounds buffers up to powers of two', () => {
    expect([pow2(1), pow2(2), pow2(3), pow2(64), pow2(65)]).toEqual([2, 2, 4, 64, 128]);
  });
});

describe('renderRtl', () => {
  const files = renderRtl(HAND, { toolVersion: '9.9.9' });
  const byPath = new Map(files.map((f) => [f.path, f.content]));

  it('writes params, program and top per chunk, a file list, a core and the engine sources', () => {
    expect([...byPath.keys()].filter((p) => !p.startsWith('rtl/src/'))).toEqual([
      'rtl/conv_small_b8_params.vh',
      'rtl/conv_small_b8_program.mem',
      'rtl/conv_small_b8_top.sv',
      'rtl/files.f',
      'rtl/hand.core',
    ]);
    expect(files.filter((f) => f.path.startsWith('rtl/src/'))).toHaveLength(7);
  });

  it('opens every file with the generated-by line (the core after its CAPI=2 line)', () => {
    const banner = 'generated by trips-hw 9.9.9 from design abababababababab — do not edit';
    for (const f of files) {
      const lines = f.content.split('\n');
      const first = f.path.endsWith('.core') ? lines[1] : lines[0];
      expect(first, f.path).toContain(banner);
    }
    expect(byPath.get('rtl/hand.core')?.startsWith('CAPI=2:\n')).toBe(true);
  });

  it('prints exactly the lowered numbers: read back, they are the engine sizes and program image', () => {
    const rtl = lowerProgramToRtl(HAND, { toolVersion: '9.9.9' }).chunks[0];
    const params = byPath.get('rtl/conv_small_b8_params.vh') as string;
    const sizes = Object.fromEntries(
      [...params.matchAll(/localparam\s+int\s+CONV_SMALL_B8_(?!CFG_)([A-Z_]+)\s*=\s*(\d+)\s*;/g)].map((m) => [m[1], Number(m[2])]),
    );
    expect(sizes).toEqual(rtl.sizes);
    const words = (byPath.get('rtl/conv_small_b8_program.mem') as string)
      .split('\n')
      .map((l) => l.replace(/\/\/.*$/, '').trim())
      .filter((l) => l !== '')
      .map((l) => Number.parseInt(l, 16) >>> 0);
    expect(words).toEqual(rtl.program);
    expect(byPath.get('rtl/conv_small_b8_top.sv')).toContain('input logic [7-1:0] progAddr');
  });

  it('is deterministic', () => {
    expect(renderRtl(HAND, { toolVersion: '9.9.9' })).toEqual(files);
  });
});

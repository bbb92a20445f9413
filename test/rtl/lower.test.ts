/**
 * lowerProgramToRtl on a hand-written two-layer program (a padded 3×3 conv and a padded 3×3
 * average pool on one chunk), every number checked by hand; renderRtl prints exactly those
 * numbers, read back from the files.
 */
import { describe, expect, it } from 'vitest';
import { renderRtl } from '../../src/backend/rtl/index.js';
import { programWords } from '../../src/accel/engine-layout.js';
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
        // the program's (HLS) buffer words, the largest need of any layer: conv box 2 ch · 4 · 5 =
        // 40, os weights 4·9·2 = 72, accumulators 4·2·3 = 24; pool map 4·5·6 = 120, its
        // accumulators 4·3·3 = 36. The RTL does not read them: its depths come from the engine's
        // layout (accel/engine-layout.ts, hand-checked in the sizes test below).
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
  dramLatency: 0,
  dramBitsPerCycle: 64,
};

describe('lowerProgramToRtl', () => {
  const rtl = lowerProgramToRtl(HAND, { toolVersion: '9.9.9' });
  const chunk = rtl.chunks[0];

  it('sizes the engine from the buffer layout: exact depths, block or LUT RAM by the model (hand-checked)', () => {
    // mn, os, PE 2×2 on a conv chunk: VI = VW = peN = 2 values per input / weight word, BJ = 1
    // bank per half (engine-layout.ts), tiles M 4, N 2, R 2, C 3 clipped to each layer
    // conv (M 6, N 3, 5×6 out, 3×3 stride 1): NGI ⌈2/2⌉ = 1, RSI ((3−1)·1+3)·1 = 5,
    //   input ((2−1)·1+3)·5 = 20; MG ⌈4/2⌉ = 2, NGW ⌈2/2⌉ = 1, TS 1 (os), weights 2·9·1 = 18;
    //   accumulators 2 rows · ⌈3/1⌉·2 = 12; tables 1 group · ⌈6/2⌉ = 3
    // pool (6 channels, 5×6 in, 3×3 out): NGI ⌈4/2⌉ = 2, the whole map 5·(6·2) = 60 input words;
    //   weights 1; accumulators the whole 3·(3·2) = 18; tables: the entries of window sizes 4 … 9,
    //   6 (the sizes that occur are 4, 6 and 9: the engine loads the range between)
    // depths: the largest of the two, exact (not powers of two)
    // ACT_W: widest input code (conv 8, pool 6 bits) + 1 = 9; W_W: the chunk's 8 bits
    // LANES: max(4, peM, VI, VW) = 4; PROG_WORDS: 16 + 2·64 = 144 → 256
    // blocks (> 1024 bits): input 2·9 = 18 bits × 60 = 1080 → 1; weights 2·8 = 16 × 18 = 288,
    //   accumulators 32 × 18 = 576, tables 64 × 6 = 384 → 0
    expect(chunk.sizes).toEqual({
      PE_M: 2,
      PE_N: 2,
      MP: 0,
      WS: 0,
      DW: 0,
      LANES: 4,
      ACT_W: 9,
      W_W: 8,
      IN_DEPTH: 60,
      W_DEPTH: 18,
      ACC_DEPTH: 18,
      RQ_DEPTH: 6,
      PROG_WORDS: 256,
      IN_BLOCK: 1,
      W_BLOCK: 0,
      ACC_BLOCK: 0,
      RQ_BLOCK: 0,
      ROT: 0,
    });
    expect(chunk.sizes.PROG_WORDS).toBe(programWords(2));
  });

  it('writes the header: magic, version, layers, flags, tiles, PE, port rate · 2^16', () => {
    // port 48.5 bits per cycle · 65536 = 3178496
    expect(chunk.program.slice(0, 16)).toEqual([0x54524950, 1, 2, 0, 4, 2, 2, 3, 2, 2, 3178496, 0, 0, 0, 0, 0]);
    expect(chunk.program).toHaveLength(16 + 2 * 64);
  });

  it('writes each descriptor: the integers, port bits, requantisation entries, then the layer constants', () => {
    const reserved = (n: number) => new Array<number>(n).fill(0);
    // the 22 integers, inBits 8, outBits 6, layer 0, 6 entries from 0
    const convHead = [0, 5, 6, 3, 5, 6, 6, 3, 1, 1, 1, 3, 6, 0, 0, 90, 0, 0, 0xffffffff, 0, 63, 0, 8, 6, 0, 6, 0];
    // conv, tiles M 4, N 2, R 2, C 3 (layout in the sizes test above):
    //   K² 9, M 6, N 3, steps ⌈3/2⌉ = 2, NGI 1, RSI 5, sub·NGI 1, (sub−1)·NGI 0, S·RSI 5, S·NGI 1,
    //   pad·RSI 5, pad·NGI 1, NGW 1, TS 1, MS 9·1 = 9, WMS 9·3 = 27, tileM·WMS 108, outPer·WMS 162,
    //   MG 2, accumulator row 6, MGT 3, SA 6·3 = 18, tileR·S·SA 36, tileC·S·inC 9, pad·SA 18,
    //   pad·inC 3, tileR·S 2, tileC·S 3, output row 6·6 = 36, tileR·36 = 72, tileC·outC 18, sub 1
    const convConstants = [9, 6, 3, 2, 1, 5, 1, 0, 5, 1, 5, 1, 1, 1, 9, 27, 108, 162, 2, 6, 3, 18, 36, 9, 18, 3, 2, 3, 36, 72, 18, 1];
    expect(chunk.layers[0].words).toEqual([...convHead, ...convConstants, ...reserved(64 - 59)]);
    // pool windows: rows 2,3,2 and columns 2,3,3 pixels inside the map → sizes 4 … 9 → entries 3 … 8
    expect(poolWindowRange(pool)).toEqual({ min: 4, max: 9 });
    expect(chunk.layers[1]).toMatchObject({ inBits: 6, outBits: 6, entries: 6, firstEntry: 3 });
    expect(chunk.layers[1].words.slice(22, 27)).toEqual([6, 6, 1, 6, 3]);
    // pool, stride 2, pad 1: K² 9, M = outC 6, N = inPer 1, 1 step, NGI 2, RSI inW·NGI = 12,
    //   sub·NGI 2, 0, S·RSI 24, S·NGI 4, pad·RSI 12, pad·NGI 2, NGW 1, TS 1, MS 1, WMS 9·1 = 9,
    //   tileM·WMS 36, outPer·WMS 9, MG 2, accumulator row 3·2 = 6, MGT 1, SA 6·6 = 36,
    //   tileR·S·SA 2·2·36 = 144, tileC·S·inC 3·2·6 = 36, pad·SA 36, pad·inC 6, tileR·S 4,
    //   tileC·S 6, output row 3·6 = 18, tileR·18 = 36, tileC·outC 18, sub 1
    expect(chunk.layers[1].words.slice(27)).toEqual([
      9,
      6,
      1,
      1,
      2,
      12,
      2,
      0,
      24,
      4,
      12,
      2,
      1,
      1,
      1,
      9,
      36,
      9,
      2,
      6,
      1,
      36,
      144,
      36,
      36,
      6,
      4,
      6,
      18,
      36,
      18,
      1,
      ...reserved(5),
    ]);
    expect(chunk.program.slice(16, 80)).toEqual(chunk.layers[0].words);
    expect(chunk.program.slice(80, 144)).toEqual(chunk.layers[1].words);
  });

  it('rounds the program RAM up to a power of two', () => {
    expect([pow2(1), pow2(2), pow2(3), pow2(64), pow2(65)]).toEqual([2, 2, 4, 64, 128]);
    expect([1, 2, 3].map(programWords)).toEqual([128, 256, 256]);
  });
});

describe('renderRtl', () => {
  const files = renderRtl(HAND, { toolVersion: '9.9.9' });
  const byPath = new Map(files.map((f) => [f.path, f.content]));

  it('writes params, program and top per chunk, the system top, a file list, a core and the engine sources', () => {
    expect([...byPath.keys()].filter((p) => !p.startsWith('rtl/src/'))).toEqual([
      'rtl/conv_small_b8_params.vh',
      'rtl/conv_small_b8_program.mem',
      'rtl/conv_small_b8_top.sv',
      'rtl/trips_accel.sv',
      'rtl/files.f',
      'rtl/hand.core',
    ]);
    // the engine's 8 sources and 2 includes, and the system top's synchronisation and control registers
    expect(files.filter((f) => f.path.startsWith('rtl/src/'))).toHaveLength(12);
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
    expect(byPath.get('rtl/conv_small_b8_top.sv')).toContain('input logic [8-1:0] progAddr');
  });

  it('is deterministic', () => {
    expect(renderRtl(HAND, { toolVersion: '9.9.9' })).toEqual(files);
  });
});

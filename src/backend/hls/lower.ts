/**
 * lowerProgramToHls — layer program + golden vectors → every number and line the HLS templates
 * print (templates/hls/project). Pure: the templates only substitute and loop, so this is where
 * the generated project is decided and unit-tested.
 */
import type { BoardSpec } from '../../accel/types.js';
import { escapeCComment, escapeTclWord, plainText } from '../../core/text.js';
import { legaliseIdentifier } from '../identifiers.js';
import { generatedBanner } from '../templates.js';
import { type ChunkProgram, type GoldenVectors, LAYER_INTEGER_FIELDS, type ProgramSpec } from '../types.js';

/** The fields of the HLS project's `layer_t` (design.h), in order: a layer descriptor's integers. */
export const HLS_LAYER_FIELDS: readonly ((typeof LAYER_INTEGER_FIELDS)[number] | 'chunk')[] = [
  'opcode',
  'chunk',
  ...LAYER_INTEGER_FIELDS.slice(1),
];

export const HLS_TOOLS = ['vitis-hls-2023.2', 'vivado-hls-2020.1'] as const;
export type HlsTool = (typeof HLS_TOOLS)[number];

const TOOL_NAMES: Record<HlsTool, { name: string; command: string }> = {
  'vitis-hls-2023.2': { name: 'Vitis HLS 2023.2', command: 'vitis_hls' },
  'vivado-hls-2020.1': { name: 'Vivado HLS 2020.1', command: 'vivado_hls' },
};

interface HlsOptions {
  readonly tool: HlsTool;
  /** trips-hw version, printed in every file's first line. */
  readonly toolVersion: string;
  readonly board: Pick<BoardSpec, 'name' | 'displayName' | 'part'>;
  /** Where the weights came from, in words (README). */
  readonly weights: string;
}

interface HlsPartition {
  readonly variable: string;
  readonly factor: number;
  readonly dim: number;
}

export interface HlsChunk {
  readonly index: number;
  readonly id: string;
  readonly ident: string;
  readonly bits: number;
  readonly summary: string;
  readonly layerList: string;
  readonly layerCount: number;
  readonly predictedCycles: number;
  readonly params: ChunkProgram['params'];
  readonly buffers: ChunkProgram['buffers'];
  readonly loopOrder: string;
  /** Partial that renders the tiled loop nest: `loop-os` or `loop-ws`. */
  readonly loopNest: string;
  readonly depthwise: 'true' | 'false';
  readonly partitions: readonly HlsPartition[];
  /** One `case` per op the chunk runs; `call`: the partial with the call. */
  readonly dispatch: readonly { readonly opcode: number; readonly op: string; readonly call: string }[];
  readonly weightCount: number;
  readonly requantCount: number;
  readonly permCount: number;
  readonly weightLength: number;
  readonly requantLength: number;
  readonly permLength: number;
  readonly weightLines: readonly string[];
  readonly multiplierLines: readonly string[];
  readonly biasLines: readonly string[];
  readonly shiftLines: readonly string[];
  readonly permLines: readonly string[];
}

export interface HlsProject {
  readonly banner: string;
  readonly design: {
    /** The network's name as a C++ comment (core/text.ts). */
    readonly comment: string;
    readonly actBits: number;
    readonly arenaWords: number;
    readonly inputAddr: number;
    readonly inputWords: number;
    readonly classes: number;
    readonly layerCount: number;
    readonly scoreText: string;
    readonly scoreAddr: number;
    readonly scoreCopy: number;
    readonly fields: readonly string[];
  };
  readonly chunks: readonly HlsChunk[];
  readonly layers: readonly {
    readonly index: number;
    readonly ident: string;
    readonly op: string;
    readonly chunkIdent: string;
    readonly predictedCycles: number;
    /** The layer's `layer_t` initialiser, HLS_LAYER_FIELDS in order. */
    readonly values: readonly number[];
  }[];
  readonly golden: {
    readonly images: number;
    readonly seed: number;
    readonly tensorCount: number;
    readonly tensors: readonly { readonly ident: string; readonly address: number; readonly words: number }[];
    readonly inputLines: readonly (readonly string[])[];
    /** Per image: the tensors' hashes (and a 0 sentinel) and the scores, as C literals. */
    readonly hashRows: readonly (readonly string[])[];
    readonly scoreRows: readonly (readonly string[])[];
  };
  readonly makefile: { readonly sources: string; readonly headers: string };
  readonly tcl: { readonly project: string; readonly part: string; readonly periodNs: string; readonly sources: readonly string[] };
  /** README text; names and paths from user files as labels (core/text.ts plainText). */
  readonly readme: {
    readonly designHash: string;
    readonly title: string;
    readonly board: string;
    readonly part: string;
    readonly clockMhz: number;
    readonly toolName: string;
    readonly toolCommand: string;
    readonly weights: string;
    readonly fps: string;
    readonly inputBits: number;
  };
  /** Every file of the project: its path under `hls/` and the template (or static header) it comes from. */
  readonly files: readonly { readonly path: string; readonly template: string; readonly chunk?: number }[];
}

/** Values per line in the generated arrays. */
const PER_LINE = 16;

/** A C++ integer literal: `LL` where the value does not fit 32 bits. */
export function cppInteger(v: number): string {
  if (!Number.isSafeInteger(v)) throw new Error(`not an exact integer: ${v}`);
  return Math.abs(v) >= 2 ** 31 ? `${v}LL` : String(v);
}

/** Array initialiser lines, PER_LINE values each, every value followed by a comma. */
export function arrayLines(values: readonly number[], format: (v: number) => string = cppInteger): string[] {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += PER_LINE)
    lines.push(
      values
        .slice(i, i + PER_LINE)
        .map((v) => `${format(v)},`)
        .join(' '),
    );
  return lines;
}

const nonEmpty = (values: readonly number[]) => (values.length > 0 ? values : [0]);

function partitionsOf(c: ChunkProgram): HlsPartition[] {
  const b = c.buffers;
  const dw = c.kind === 'dw';
  const all: HlsPartition[] = [
    { variable: 'ibuf', factor: dw ? b.lanesM : b.lanesN, dim: 1 },
    { variable: 'ibuf', factor: b.lanesC, dim: 3 },
    { variable: 'wbuf', factor: b.lanesM, dim: 1 },
    { variable: 'wbuf', factor: b.lanesN, dim: 2 },
    { variable: 'obuf', factor: b.lanesM, dim: 1 },
    { variable: 'obuf', factor: b.lanesC, dim: 3 },
  ];
  return all.filter((p) => p.factor > 1);
}

/** The partial (templates/hls/project/call-*.hbs) that runs a layer of each op on a chunk. */
const CALLS: Record<string, string> = { conv: 'call-mac', dwconv: 'call-mac', fc: 'call-mac', add: 'call-add', pool: 'call-pool' };

function summaryOf(c: ChunkProgram): string {
  const p = c.params;
  const lanes = p.parallel === 'mn' ? 'out × in channels (mn, adder tree)' : 'out channels × output columns (mp)';
  const order = p.loopOrder === 'os' ? 'output-stationary (os)' : 'weight reuse (ws)';
  return `${c.kind === 'dw' ? 'depthwise' : 'conv/fc'}, ${c.bits}-bit, PE ${p.peM}×${p.peN} over ${lanes}, ${order}, ${p.portBits}-bit DRAM port`;
}

function lowerChunk(c: ChunkProgram, program: ProgramSpec, opcodes: Map<string, number>): HlsChunk {
  return {
    index: c.index,
    id: plainText(c.id, 64),
    ident: c.ident,
    bits: c.bits,
    summary: summaryOf(c),
    layerList: c.layers.map((i) => program.layers[i].ident).join(', '),
    layerCount: c.layers.length,
    predictedCycles: Math.round(c.predictedCycles),
    params: c.params,
    buffers: c.buffers,
    loopOrder: c.params.loopOrder,
    loopNest: `loop-${c.params.loopOrder}`,
    depthwise: c.kind === 'dw' ? 'true' : 'false',
    partitions: partitionsOf(c),
    dispatch: c.ops.map((op) => ({ opcode: opcodes.get(op) as number, op, call: CALLS[op] })),
    weightCount: c.weights.length,
    requantCount: c.multiplier.length,
    permCount: c.perm.length,
    weightLength: nonEmpty(c.weights).length,
    requantLength: nonEmpty(c.multiplier).length,
    permLength: nonEmpty(c.perm).length,
    weightLines: arrayLines(nonEmpty(c.weights)),
    multiplierLines: arrayLines(nonEmpty(c.multiplier)),
    biasLines: arrayLines(nonEmpty(c.bias)),
    shiftLines: arrayLines(nonEmpty(c.shift)),
    permLines: arrayLines(nonEmpty(c.perm)),
  };
}

const hex = (h: number) => `0x${h.toString(16).padStart(8, '0')}u`;

/** Lower a program and its golden vectors to the HLS project's template data. */
export function lowerProgramToHls(program: ProgramSpec, golden: GoldenVectors, options: HlsOptions): HlsProject {
  const opcodes = new Map(program.layers.map((l) => [l.op, l.opcode]));
  const chunks = program.chunks.map((c) => lowerChunk(c, program, opcodes));
  const last = program.layers[program.layers.length - 1];
  const codes = program.scores === 'codes';
  const sources = ['src/trips_top.cpp', ...chunks.map((c) => `src/${c.ident}.cpp`)];
  const headers = [
    'include/trips_int.h',
    'include/trips_eltwise.h',
    'src/design.h',
    'src/program.h',
    ...chunks.map((c) => `src/weights/${c.ident}.h`),
  ];
  const tool = TOOL_NAMES[options.tool];
  return {
    banner: generatedBanner(options.toolVersion, program.designHash),
    design: {
      comment: escapeCComment(plainText(program.name)),
      actBits: program.actBits,
      arenaWords: program.arenaWords,
      inputAddr: program.input.address,
      inputWords: program.input.words,
      classes: program.classes,
      layerCount: program.layers.length,
      scoreText: codes
        ? `the codes of the last layer (${last.ident}), copied from the arena`
        : `the integer logits acc·m + bias of the last layer (${last.ident}); logit = score · 2^-shift`,
      scoreAddr: codes ? last.outAddr : 0,
      scoreCopy: codes ? program.classes : 0,
      fields: HLS_LAYER_FIELDS,
    },
    chunks,
    layers: program.layers.map((l) => ({
      index: l.index,
      ident: l.ident,
      op: l.op,
      chunkIdent: program.chunks[l.chunk].ident,
      predictedCycles: Math.round(l.predictedCycles),
      values: HLS_LAYER_FIELDS.map((f) => l[f]),
    })),
    golden: {
      images: golden.images,
      seed: golden.seed,
      tensorCount: program.tensors.length,
      tensors: program.tensors.map((t) => ({
        ident: program.layers.find((l) => l.name === t.name)?.ident ?? 'input',
        address: t.address,
        words: t.words,
      })),
      inputLines: golden.input.map((codes) => arrayLines(codes)),
      hashRows: golden.hashes.map((row) => [...row, 0].map(hex)),
      scoreRows: golden.scores.map((row) => row.map((v) => `${v}LL`)),
    },
    makefile: { sources: sources.join(' '), headers: headers.join(' ') },
    tcl: {
      project: `${legaliseIdentifier(program.name)}_hls`,
      part: escapeTclWord(plainText(options.board.part, 64)),
      periodNs: String(Math.round((1000 / program.clockMhz) * 1000) / 1000),
      sources,
    },
    readme: {
      designHash: program.designHash.slice(0, 16),
      title: plainText(program.name),
      board: plainText(options.board.displayName),
      part: plainText(options.board.part, 64),
      clockMhz: program.clockMhz,
      toolName: tool.name,
      toolCommand: tool.command,
      weights: plainText(options.weights, 200),
      fps: program.predictedFps.toFixed(1),
      inputBits: program.input.bits,
    },
    files: [
      { path: 'hls/README.md', template: 'README.md' },
      { path: 'hls/Makefile', template: 'Makefile' },
      { path: 'hls/run_hls.tcl', template: `run_hls.${options.tool}.tcl` },
      { path: 'hls/include/trips_int.h', template: 'static:trips_int.h' },
      { path: 'hls/include/trips_eltwise.h', template: 'static:trips_eltwise.h' },
      { path: 'hls/src/design.h', template: 'design.h' },
      { path: 'hls/src/program.h', template: 'program.h' },
      { path: 'hls/src/trips_top.cpp', template: 'top.cpp' },
      ...chunks.flatMap((c) => [
        { path: `hls/src/${c.ident}.cpp`, template: 'chunk.cpp', chunk: c.index },
        { path: `hls/src/weights/${c.ident}.h`, template: 'weights.h', chunk: c.index },
      ]),
      { path: 'hls/tb/golden.h', template: 'golden.h' },
      { path: 'hls/tb/tb.cpp', template: 'tb.cpp' },
    ],
  };
}

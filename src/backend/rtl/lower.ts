/**
 * lowerProgramToRtl — the layer program → everything the RTL files print (pure): per chunk
 * the engine's compile-time sizes (PE array and mode, DMA lanes, the depth of every bank from
 * accel/engine-layout.ts — what the resource model charges — and block or LUT RAM by its rule)
 * and the program RAM image (header with the chunk's runtime configuration, one descriptor per
 * layer with the layer constants the engine adds instead of multiplying); then the
 * same numbers as the templates of templates/rtl/ print them (hex words with their names,
 * labels escaped for Verilog comments) and the list of files. `renderRtl` only substitutes.
 * Formats: docs/rtl.md.
 */
import { activationWordBits } from '../../accel/chunk-extents.js';
import { engineLayerLayout, engineShape, type EngineLayerLayout, maxDepths } from '../../accel/engine-layout.js';
import { poolTableEntries, poolWindowRange } from '../../core/layer-geometry.js';
import { escapeVerilogComment, escapeYamlScalar, plainText } from '../../core/text.js';
import { MAX_IDENTIFIER_LENGTH } from '../identifiers.js';
import { generatedBanner } from '../templates.js';
import { type ChunkProgram, LAYER_INTEGER_FIELDS, type LayerDescriptor, type ProgramSpec } from '../types.js';
import { buildSizes, RTL_SIZE_NAMES, type RtlSizes } from './sizes.js';
import { systemView, type SystemView } from './system.js';

export { engineSizes, RTL_SIZE_NAMES, type RtlSizes } from './sizes.js';

const PROGRAM_MAGIC = 0x54524950; // "TRIP"
const PROGRAM_VERSION = 1;
export const HEADER_WORDS = 16;
export const DESCRIPTOR_WORDS = 64;
/** Fractional bits of the port rate in the header (bits per cycle · 2^16). */
const PORT_FRACTION_BITS = 16;

/** Names of the header words (the rest are reserved, 0). */
const HEADER_FIELDS = [
  'magic',
  'version',
  'layers',
  'flags: parallel mp | loopOrder ws << 1 | depthwise << 2',
  'tileM',
  'tileN',
  'tileR',
  'tileC',
  'peM',
  'peN',
  'port bits per cycle · 2^16',
];
/**
 * What an RTL layer descriptor holds after the descriptor's integers (docs/rtl.md "Program
 * format"): the port bits and requantisation entries, then the products of layer constants
 * the engine adds as it walks (trips_pkg.sv D_*; buffer strides from accel/engine-layout.ts).
 */
const ENGINE_FIELDS = [
  'inBits',
  'outBits',
  'layer index',
  'requant entries',
  'first requant entry',
  'K²',
  'M (out channels walked)',
  'N (in channels reduced)',
  'input steps',
  'NGI: input words per pixel',
  'RSI: input words per box row',
  'sub·NGI',
  '(sub−1)·NGI',
  'S·RSI',
  'S·NGI',
  'pad·RSI',
  'pad·NGI',
  'NGW: weight words per tap and step',
  'TS: weight words per tap',
  'MS: weight words per out-channel group',
  'WMS: DRAM weights per out channel',
  'tileM·WMS',
  'outPer·WMS',
  'MG: accumulator words per pixel',
  'accumulator words per row',
  'MGT: table words per group',
  'SA: DRAM words per input row',
  'tileR·S·SA',
  'tileC·S·inC',
  'pad·SA',
  'pad·inC',
  'tileR·S',
  'tileC·S',
  'DRAM words per output row',
  'tileR·outW·outC',
  'tileC·outC',
  'sub',
];
/** Names of the words of an RTL layer descriptor, in program-image order (the rest are reserved, 0). */
const RTL_DESCRIPTOR_FIELDS: readonly string[] = [...LAYER_INTEGER_FIELDS, ...ENGINE_FIELDS];

/** Bits of one integer logit a raw-output fc writes. */
const LOGIT_BITS = 32;

export interface RtlLayer {
  readonly index: number;
  readonly name: string;
  readonly ident: string;
  /** Input and output bits per value on the port (raw fc: 32). */
  readonly inBits: number;
  readonly outBits: number;
  /**
   * Requantisation entries the layer loads, from `firstEntry` (conv: outC from 0; add: 2 from 0;
   * pool: the window sizes that occur, smallest to largest, of the kernel² table).
   */
  readonly entries: number;
  readonly firstEntry: number;
  readonly words: readonly number[];
}

export interface RtlChunk {
  readonly index: number;
  readonly id: string;
  readonly ident: string;
  readonly sizes: RtlSizes;
  /** Runtime configuration, as the header stores it. */
  readonly config: {
    readonly parallel: 0 | 1;
    readonly loopOrder: 0 | 1;
    readonly depthwise: 0 | 1;
    readonly tileM: number;
    readonly tileN: number;
    readonly tileR: number;
    readonly tileC: number;
    readonly peM: number;
    readonly peN: number;
    readonly portFx: number;
  };
  readonly layers: readonly RtlLayer[];
  /** The program RAM image: header then descriptors, 32-bit words. */
  readonly program: readonly number[];
}

/** The engine's sources (hw/rtl/) in compile order, and the files they include. */
export const ENGINE_SOURCES = [
  'trips_pkg.sv',
  'trips_ram.sv',
  'trips_xfer_nest.sv',
  'trips_xfer.sv',
  'trips_compute.sv',
  'trips_requant.sv',
  'trips_outpath.sv',
  'trips_chunk.sv',
];
export const ENGINE_INCLUDES = ['trips_chunk_datapath.svh', 'trips_chunk_control.svh'];
/** What the system top (trips_accel.sv) adds to the engine's sources. */
export const SYSTEM_SOURCES = ['trips_sync.sv', 'trips_axil_ctrl.sv'];

/** A word of the program image as program.mem prints it: hex digits and the field's name. */
interface RtlWord {
  readonly hex: string;
  readonly name: string;
}

/** One chunk as the templates print it (`chunk` in params.vh, program.mem, top.sv; `chunks` in files.f and the core). */
export interface RtlChunkView {
  /** The chunk's id as a label inside a Verilog comment (core/text.ts). */
  readonly id: string;
  readonly ident: string;
  readonly IDENT: string;
  readonly kind: string;
  readonly bits: number;
  readonly lanes: number;
  readonly progAddrBits: number;
  readonly sizes: readonly { readonly name: string; readonly value: number }[];
  readonly config: readonly { readonly name: string; readonly value: number }[];
  readonly header: readonly RtlWord[];
  readonly layers: readonly { readonly index: number; readonly name: string; readonly op: string; readonly words: readonly RtlWord[] }[];
}

export interface RtlProgram {
  readonly designHash: string;
  readonly actBits: number;
  readonly chunks: readonly RtlChunk[];
  /** The first line's text of every file. */
  readonly banner: string;
  readonly views: readonly RtlChunkView[];
  /** The system top's schedule and what trips_accel.sv prints of it. */
  readonly system: SystemView;
  /** What files.f and the FuseSoC core print besides the chunks. */
  readonly core: {
    readonly name: string;
    readonly version: string;
    /** The core's description as a YAML scalar. */
    readonly description: string;
    readonly sources: readonly string[];
    readonly includes: readonly string[];
  };
  /**
   * Every file under OUT/rtl/: its path, and the template it renders (with the chunk it
   * prints, by index) or the engine source it copies (`copy:<name>` of hw/rtl/).
   */
  readonly files: readonly { readonly path: string; readonly template: string; readonly chunk?: number }[];
}

/** Smallest power of two ≥ max(n, floor). */
export function pow2(n: number, floor = 2): number {
  let p = floor;
  while (p < n) p *= 2;
  return p;
}

/** Bits of a layer's input and output values on the port: the tensors' code widths. */
function layerBits(program: ProgramSpec, l: LayerDescriptor): { inBits: number; outBits: number } {
  const slotAt = (address: number) =>
    address === program.input.address ? program.input : program.tensors.find((t) => t.address === address);
  const input = slotAt(l.inAddr);
  const output = l.rawOut ? undefined : program.tensors.find((t) => t.name === l.name);
  return { inBits: input?.bits ?? 8, outBits: output?.bits ?? LOGIT_BITS };
}

function entriesOf(l: LayerDescriptor): { entries: number; firstEntry: number } {
  if (l.op === 'add') return { entries: 2, firstEntry: 0 };
  if (l.op !== 'pool') return { entries: l.outC, firstEntry: 0 };
  return { entries: poolTableEntries(l), firstEntry: poolWindowRange(l).min - 1 };
}

/** The layer as the engine walks it (fc: a 1×1 map; add: stride 1, no padding). */
function engineGeometry(l: LayerDescriptor, entries: number) {
  const cls = l.op === 'add' ? 1 : l.op === 'pool' ? 2 : 0;
  const mac = cls === 0;
  const dw = l.op === 'dwconv';
  return {
    cls,
    dw,
    M: mac ? l.outPer : l.outC,
    N: dw ? 1 : l.inPer,
    outH: l.outH,
    outW: l.outW,
    K: l.kernel,
    S: cls === 1 ? 1 : l.stride,
    pad: cls === 1 ? 0 : l.pad,
    G: mac ? l.groups : 1,
    inH: l.inH,
    inW: l.inW,
    entries,
  };
}

function descriptorWords(
  l: LayerDescriptor,
  bits: { inBits: number; outBits: number },
  e: { entries: number; firstEntry: number },
  layout: EngineLayerLayout,
  p: ChunkProgram['params'],
): number[] {
  const g = engineGeometry(l, e.entries);
  const K2 = g.K * g.K;
  const sa = l.inW * l.inC;
  const wms = K2 * l.inPer;
  const osa = l.outW * l.outC;
  const derived = [
    K2,
    g.M,
    g.N,
    layout.nSteps,
    layout.ngi,
    layout.rsi,
    layout.sub * layout.ngi,
    (layout.sub - 1) * layout.ngi,
    g.S * layout.rsi,
    g.S * layout.ngi,
    g.pad * layout.rsi,
    g.pad * layout.ngi,
    layout.ngw,
    layout.ts,
    layout.ms,
    wms,
    p.tileM * wms,
    l.outPer * wms,
    layout.mg,
    layout.accRow,
    layout.mgt,
    sa,
    p.tileR * g.S * sa,
    p.tileC * g.S * l.inC,
    g.pad * sa,
    g.pad * l.inC,
    p.tileR * g.S,
    p.tileC * g.S,
    osa,
    p.tileR * osa,
    p.tileC * l.outC,
    layout.sub,
  ];
  const words = [...LAYER_INTEGER_FIELDS.map((f) => l[f]), bits.inBits, bits.outBits, l.index, e.entries, e.firstEntry, ...derived].map(
    (v) => v >>> 0,
  );
  while (words.length < DESCRIPTOR_WORDS) words.push(0);
  return words;
}

export function lowerChunk(program: ProgramSpec, chunk: ChunkProgram): RtlChunk {
  const p = chunk.params;
  const os = p.loopOrder === 'os';
  const mp = p.parallel === 'mp';
  const dwChunk = chunk.kind === 'dw';
  const shape = engineShape(dwChunk, mp, p.peM, p.peN);
  const tiles = { ...p, ws: !os, mp };
  const descs = chunk.layers.map((i) => program.layers[i]);
  const layouts: EngineLayerLayout[] = [];
  const layers: RtlLayer[] = descs.map((l) => {
    const bits = layerBits(program, l);
    const entries = entriesOf(l);
    const layout = engineLayerLayout(engineGeometry(l, entries.entries), tiles, shape);
    layouts.push(layout);
    return { index: l.index, name: l.name, ident: l.ident, ...bits, ...entries, words: descriptorWords(l, bits, entries, layout, p) };
  });
  const depths = maxDepths(layouts);
  // the widest input code the chunk's layers read, signed (as the resource model counts it)
  const actW = activationWordBits(Math.max(...layers.map((l) => l.inBits)));
  const config = {
    parallel: p.parallel === 'mp' ? 1 : 0,
    loopOrder: os ? 0 : 1,
    depthwise: chunk.kind === 'dw' ? 1 : 0,
    tileM: p.tileM,
    tileN: p.tileN,
    tileR: p.tileR,
    tileC: p.tileC,
    peM: p.peM,
    peN: p.peN,
    portFx: Math.floor(chunk.portBitsEffective * 2 ** PORT_FRACTION_BITS),
  } as const;
  const header = [PROGRAM_MAGIC, PROGRAM_VERSION, layers.length, config.parallel | (config.loopOrder << 1) | (config.depthwise << 2)];
  header.push(config.tileM, config.tileN, config.tileR, config.tileC, config.peM, config.peN, config.portFx);
  while (header.length < HEADER_WORDS) header.push(0);
  const words = [...header, ...layers.flatMap((l) => l.words)];
  const sizes = buildSizes(p, dwChunk, chunk.bits, actW, depths, pow2(words.length));
  return { index: chunk.index, id: chunk.id, ident: chunk.ident, sizes, config: { ...config }, layers, program: words };
}

const hex = (w: number) => (w >>> 0).toString(16).padStart(8, '0');

function chunkView(program: ProgramSpec, c: RtlChunk): RtlChunkView {
  const chunk = program.chunks[c.index];
  return {
    // the chunk's and layers' names reach Verilog comments only as labels
    id: escapeVerilogComment(plainText(c.id, 64)),
    ident: c.ident,
    IDENT: c.ident.toUpperCase(),
    kind: chunk.kind,
    bits: chunk.bits,
    lanes: c.sizes.LANES,
    progAddrBits: Math.log2(c.sizes.PROG_WORDS),
    sizes: RTL_SIZE_NAMES.map((name) => ({ name, value: c.sizes[name] })),
    config: Object.entries(c.config).map(([name, value]) => ({ name: name.toUpperCase(), value })),
    header: c.program.slice(0, HEADER_WORDS).map((w, i) => ({ hex: hex(w), name: HEADER_FIELDS[i] ?? 'reserved' })),
    layers: c.layers.map((l) => ({
      index: l.index,
      name: escapeVerilogComment(plainText(l.name, 64)),
      op: program.layers[l.index].op,
      words: l.words.map((w, i) => ({ hex: hex(w), name: RTL_DESCRIPTOR_FIELDS[i] ?? 'reserved' })),
    })),
  };
}

/** A FuseSoC core name part (and the .core file's stem): lower case letters, digits, '_' and '-', capped. */
function coreNamePart(name: string): string {
  const part = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, MAX_IDENTIFIER_LENGTH);
  return part || 'design';
}

/** Every chunk of the program, in design order, and every file OUT/rtl/ gets. */
export function lowerProgramToRtl(program: ProgramSpec, options: { readonly toolVersion: string }): RtlProgram {
  const chunks = program.chunks.map((c) => lowerChunk(program, c));
  const part = coreNamePart(program.name);
  return {
    designHash: program.designHash,
    actBits: program.actBits,
    chunks,
    banner: generatedBanner(options.toolVersion, program.designHash),
    views: chunks.map((c) => chunkView(program, c)),
    system: systemView(
      program,
      chunks.map((c) => c.sizes.LANES),
    ),
    core: {
      name: `trips-hw:design:${part}`,
      version: options.toolVersion,
      description: escapeYamlScalar(`trips-hw chunk engines of design ${plainText(program.name)}`),
      sources: [...ENGINE_SOURCES, ...SYSTEM_SOURCES],
      includes: ENGINE_INCLUDES,
    },
    files: [
      ...chunks.flatMap((c) => [
        { path: `rtl/${c.ident}_params.vh`, template: 'params.vh', chunk: c.index },
        { path: `rtl/${c.ident}_program.mem`, template: 'program.mem', chunk: c.index },
        { path: `rtl/${c.ident}_top.sv`, template: 'top.sv', chunk: c.index },
      ]),
      { path: 'rtl/trips_accel.sv', template: 'accel.sv' },
      { path: 'rtl/files.f', template: 'files.f' },
      { path: `rtl/${part}.core`, template: 'core' },
      ...[...ENGINE_SOURCES, ...SYSTEM_SOURCES, ...ENGINE_INCLUDES].map((name) => ({ path: `rtl/src/${name}`, template: `copy:${name}` })),
    ],
  };
}

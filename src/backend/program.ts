/**
 * lowerDesignToProgram — design + integer model → the layer program every hardware view runs
 * (types.ts): arena addresses, per-layer descriptors, per-chunk parameter images and buffer
 * extents, predicted cycles. Pure: the same inputs give the same program, number for number.
 */
import { dramBitsPerCycle } from '../accel/boards.js';
import { createHash } from 'node:crypto';
import { chunkBufferWords, compileChunkExtents } from '../accel/chunk-extents.js';
import { estimateDesign } from '../accel/estimate.js';
import type { BoardSpec, CalibrationSpec, ChunkCost, ChunkSpec, DesignPoint } from '../accel/types.js';
import { InputError } from '../core/diagnostics.js';
import { inputSpan, isMacKind, reducedN, walkedM } from '../core/layer-geometry.js';
import type { LayerSpec } from '../core/network.js';
import { plainText } from '../core/text.js';
import type { ConvLayerQ, FcLayerQ, IntegerLayer, IntegerModel, PoolLayerQ, QuantTensor } from '../quant/model-types.js';
import { legaliseIdentifiers } from './identifiers.js';
import {
  OPCODES,
  type ChunkBuffers,
  type ChunkProgram,
  type LayerDescriptor,
  type LayerOp,
  type ProgramSpec,
  type TensorSlot,
} from './types.js';

/** Names the generated code uses itself; layer and chunk identifiers never take them. */
const FIXED_IDENTIFIERS = ['input', 'mem', 'scores', 'layer_t', 'act_t', 'trips', 'trips_top', 'program', 'arena'];

/** sha256 of the parts of a design that define the hardware: network, accelerator, board. */
export function hashDesign(design: DesignPoint): string {
  return createHash('sha256')
    .update(JSON.stringify({ network: design.network, accelerator: design.accelerator, board: design.board }))
    .digest('hex');
}

/** sha256 of an integer model: its layers' constants, with the weight codes hashed as bytes. */
function hashModel(model: IntegerModel): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ ...model, layers: model.layers.map((l) => ('weights' in l ? { ...l, weights: l.weights.length } : l)) }));
  for (const l of model.layers) if ('weights' in l) hash.update(new Uint8Array(Int32Array.from(l.weights).buffer));
  return hash.digest('hex');
}

function wordBits(t: QuantTensor): number {
  return t.signed ? t.bits : t.bits + 1;
}

/**
 * The chunk's buffers. Words (input half, weight copy, accumulators): the largest need of any
 * one layer, add and pool included — chunk-extents.ts, the function the resource model charges
 * BRAM from, so the model and the engines agree word for word. Array extents (what the HLS
 * project declares, MAC layers only: add and pool stream from DRAM there): the tiles clipped
 * to the largest MAC layer, each dimension the largest any MAC layer needs.
 */
function chunkBuffers(chunk: ChunkSpec, layers: readonly LayerSpec[], board: BoardSpec): ChunkBuffers {
  const mac = layers.filter((l) => isMacKind(l.kind));
  const p = chunk.params;
  const dw = chunk.kind === 'dw';
  const max = (f: (l: LayerSpec) => number) => Math.max(1, ...mac.map(f));
  const tileM = Math.min(p.tileM, max(walkedM));
  const weightNAll = max(reducedN);
  const tileN = dw ? 1 : Math.min(p.tileN, weightNAll);
  const tileR = Math.min(
    p.tileR,
    max((l) => l.outH),
  );
  const tileC = Math.min(
    p.tileC,
    max((l) => l.outW),
  );
  const span = (tile: number, out: (l: LayerSpec) => number) => max((l) => inputSpan(Math.min(tile, out(l)), l.stride, l.kernel));
  return {
    tileM,
    tileN,
    tileR,
    tileC,
    inChannels: dw ? tileM : tileN,
    inRows: span(tileR, (l) => l.outH),
    inCols: span(tileC, (l) => l.outW),
    kernel: max((l) => l.kernel),
    weightN: dw ? 1 : p.loopOrder === 'ws' ? weightNAll : tileN,
    ...chunkBufferWords(compileChunkExtents(layers, chunk, board), p),
    lanesM: Math.min(p.peM, tileM),
    lanesN: !dw && p.parallel === 'mn' ? Math.min(p.peN, tileN) : 1,
    lanesC: p.parallel === 'mp' ? Math.min(p.peN, tileC) : 1,
  };
}

interface ImageBuilder {
  weights: number[];
  multiplier: number[];
  bias: number[];
  shift: number[];
  perm: number[];
}

/** Append a layer's constants to its chunk's image; returns the offsets of its descriptor. */
function appendConstants(img: ImageBuilder, q: IntegerLayer): { weightOffset: number; requantOffset: number; permOffset: number } {
  const weightOffset = img.weights.length;
  const requantOffset = img.multiplier.length;
  let permOffset = -1;
  const push = (m: number, c: number, s: number) => {
    img.multiplier.push(m);
    img.bias.push(c);
    img.shift.push(s);
  };
  switch (q.kind) {
    case 'conv':
    case 'dwconv':
    case 'fc':
      for (const w of q.weights) img.weights.push(w);
      q.requant.multiplier.forEach((m, c) => push(m, q.requant.bias[c], q.requant.shift[c]));
      if (q.kind !== 'fc' && q.permutation) {
        permOffset = img.perm.length;
        for (const p of q.permutation) img.perm.push(p);
      }
      break;
    case 'add':
      push(q.multiplier[0], 0, q.shift);
      push(q.multiplier[1], 0, q.shift);
      break;
    case 'pool': {
      const table = poolTable(q);
      table.forEach(([m, s]) => push(m, 0, s));
      break;
    }
  }
  return { weightOffset, requantOffset, permOffset };
}

/** kernel² (multiplier, shift) entries: entry n − 1 requantises the sum of an n-pixel window. */
function poolTable(q: PoolLayerQ): [number, number][] {
  const table: [number, number][] = Array.from({ length: q.kernel * q.kernel }, () => [0, 0]);
  q.divisors.forEach((d, i) => (table[d - 1] = [q.multiplier[i], q.shift[i]]));
  return table;
}

function shapeOf(
  layer: LayerSpec,
  q: IntegerLayer,
): Pick<LayerDescriptor, 'inH' | 'inW' | 'inC' | 'outH' | 'outW' | 'outC' | 'kernel' | 'stride' | 'pad' | 'groups' | 'inPer' | 'outPer'> {
  const base = { inH: layer.inH, inW: layer.inW, inC: layer.inC, outH: layer.outH, outW: layer.outW, outC: layer.outC };
  switch (q.kind) {
    case 'conv':
      return { ...base, kernel: q.kernel, stride: q.stride, pad: q.pad, groups: q.groups, inPer: reducedN(layer), outPer: walkedM(layer) };
    case 'dwconv':
      return { ...base, kernel: q.kernel, stride: q.stride, pad: q.pad, groups: 1, inPer: reducedN(layer), outPer: walkedM(layer) };
    case 'fc':
      return {
        inH: 1,
        inW: 1,
        inC: q.inC,
        outH: 1,
        outW: 1,
        outC: q.outC,
        kernel: 1,
        stride: 1,
        pad: 0,
        groups: 1,
        inPer: reducedN(layer),
        outPer: walkedM(layer),
      };
    case 'pool':
      return { ...base, kernel: q.kernel, stride: q.stride, pad: q.pad, groups: 1, inPer: 1, outPer: 1 };
    case 'add':
      return { ...base, kernel: 1, stride: 1, pad: 0, groups: 1, inPer: 1, outPer: 1 };
  }
}

/** The integer model must be the design's network, and every MAC layer on a chunk of its kind (an InputError naming `file`). */
function checkModelOfDesign(design: DesignPoint, model: IntegerModel, file: string): void {
  const net = design.network;
  if (model.layers.length !== net.layers.length || model.layers.some((q, i) => q.name !== net.layers[i].name)) {
    throw new InputError(
      file,
      '/network/layers',
      `expected the layers of the integer model (${plainText(model.name, 60)}); the weights belong to another network`,
    );
  }
  net.layers.forEach((layer, i) => {
    const chunk = design.accelerator.chunks.find((c) => c.layers.includes(layer.name));
    const want = !isMacKind(layer.kind) ? undefined : layer.kind === 'dwconv' ? 'dw' : 'conv';
    if (chunk && want && chunk.kind !== want) {
      throw new InputError(
        file,
        `/network/layers/${i}`,
        `expected layer "${layer.name}" (${layer.kind}) on a ${want} chunk, found chunk "${chunk.id}" of kind ${chunk.kind}`,
      );
    }
  });
}

/** Each chunk's program: its layers and ops, parameter images, buffers (chunkBuffers), predicted cycles and resources. */
function lowerChunks(
  design: DesignPoint,
  layers: readonly LayerDescriptor[],
  images: readonly ImageBuilder[],
  chunkIdents: readonly string[],
  costs: readonly ChunkCost[],
): ChunkProgram[] {
  const net = design.network;
  return design.accelerator.chunks.map((c, index) => {
    const members = layers.filter((l) => l.chunk === index);
    const specs = members.map((l) => net.layers[l.index]);
    return {
      index,
      id: c.id,
      ident: chunkIdents[index],
      kind: c.kind,
      bits: c.bits,
      params: c.params,
      portBitsEffective: costs[index].portBitsEffective,
      layers: members.map((l) => l.index),
      ops: [...new Set(members.map((l) => l.op))],
      buffers: chunkBuffers(c, specs, design.board),
      ...images[index],
      predictedCycles: members.reduce((s, l) => s + l.predictedCycles, 0),
      resources: { dsp: costs[index].dsp, bram18: costs[index].bram18, lut: costs[index].lut, ff: costs[index].ff },
    };
  });
}

/**
 * Lower a design and the integer model of its network into the layer program. Throws an
 * InputError (naming `file`) when the model is not the design's network.
 */
export function lowerDesignToProgram(
  design: DesignPoint,
  model: IntegerModel,
  options: { calibration?: CalibrationSpec; file?: string } = {},
): ProgramSpec {
  const file = options.file ?? '<design>';
  const net = design.network;
  checkModelOfDesign(design, model, file);
  const report = estimateDesign(design, options.calibration, file);
  const costs = new Map(report.layers.map((l) => [l.name, l]));
  const chunkOf = new Map<string, number>();
  design.accelerator.chunks.forEach((c, i) => c.layers.forEach((name) => chunkOf.set(name, i)));
  const layerIdents = legaliseIdentifiers(
    net.layers.map((l) => l.name),
    FIXED_IDENTIFIERS,
  );
  const chunkIdents = legaliseIdentifiers(
    design.accelerator.chunks.map((c) => c.id),
    [...FIXED_IDENTIFIERS, ...layerIdents],
  );

  const { height, width, channels, quant } = model.input;
  const input = {
    name: 'input',
    address: 0,
    words: height * width * channels,
    bits: quant.bits,
    signed: quant.signed,
    height,
    width,
    channels,
  };
  const slots = new Map<string, TensorSlot>([['input', input]]);
  const tensors: TensorSlot[] = [];
  let next = input.words;
  let actBits = wordBits(quant);

  const images: ImageBuilder[] = design.accelerator.chunks.map(() => ({ weights: [], multiplier: [], bias: [], shift: [], perm: [] }));
  const layers: LayerDescriptor[] = net.layers.map((layer, index) => {
    const q = model.layers[index];
    const chunk = chunkOf.get(layer.name) as number;
    const inputs = layer.inputs.map((name) => slots.get(name) as TensorSlot);
    const rawOut = q.kind === 'fc' && q.output === null;
    const cost = costs.get(layer.name);
    if (!cost) throw new Error(`internal: the cost report has no layer "${layer.name}"`);
    let outAddr = 0;
    if (!rawOut) {
      const out = (q as ConvLayerQ | FcLayerQ).output as QuantTensor;
      const words = layer.outH * layer.outW * layer.outC;
      const slot = { name: layer.name, address: next, words, bits: out.bits, signed: out.signed };
      slots.set(layer.name, slot);
      tensors.push(slot);
      outAddr = next;
      next += words;
      actBits = Math.max(actBits, wordBits(out));
    }
    const offsets = appendConstants(images[chunk], q);
    return {
      index,
      name: layer.name,
      ident: layerIdents[index],
      op: q.kind as LayerOp,
      opcode: OPCODES[q.kind],
      chunk,
      ...shapeOf(layer, q),
      inAddr: inputs[0].address,
      in2Addr: inputs.length > 1 ? inputs[1].address : 0,
      outAddr,
      ...offsets,
      clampLo: rawOut ? 0 : q.clampLo,
      clampHi: rawOut ? 0 : q.clampHi,
      rawOut: rawOut ? 1 : 0,
      predictedCycles: cost.cycles,
      cost: { key: cost.key, terms: cost.terms },
    };
  });

  const chunks = lowerChunks(design, layers, images, chunkIdents, report.chunks);
  const last = layers[layers.length - 1];
  return {
    // generated files hold the network's name only as an inert label (core/text.ts)
    name: plainText(net.name),
    designHash: hashDesign(design),
    modelHash: hashModel(model),
    classes: net.classes,
    input,
    tensors,
    arenaWords: next,
    actBits,
    layers,
    chunks,
    scores: last.rawOut ? 'logits' : 'codes',
    clockMhz: design.accelerator.clockMhz,
    dramLatency: design.board.dram.readLatencyCycles ?? 0,
    dramBitsPerCycle: dramBitsPerCycle(design.board, design.accelerator.clockMhz),
    predictedFps: report.fps,
  };
}

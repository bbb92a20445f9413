/**
 * Lowering a genotype — stage: search. In: a search space and a genotype (one op and bitwidth per
 * cell). Out: the network layer list — stem, every cell's layers (expand, dw, project, add or
 * skip), head, pool, fc — with shapes, precisions and each layer's outBits. What stays true:
 * every layer of every cell appears with its shape and precision, so a lowered network passes
 * `checkNetwork`; `checkSpaceLimits` holds a space's widest network to the network limits
 * before a search allocates its supernet.
 */
import type { Activation, LayerKind, LayerSpec, NetworkSpec } from '../core/network.js';
import { InputError } from '../core/diagnostics.js';
import { checkNetwork, outputSizeOf } from '../core/network-check.js';
import { checkGenotype, listCells, parseCellOp } from './spaces.js';
import type { CellSlot, GenotypeCellSpec, GenotypeSpec, SearchSpaceSpec } from './types.js';

/** Logits leave the classifier as raw 32-bit accumulators: no consumer to requantise for. */
const LOGIT_BITS = 32;

/** A layer before its consumers are known; `outBits` is filled in once the list is complete. */
type LayerDraft = Omit<LayerSpec, 'outBits'>;

/** A tensor in flight: the name consumers list in `inputs` and its shape. */
interface Tensor {
  readonly name: string;
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

interface LayerArgs {
  readonly kind: LayerKind;
  readonly outC: number;
  readonly kernel: number;
  readonly stride: number;
  readonly pad: number;
  readonly groups: number;
  readonly activation: Activation;
  readonly bits: number;
  readonly cell: number;
  readonly op?: string;
}

/** A layer reading `from`; its map size follows the window formula (kernel 1, stride 1 keeps it). */
function layerReading(name: string, from: Tensor, a: LayerArgs): LayerDraft {
  return {
    name,
    kind: a.kind,
    inputs: [from.name],
    inH: from.h,
    inW: from.w,
    inC: from.c,
    outH: outputSizeOf(from.h, a.kernel, a.stride, a.pad),
    outW: outputSizeOf(from.w, a.kernel, a.stride, a.pad),
    outC: a.outC,
    kernel: a.kernel,
    stride: a.stride,
    pad: a.pad,
    groups: a.groups,
    activation: a.activation,
    bits: a.bits,
    ...(a.op === undefined ? { cell: a.cell } : { cell: a.cell, op: a.op }),
  };
}

function outputOf(layer: LayerDraft): Tensor {
  return { name: layer.name, h: layer.outH, w: layer.outW, c: layer.outC };
}

/** Conv arguments shared by every layer of one cell. */
function cellArgs(slot: CellSlot, gene: GenotypeCellSpec) {
  return { cell: slot.index, op: gene.op, bits: gene.bits } as const;
}

/** `skip`: identity when the shape is kept (no layer), else a 1×1 conv + ReLU. */
function lowerSkip(slot: CellSlot, gene: GenotypeCellSpec, x: Tensor, out: LayerDraft[]): Tensor {
  if (slot.inC === slot.outC && slot.stride === 1) return x;
  const skip = layerReading(`c${slot.index}_skip`, x, {
    kind: 'conv',
    outC: slot.outC,
    kernel: 1,
    stride: slot.stride,
    pad: 0,
    groups: 1,
    activation: 'relu',
    ...cellArgs(slot, gene),
  });
  out.push(skip);
  return outputOf(skip);
}

/**
 * MBConv: 1×1 expand (groups G) + ReLU, depthwise K×K (stride) + ReLU, 1×1 project (groups G),
 * residual add when the shape is kept. For G > 1 the expand conv's output is channel-shuffled
 * (`shuffle: G`) so the grouped project conv mixes groups; a weight permutation cannot do this
 * when both 1×1 convs are grouped. In hardware it is a write-address permutation: no layer.
 */
function lowerMbconv(
  slot: CellSlot,
  gene: GenotypeCellSpec,
  x: Tensor,
  op: { kernel: number; expand: number; groups: number },
  out: LayerDraft[],
): Tensor {
  const common = cellArgs(slot, gene);
  const mid = slot.inC * op.expand;
  const expand = layerReading(`c${slot.index}_expand`, x, {
    kind: 'conv',
    outC: mid,
    kernel: 1,
    stride: 1,
    pad: 0,
    groups: op.groups,
    activation: 'relu',
    ...common,
  });
  const dw = layerReading(`c${slot.index}_dw`, outputOf(expand), {
    kind: 'dwconv',
    outC: mid,
    kernel: op.kernel,
    stride: slot.stride,
    pad: op.kernel >> 1,
    groups: mid,
    activation: 'relu',
    ...common,
  });
  const project = layerReading(`c${slot.index}_project`, outputOf(dw), {
    kind: 'conv',
    outC: slot.outC,
    kernel: 1,
    stride: 1,
    pad: 0,
    groups: op.groups,
    activation: 'none',
    ...common,
  });
  out.push(op.groups > 1 ? { ...expand, shuffle: op.groups } : expand, dw, project);
  if (slot.inC !== slot.outC || slot.stride !== 1) return outputOf(project);
  const add: LayerDraft = {
    ...layerReading(`c${slot.index}_add`, outputOf(project), {
      kind: 'add',
      outC: slot.outC,
      kernel: 1,
      stride: 1,
      pad: 0,
      groups: 1,
      activation: 'none',
      ...common,
    }),
    inputs: [project.name, x.name],
  };
  out.push(add);
  return outputOf(add);
}

function lowerCell(slot: CellSlot, gene: GenotypeCellSpec, x: Tensor, out: LayerDraft[]): Tensor {
  const op = parseCellOp(gene.op);
  if (!op) throw new Error(`internal: op "${gene.op}" passed checkGenotype but does not parse`);
  return op.kind === 'skip' ? lowerSkip(slot, gene, x, out) : lowerMbconv(slot, gene, x, op, out);
}

/** Head 1×1 conv, global average pool, classifier; all at the space's fixed precision. */
function lowerHead(space: SearchSpaceSpec, x: Tensor, out: LayerDraft[]): void {
  const fixed = { bits: space.fixedBits, cell: -1 } as const;
  const head = layerReading('head', x, {
    kind: 'conv',
    outC: space.head.channels,
    kernel: 1,
    stride: 1,
    pad: 0,
    groups: 1,
    activation: 'relu',
    ...fixed,
  });
  const pool = layerReading('pool', outputOf(head), {
    kind: 'pool',
    outC: head.outC,
    kernel: head.outH,
    stride: head.outH,
    pad: 0,
    groups: 1,
    activation: 'none',
    ...fixed,
  });
  const fc = layerReading('fc', outputOf(pool), {
    kind: 'fc',
    outC: space.classes,
    kernel: 1,
    stride: 1,
    pad: 0,
    groups: 1,
    activation: 'none',
    ...fixed,
  });
  out.push(head, pool, fc);
}

/**
 * Each layer requantises its output to the precision of its first consumer in layer order.
 * Every consumer of one tensor shares that precision here (a residual add sits in the same
 * cell as the expand that reads the same block input), so one outBits per layer suffices.
 */
function assignOutBits(drafts: readonly LayerDraft[]): LayerSpec[] {
  return drafts.map((layer, i) => {
    const consumer = drafts.slice(i + 1).find((later) => later.inputs.includes(layer.name));
    return { ...layer, outBits: consumer ? consumer.bits : LOGIT_BITS };
  });
}

/**
 * Lower a genotype to the network layer list (method.md §2): stem, the cells in order, head,
 * pool, fc. Names: `stem`, `c{i}_expand|_dw|_project|_add|_skip`, `head`, `pool`, `fc`.
 * The genotype must fit the space (checked here; an error names it as `<genotype>`).
 */
export function lowerGenotypeToNetwork(space: SearchSpaceSpec, genotype: GenotypeSpec, name?: string): NetworkSpec {
  checkGenotype(space, genotype, '<genotype>');
  const drafts: LayerDraft[] = [];
  const input: Tensor = { name: 'input', h: space.input.height, w: space.input.width, c: space.input.channels };
  const stem = layerReading('stem', input, {
    kind: 'conv',
    outC: space.stem.channels,
    kernel: space.stem.kernel,
    stride: space.stem.stride,
    pad: space.stem.kernel >> 1,
    groups: 1,
    activation: 'relu',
    bits: space.fixedBits,
    cell: -1,
  });
  drafts.push(stem);
  let x = outputOf(stem);
  for (const slot of listCells(space)) x = lowerCell(slot, genotype.cells[slot.index], x, drafts);
  lowerHead(space, x, drafts);
  return {
    version: 1,
    name: name ?? space.name,
    input: { ...space.input },
    classes: space.classes,
    layers: assignOutBits(drafts),
  };
}

/**
 * A space's networks within the network limits (core/network-check.ts): the widest one — the
 * op of largest expansion in every cell — is lowered and checked, so a search never allocates
 * a supernet the later stages would refuse. A breach is an `InputError` on the space's file.
 */
export function checkSpaceLimits(space: SearchSpaceSpec, file: string): SearchSpaceSpec {
  const expansion = (op: string) => {
    const parsed = parseCellOp(op);
    return parsed?.kind === 'mbconv' ? parsed.expand * parsed.kernel : 0;
  };
  const widest = [...space.ops].sort((a, b) => expansion(b) - expansion(a))[0];
  const cells = listCells(space).map(() => ({ op: widest, bits: space.bitwidths[0] }));
  checkLoweredNetwork(
    lowerGenotypeToNetwork(space, { version: 1, space: space.name, cells }),
    file,
    `its widest network (${widest} in every cell)`,
  );
  return space;
}

/** `checkNetwork` on a network lowered from `file`, its pointer folded into the message. */
export function checkLoweredNetwork(network: NetworkSpec, file: string, what = 'the network it lowers to'): NetworkSpec {
  try {
    return checkNetwork(network, file);
  } catch (error) {
    if (error instanceof InputError) throw new InputError(file, '', `${what} breaks a limit at ${error.pointer}: ${error.expectation}`);
    throw error;
  }
}

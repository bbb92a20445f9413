/**
 * The network check — stage: core, the input fence of every later stage. In: a schema-valid
 * network (or a network file). Out: the same network, or an `InputError` naming the file, the JSON
 * pointer of the layer field and what was expected. What stays true: a checked network is a layer
 * graph in topological order whose shapes and precisions agree along every edge and stay within
 * NETWORK_LIMITS; the cost model, integer model and backends rely on it without checking again.
 */
import { layerWeights } from './layer-geometry.js';
import { InputError } from './diagnostics.js';
import type { LayerSpec, NetworkSpec } from './network.js';
import { loadArtifact } from './schema.js';

/** Output size of a sliding window (conv, dwconv, pool): floor((in + 2·pad − k) / stride) + 1. */
export function outputSizeOf(inSize: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((inSize + 2 * pad - kernel) / stride) + 1;
}

/** The shape a layer's inputs refer to: a producer's output, or the network input. */
interface TensorShape {
  readonly h: number;
  readonly w: number;
  readonly c: number;
  /** Precision the producer requantises to; undefined for the network input. */
  readonly bits?: number;
}

type Fail = (field: string, expectation: string) => never;

const INPUT_NAME = 'input';

/**
 * Limits past the schema's per-field ones (docs/architecture.md "Limits"): checked before any
 * stage allocates a tensor, a weight array or an arena.
 */
export const NETWORK_LIMITS = {
  /** Words of one tensor (H·W·C). */
  tensorWords: 1 << 26,
  /** Weights of one layer (kernel²·inC/groups·outC). */
  layerWeights: 1 << 26,
  /** Words of every tensor together (the activation arena). */
  arenaWords: 1 << 28,
  /** Kernel and stride of a conv or dwconv (a pool's window may span the whole map). */
  macKernel: 15,
  macStride: 8,
} as const;

function checkSizes(layer: LayerSpec, fail: Fail): number {
  const words = layer.outH * layer.outW * layer.outC;
  if (words > NETWORK_LIMITS.tensorWords)
    fail('outC', `expected an output of at most ${NETWORK_LIMITS.tensorWords} words (outH·outW·outC), found ${words}`);
  const weights = layerWeights(layer);
  if (weights > NETWORK_LIMITS.layerWeights)
    fail('outC', `expected at most ${NETWORK_LIMITS.layerWeights} weights in one layer (kernel²·inC/groups·outC), found ${weights}`);
  return words;
}

function checkInputs(layer: LayerSpec, shapes: Map<string, TensorShape>, fail: Fail): TensorShape[] {
  const wanted = layer.kind === 'add' ? 2 : 1;
  if (layer.inputs.length !== wanted) {
    fail('inputs', `expected ${wanted} input${wanted === 1 ? '' : 's'} for ${layer.kind}, found ${layer.inputs.length}`);
  }
  return layer.inputs.map((name, k) => {
    const shape = shapes.get(name);
    if (!shape) fail(`inputs/${k}`, `expected "${INPUT_NAME}" or the name of an earlier layer, found "${name}"`);
    return shape;
  });
}

function sameShape(a: TensorShape, b: TensorShape): boolean {
  return a.h === b.h && a.w === b.w && a.c === b.c;
}

/** Input fields equal the producer's output, and bits equal what the producer requantises to. */
function checkInputShape(layer: LayerSpec, from: TensorShape, fail: Fail): void {
  const pairs: Array<[keyof LayerSpec, number]> = [
    ['inH', from.h],
    ['inW', from.w],
    ['inC', from.c],
  ];
  for (const [field, expected] of pairs) {
    if (layer[field] !== expected) fail(field, `expected ${expected} (producer's output), found ${String(layer[field])}`);
  }
  if (from.bits !== undefined && layer.bits !== from.bits) {
    fail('bits', `expected ${from.bits} (producer's outBits), found ${layer.bits}`);
  }
}

function checkWindow(layer: LayerSpec, fail: Fail): void {
  const outH = outputSizeOf(layer.inH, layer.kernel, layer.stride, layer.pad);
  const outW = outputSizeOf(layer.inW, layer.kernel, layer.stride, layer.pad);
  if (outH < 1) fail('kernel', `expected a kernel that fits the padded input (${layer.inH + 2 * layer.pad}), found ${layer.kernel}`);
  if (layer.outH !== outH) fail('outH', `expected ${outH} = floor((inH + 2·pad − kernel) / stride) + 1, found ${layer.outH}`);
  if (layer.outW !== outW) fail('outW', `expected ${outW} = floor((inW + 2·pad − kernel) / stride) + 1, found ${layer.outW}`);
}

function expectEqual(fail: Fail, field: keyof LayerSpec, found: unknown, expected: number, why: string): void {
  if (found !== expected) fail(field, `expected ${expected} (${why}), found ${String(found)}`);
}

/** Kind-specific rules: what each kind of layer may do to the shape. */
function checkKind(layer: LayerSpec, fail: Fail): void {
  if (layer.shuffle !== undefined && layer.outC % layer.shuffle !== 0) {
    fail('shuffle', `expected a divisor of outC (${layer.outC}), found ${layer.shuffle}`);
  }
  const pointwise = (why: string): void => {
    expectEqual(fail, 'kernel', layer.kernel, 1, why);
    expectEqual(fail, 'stride', layer.stride, 1, why);
    expectEqual(fail, 'pad', layer.pad, 0, why);
    expectEqual(fail, 'groups', layer.groups, 1, why);
  };
  const macWindow = (): void => {
    if (layer.kernel > NETWORK_LIMITS.macKernel)
      fail(
        'kernel',
        `expected a kernel of at most ${NETWORK_LIMITS.macKernel} (trips-hw's limit for ${layer.kind}), found ${layer.kernel}`,
      );
    if (layer.stride > NETWORK_LIMITS.macStride)
      fail(
        'stride',
        `expected a stride of at most ${NETWORK_LIMITS.macStride} (trips-hw's limit for ${layer.kind}), found ${layer.stride}`,
      );
  };
  switch (layer.kind) {
    case 'conv':
      macWindow();
      checkWindow(layer, fail);
      if (layer.inC % layer.groups !== 0) fail('groups', `expected a divisor of inC (${layer.inC}), found ${layer.groups}`);
      if (layer.outC % layer.groups !== 0) fail('groups', `expected a divisor of outC (${layer.outC}), found ${layer.groups}`);
      return;
    case 'dwconv':
      macWindow();
      checkWindow(layer, fail);
      expectEqual(fail, 'outC', layer.outC, layer.inC, 'dwconv keeps channels: outC = inC');
      expectEqual(fail, 'groups', layer.groups, layer.inC, 'dwconv: groups = inC');
      return;
    case 'pool':
      checkWindow(layer, fail);
      expectEqual(fail, 'outC', layer.outC, layer.inC, 'pool keeps channels');
      expectEqual(fail, 'groups', layer.groups, 1, 'pool');
      return;
    case 'add':
      pointwise('add is elementwise');
      expectEqual(fail, 'outH', layer.outH, layer.inH, 'add keeps the shape');
      expectEqual(fail, 'outW', layer.outW, layer.inW, 'add keeps the shape');
      expectEqual(fail, 'outC', layer.outC, layer.inC, 'add keeps the shape');
      return;
    case 'fc':
      pointwise('fc');
      expectEqual(fail, 'inH', layer.inH, 1, 'fc takes a 1×1 map');
      expectEqual(fail, 'inW', layer.inW, 1, 'fc takes a 1×1 map');
      expectEqual(fail, 'outH', layer.outH, 1, 'fc gives a 1×1 map');
      expectEqual(fail, 'outW', layer.outW, 1, 'fc gives a 1×1 map');
      return;
  }
}

/**
 * Semantic checks after the schema: a valid layer graph in topological order whose shapes and
 * precisions agree along every edge. Every later stage (cost model, integer model, backends)
 * relies on these without checking again.
 */
export function checkNetwork(net: NetworkSpec, file: string): NetworkSpec {
  const shapes = new Map<string, TensorShape>([[INPUT_NAME, { h: net.input.height, w: net.input.width, c: net.input.channels }]]);
  const consumed = new Set<string>();
  const inputWords = net.input.height * net.input.width * net.input.channels;
  if (inputWords > NETWORK_LIMITS.tensorWords)
    throw new InputError(
      file,
      '/input',
      `expected an input of at most ${NETWORK_LIMITS.tensorWords} words (height·width·channels), found ${inputWords}`,
    );
  let arena = inputWords;
  net.layers.forEach((layer, i) => {
    const fail: Fail = (field, expectation) => {
      throw new InputError(file, `/layers/${i}/${field}`, expectation);
    };
    if (layer.name === INPUT_NAME) fail('name', `expected a name other than "${INPUT_NAME}" (it means the network input)`);
    if (shapes.has(layer.name)) fail('name', `expected a unique layer name, found "${layer.name}" again`);
    const from = checkInputs(layer, shapes, fail);
    // Equal operands first: otherwise a mismatched add reads as a wrong inH.
    if (from.length === 2 && !sameShape(from[0], from[1])) {
      const [a, b] = from;
      fail('inputs', `expected two inputs of equal shape, found ${a.h}×${a.w}×${a.c} and ${b.h}×${b.w}×${b.c}`);
    }
    from.forEach((shape) => checkInputShape(layer, shape, fail));
    checkKind(layer, fail);
    arena += checkSizes(layer, fail);
    if (arena > NETWORK_LIMITS.arenaWords)
      fail(
        'outC',
        `expected at most ${NETWORK_LIMITS.arenaWords} activation words in all the network's tensors, found ${arena} by this layer`,
      );
    layer.inputs.forEach((name) => consumed.add(name));
    shapes.set(layer.name, { h: layer.outH, w: layer.outW, c: layer.outC, bits: layer.outBits });
  });
  net.layers.forEach((layer, i) => {
    if (i < net.layers.length - 1 && !consumed.has(layer.name)) {
      throw new InputError(
        file,
        `/layers/${i}/name`,
        `expected a layer that a later layer consumes (only the last layer is the output), found "${layer.name}" unused`,
      );
    }
  });
  return net;
}

/** Read, schema-validate and check a network file. */
export function loadNetwork(file: string): NetworkSpec {
  return checkNetwork(loadArtifact<NetworkSpec>('network', file), file);
}

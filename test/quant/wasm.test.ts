/**
 * The fast engine (WebAssembly SIMD, engine-wasm.ts) against the scalar reference: every layer
 * bit-identical, on shapes that reach every padding and tail of its kernels. And the built
 * module must be kernels.wat as assembled by binaryen.
 */
import { readFileSync } from 'node:fs';
import binaryen from 'binaryen';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NetworkSpec } from '../../src/core/network.js';
import { loadNetwork } from '../../src/core/network-check.js';
import { Rng } from '../../src/core/random.js';
import { selectBackend } from '../../src/nn/backend.js';
import { disposeModel } from '../../src/nn/model.js';
import * as tf from '../../src/nn/tf.js';
import { buildIntegerModel, IntegerModelError, runInteger, type IntegerModel } from '../../src/quant/index.js';
import { KERNELS_WASM } from '../../src/quant/engine-wasm.js';
import { TINY } from '../nn/tiny.js';
import { gaussianImages, L, network, randomModel, weightsOf } from './helpers.js';
import { CORNERS, ODD } from './networks.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const WAT = new URL('../../src/quant/kernels.wat', import.meta.url);

function assemble(): Uint8Array {
  const module = binaryen.parseText(readFileSync(WAT, 'utf8'));
  try {
    module.setFeatures(binaryen.Features.MVP | binaryen.Features.SIMD128);
    if (!module.validate()) throw new Error('kernels.wat does not validate');
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

describe('the built kernels', () => {
  it('are kernels.wat as binaryen assembles it (npm run build:quant is current)', () => {
    expect(
      Buffer.from(readFileSync(KERNELS_WASM)).equals(Buffer.from(assemble())),
      'dist/quant/kernels.wasm is stale: npm run build:quant',
    ).toBe(true);
  });
});

function engines(net: NetworkSpec, seed: number, count: number): { im: IntegerModel; xs: Float32Array } {
  const { height, width, channels } = net.input;
  const xs = gaussianImages(new Rng(seed), count * height * width * channels);
  const x = tf.tensor4d(xs, [count, height, width, channels]);
  const model = randomModel(net, seed, x);
  const im = buildIntegerModel(net, weightsOf(model));
  x.dispose();
  disposeModel(model);
  return { im, xs };
}

function expectSame(im: IntegerModel, xs: Float32Array, count: number): void {
  const a = runInteger(im, xs, count, { layers: true, engine: 'js' });
  const b = runInteger(im, xs, count, { layers: true, engine: 'wasm' });
  expect(Array.from(b.predictions)).toEqual(Array.from(a.predictions));
  expect(Array.from(b.logits)).toEqual(Array.from(a.logits));
  const la = a.layers as Map<string, Int32Array>;
  const lb = b.layers as Map<string, Int32Array>;
  expect([...lb.keys()]).toEqual([...la.keys()]);
  for (const [name, codes] of la) {
    const other = lb.get(name) as Int32Array;
    let differ = 0;
    for (let i = 0; i < codes.length; i++) if (codes[i] !== other[i]) differ++;
    expect(differ, name).toBe(0);
  }
}

describe('the wasm engine equals the scalar engine on every layer', () => {
  it.each([
    ['TINY', () => TINY, 40],
    ['corners', () => CORNERS, 60],
    ['odd sizes (a final quantised layer, 15-bit codes)', () => ODD, 61],
    ['tiny-mbconv', () => loadNetwork('test/fixtures/tiny-mbconv.network.json'), 12],
  ] as const)(
    '%s',
    (_, net, count) => {
      const { im, xs } = engines(net(), 7, count);
      expectSame(im, xs, count);
    },
    60_000,
  );

  it('16-bit unsigned codes do not fit int16: auto falls back to the scalar engine, wasm refuses', () => {
    const net = network(
      'u16',
      { height: 3, width: 3, channels: 2 },
      [
        L({
          name: 'c',
          kind: 'conv',
          inputs: ['input'],
          inH: 3,
          inW: 3,
          inC: 2,
          outH: 3,
          outW: 3,
          outC: 3,
          activation: 'relu',
          outBits: 16,
        }),
        L({ name: 'p', kind: 'pool', inputs: ['c'], inH: 3, inW: 3, inC: 3, outH: 1, outW: 1, outC: 3, kernel: 3, stride: 3, bits: 16 }),
      ],
      3,
    );
    const { im, xs } = engines(net, 3, 9);
    expect(() => runInteger(im, xs, 9, { engine: 'wasm' })).toThrow(IntegerModelError);
    const auto = runInteger(im, xs, 9, { layers: true });
    const js = runInteger(im, xs, 9, { layers: true, engine: 'js' });
    expect(Array.from(auto.layers?.get('c') as Int32Array)).toEqual(Array.from(js.layers?.get('c') as Int32Array));
    expect(Math.max(...(js.layers!.get('c') as Int32Array))).toBeGreaterThan(32767);
  });
});

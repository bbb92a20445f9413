/**
 * The C++ reference layers every generated HLS engine computes (templates/hls/trips_layers.h)
 * against the golden model, bit for bit, on random small conv and depthwise layers: kernels
 * 1/3/5, strides 1/2, padding, groups with channel shuffle, all activations, bitwidths 4/6/8.
 * Compiled with the real g++.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../src/core/network.js';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { Rng } from '../../src/core/random.js';
import { selectBackend } from '../../src/nn/backend.js';
import { disposeModel } from '../../src/nn/model.js';
import * as tf from '../../src/nn/tf.js';
import { buildIntegerModel, type ConvLayerQ, quantiseInput, runLayer } from '../../src/quant/index.js';
import { gaussianImages, L, network, randomModel, weightsOf } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-hls-layers-'));
const exe = join(dir, 'driver');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DRIVER = `#include <cstdio>
#include <vector>
#include "trips_layers.h"
int main() {
  trips::ConvShape s; int dw; long long lo, hi;
  if (std::scanf("%d %d %d %d %d %d %d %d %d %d %d %lld %lld", &s.inH, &s.inW, &s.inC, &s.outH, &s.outW, &s.outC, &s.kernel, &s.stride, &s.pad, &s.groups, &dw, &lo, &hi) != 13) return 2;
  s.depthwise = dw != 0;
  int nw; if (std::scanf("%d", &nw) != 1) return 2;
  std::vector<int> w(nw); for (int i = 0; i < nw; i++) if (std::scanf("%d", &w[i]) != 1) return 2;
  std::vector<trips::mul_t> mul(s.outC); std::vector<trips::wide_t> bias(s.outC); std::vector<int> shift(s.outC), perm(s.outC);
  for (int c = 0; c < s.outC; c++) { long long m, b; if (std::scanf("%lld %lld %d %d", &m, &b, &shift[c], &perm[c]) != 4) return 2; mul[c] = (trips::mul_t)m; bias[c] = b; }
  int nx; if (std::scanf("%d", &nx) != 1) return 2;
  std::vector<int> x(nx); for (int i = 0; i < nx; i++) if (std::scanf("%d", &x[i]) != 1) return 2;
  std::vector<int> y(s.outH * s.outW * s.outC, -99999);
  trips::conv_layer(x.data(), y.data(), s, w.data(), mul.data(), bias.data(), shift.data(), perm.data(), lo, hi);
  for (size_t i = 0; i < y.size(); i++) std::printf("%d\\n", y[i]);
  return 0;
}
`;

beforeAll(async () => {
  await selectBackend('cpu');
  writeFileSync(join(dir, 'driver.cpp'), DRIVER);
  await execa('g++', [
    '-std=c++11',
    '-O2',
    '-Wall',
    '-Wextra',
    '-Werror',
    '-Wno-unknown-pragmas',
    '-I',
    join(PACKAGE_ROOT, 'templates', 'hls'),
    join(dir, 'driver.cpp'),
    '-o',
    exe,
  ]);
}, 60_000);

/** A random one-layer network: input → conv or depthwise. */
function randomLayer(rng: Rng, i: number): { layer: LayerSpec; input: { height: number; width: number; channels: number } } {
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  const depthwise = rng.next() < 0.35;
  const kernel = pick([1, 3, 5]);
  const stride = pick([1, 2]);
  const pad = kernel === 1 ? 0 : pick([0, kernel >> 1]);
  const groups = depthwise ? 0 : pick([1, 1, 2, 4]);
  const inC = depthwise ? 1 + rng.int(9) : groups * (1 + rng.int(4));
  const outC = depthwise ? inC : groups * (1 + rng.int(4));
  const inH = kernel + rng.int(6);
  const inW = kernel + rng.int(6);
  const outH = Math.floor((inH + 2 * pad - kernel) / stride) + 1;
  const outW = Math.floor((inW + 2 * pad - kernel) / stride) + 1;
  const shuffle = !depthwise && groups > 1 && kernel === 1 && rng.next() < 0.5 ? { shuffle: groups } : {};
  const layer = L({
    name: `l${i}`,
    kind: depthwise ? 'dwconv' : 'conv',
    inputs: ['input'],
    inH,
    inW,
    inC,
    outH,
    outW,
    outC,
    kernel,
    stride,
    pad,
    groups: depthwise ? inC : groups,
    activation: pick(['none', 'relu', 'relu6'] as const),
    bits: pick([4, 6, 8]),
    outBits: pick([4, 6, 8]),
    ...shuffle,
  });
  return { layer, input: { height: inH, width: inW, channels: inC } };
}

describe('templates/hls/trips_layers.h under g++', () => {
  it('computes 50 random conv and depthwise layers exactly as the golden model', async () => {
    const rng = new Rng(2026);
    const kinds = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const { layer, input } = randomLayer(rng, i);
      const net = network(`one-${i}`, input, [layer], layer.outC);
      const count = 6;
      const xs = gaussianImages(rng, count * input.height * input.width * input.channels);
      const x = tf.tensor4d(xs, [count, input.height, input.width, input.channels]);
      const model = randomModel(net, 100 + i, x);
      const im = buildIntegerModel(net, weightsOf(model));
      disposeModel(model);
      x.dispose();
      const codes = new Int32Array(input.height * input.width * input.channels);
      quantiseInput(im, xs, codes);
      const golden = runLayer(im, layer.name, [codes], 1);
      const q = im.layers[0] as ConvLayerQ;
      kinds.add(`${q.kind}:k${q.kernel}:s${q.stride}:g${q.groups > 1 && q.kind === 'conv' ? 'n' : 1}`);
      const rows = [
        [
          q.inH,
          q.inW,
          q.inC,
          q.outH,
          q.outW,
          q.outC,
          q.kernel,
          q.stride,
          q.pad,
          q.groups,
          q.kind === 'dwconv' ? 1 : 0,
          q.clampLo,
          q.clampHi,
        ].join(' '),
        `${q.weights.length} ${q.weights.join(' ')}`,
        ...Array.from(
          { length: q.outC },
          (_, c) => `${q.requant.multiplier[c]} ${q.requant.bias[c]} ${q.requant.shift[c]} ${q.permutation ? q.permutation[c] : c}`,
        ),
        `${codes.length} ${Array.from(codes).join(' ')}`,
      ];
      const { stdout } = await execa(exe, [], { input: rows.join('\n') });
      const out = stdout.trim().split('\n').map(Number);
      expect(out, `layer ${i}: ${JSON.stringify(layer)}`).toEqual(Array.from(golden));
    }
    expect(kinds.size).toBeGreaterThan(8);
  }, 120_000);
});

/** Test networks that reach every corner of the integer model and of the fast engine's kernels. */
import { L, network } from './helpers.js';

/**
 * Negative batch-norm gammas (set by randomModel), a grouped conv with a channel shuffle, a
 * depthwise conv of stride 2 with padding on an odd-sized map, a grouped 3×3 conv, an add of two
 * scales, an average pool with padding, a quantised fc with ReLU and the float logits; channel
 * counts that are not multiples of 4 or 8, bitwidths from 5 to 8.
 */
export const CORNERS = network(
  'corners',
  { height: 9, width: 7, channels: 3 },
  [
    L({ name: 'stem', kind: 'conv', inputs: ['input'], inH: 9, inW: 7, inC: 3, outH: 9, outW: 7, outC: 12, kernel: 3, pad: 1, activation: 'relu', outBits: 6 }),
    L({ name: 'expand', kind: 'conv', inputs: ['stem'], inH: 9, inW: 7, inC: 12, outH: 9, outW: 7, outC: 18, groups: 3, shuffle: 3, activation: 'relu6', bits: 6, outBits: 5 }),
    L({ name: 'dw', kind: 'dwconv', inputs: ['expand'], inH: 9, inW: 7, inC: 18, outH: 5, outW: 4, outC: 18, kernel: 3, stride: 2, pad: 1, groups: 18, activation: 'relu', bits: 5, outBits: 7 }),
    L({ name: 'project', kind: 'conv', inputs: ['dw'], inH: 5, inW: 4, inC: 18, outH: 5, outW: 4, outC: 6, kernel: 3, pad: 1, groups: 3, bits: 7 }),
    L({ name: 'side', kind: 'conv', inputs: ['dw'], inH: 5, inW: 4, inC: 18, outH: 5, outW: 4, outC: 6, bits: 7 }),
    L({ name: 'sum', kind: 'add', inputs: ['project', 'side'], inH: 5, inW: 4, inC: 6, outH: 5, outW: 4, outC: 6 }),
    L({ name: 'avg', kind: 'pool', inputs: ['sum'], inH: 5, inW: 4, inC: 6, outH: 3, outW: 3, outC: 6, kernel: 2, stride: 2, pad: 1 }),
    L({ name: 'pool', kind: 'pool', inputs: ['avg'], inH: 3, inW: 3, inC: 6, outH: 1, outW: 1, outC: 6, kernel: 3, stride: 3 }),
    L({ name: 'fc1', kind: 'fc', inputs: ['pool'], inC: 6, outC: 10, activation: 'relu', outBits: 6 }),
    L({ name: 'fc2', kind: 'fc', inputs: ['fc1'], inC: 10, outC: 4, bits: 6, outBits: 32 }),
  ],
  4,
);

/** Odd sizes everywhere: 5 and 13 channels, groups of 5 inputs and 3 outputs, odd pixel counts. */
export const ODD = network(
  'odd',
  { height: 11, width: 5, channels: 5 },
  [
    L({ name: 'stem', kind: 'conv', inputs: ['input'], inH: 11, inW: 5, inC: 5, outH: 5, outW: 2, outC: 15, kernel: 3, stride: 2, activation: 'relu' }),
    L({ name: 'g1', kind: 'conv', inputs: ['stem'], inH: 5, inW: 2, inC: 15, outH: 5, outW: 2, outC: 9, groups: 3, shuffle: 3, activation: 'relu6', outBits: 4 }),
    L({ name: 'dw', kind: 'dwconv', inputs: ['g1'], inH: 5, inW: 2, inC: 9, outH: 5, outW: 2, outC: 9, kernel: 5, pad: 2, groups: 9, bits: 4, outBits: 6 }),
    L({ name: 'g3', kind: 'conv', inputs: ['dw'], inH: 5, inW: 2, inC: 9, outH: 3, outW: 1, outC: 13, kernel: 3, stride: 2, pad: 1, bits: 6, activation: 'relu', outBits: 15 }),
    L({ name: 'pool', kind: 'pool', inputs: ['g3'], inH: 3, inW: 1, inC: 13, outH: 1, outW: 1, outC: 13, kernel: 3, stride: 3, pad: 1, bits: 15, outBits: 7 }),
  ],
  13,
);

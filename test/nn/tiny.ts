import type { LayerSpec, NetworkSpec } from '../../src/core/network.js';
import { checkNetwork } from '../../src/core/network-check.js';

const L = (l: Partial<LayerSpec> & Pick<LayerSpec, 'name' | 'kind' | 'inputs'>): LayerSpec => ({
  inH: 1, inW: 1, inC: 1, outH: 1, outW: 1, outC: 1, kernel: 1, stride: 1, pad: 0, groups: 1, activation: 'none', bits: 8, outBits: 8, ...l,
});

/** Stem, grouped expand with shuffle, depthwise, grouped project, pool, fc: every layer kind. */
export const TINY: NetworkSpec = checkNetwork(
  {
    version: 1,
    name: 'tiny',
    input: { height: 28, width: 28, channels: 1 },
    classes: 10,
    layers: [
      L({ name: 'stem', kind: 'conv', inputs: ['input'], inH: 28, inW: 28, inC: 1, outH: 14, outW: 14, outC: 8, kernel: 3, stride: 2, pad: 1, activation: 'relu', outBits: 6 }),
      L({ name: 'expand', kind: 'conv', inputs: ['stem'], inH: 14, inW: 14, inC: 8, outH: 14, outW: 14, outC: 8, groups: 2, shuffle: 2, activation: 'relu', bits: 6, outBits: 4 }),
      L({ name: 'dw', kind: 'dwconv', inputs: ['expand'], inH: 14, inW: 14, inC: 8, outH: 7, outW: 7, outC: 8, kernel: 3, stride: 2, pad: 1, groups: 8, activation: 'relu', bits: 4, outBits: 8 }),
      L({ name: 'project', kind: 'conv', inputs: ['dw'], inH: 7, inW: 7, inC: 8, outH: 7, outW: 7, outC: 8, groups: 2 }),
      L({ name: 'pool', kind: 'pool', inputs: ['project'], inH: 7, inW: 7, inC: 8, outH: 1, outW: 1, outC: 8, kernel: 7, stride: 7 }),
      L({ name: 'fc', kind: 'fc', inputs: ['pool'], inC: 8, outC: 10, outBits: 32 }),
    ],
  },
  '<tiny>',
);


import { describe, expect, it } from 'vitest';
import { resolveBoard } from '../../src/accel/boards.js';
import { exploreAccelerator } from '../../src/accel/explore.js';
import { COST_TERMS, type DesignPoint } from '../../src/accel/types.js';
import { InputError } from '../../src/core/diagnostics.js';
import { validateArtifact, type ArtifactName } from '../../src/core/schema.js';
import { CIFAR22_SPACE, lowerGenotypeToNetwork } from '../../src/search/index.js';

function failure(name: ArtifactName, value: unknown): InputError {
  try {
    validateArtifact(name, value, 'x.json');
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected the value to be rejected');
}

const coefficients = Object.fromEntries(COST_TERMS.map((t) => [t, 1]));
const KEYS = ['conv/os', 'conv/ws', 'dw/os', 'dw/ws', 'eltwise/os', 'eltwise/ws'];

describe('calibration schema', () => {
  it('accepts every coefficient set, and none', () => {
    const all = { version: 1, coefficients: Object.fromEntries(KEYS.map((k) => [k, coefficients])), source: 'fit' };
    expect(validateArtifact('calibration', all, 'x.json')).toBe(all);
    expect(validateArtifact('calibration', { version: 1, coefficients: {} }, 'x.json')).toBeTruthy();
  });

  it('rejects unknown keys, missing terms, negative coefficients and other versions', () => {
    expect(failure('calibration', { version: 1, coefficients: { 'pool/os': coefficients } }).message).toContain(
      'unknown property "pool/os"',
    );
    const { fixed: _fixed, ...partial } = coefficients;
    expect(failure('calibration', { version: 1, coefficients: { 'dw/os': partial } }).pointer).toBe('/coefficients/dw~1os');
    expect(failure('calibration', { version: 1, coefficients: { 'conv/ws': { ...coefficients, steps: -0.5 } } }).pointer).toBe(
      '/coefficients/conv~1ws/steps',
    );
    expect(failure('calibration', { version: 2, coefficients: {} }).message).toContain('expected 1');
  });
});

describe('design schema', () => {
  const network = lowerGenotypeToNetwork(CIFAR22_SPACE, {
    version: 1,
    space: 'cifar22',
    cells: Array.from({ length: 22 }, (_, i) => ({ op: i % 3 === 0 ? 'skip' : 'k3_e3', bits: [4, 6, 8][i % 3] })),
  });
  // (the ZCU102: this network's chunks need about 171k LUT)
  const { design } = exploreAccelerator(network, resolveBoard('zcu102'), { strategy: 'differentiable', samples: 64, seed: 3 });

  it('accepts what exploreAccelerator produces, with or without its explore record', () => {
    expect(validateArtifact<DesignPoint>('design', design, 'd.json')).toBe(design);
    const { explore: _explore, ...plain } = design;
    expect(validateArtifact('design', plain, 'd.json')).toBe(plain);
  });

  it('rejects malformed logits and provenance', () => {
    const badLogits = { ...design, explore: { strategy: 'differentiable', samples: 1, seed: 1, logits: { c: { tileM: ['a'] } } } };
    expect(failure('design', badLogits).pointer).toBe('/explore/logits/c/tileM/0');
    const badTime = { ...design, provenance: { ...design.provenance, createdAt: 'yesterday' } };
    expect(failure('design', badTime).pointer).toBe('/provenance/createdAt');
  });
});

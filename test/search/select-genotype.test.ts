/** Which derived path a search returns when its last epoch left the FPS window. */
import { describe, expect, it } from 'vitest';
import type { SearchEpochRecord } from '../../src/search/context.js';
import { selectGenotype } from '../../src/search/joint.js';

const record = (epoch: number, phase: 'warm-up' | 'joint', accuracy: number, fps: number, genotype: string): SearchEpochRecord => ({
  epoch,
  phase,
  accuracy,
  fps,
  genotype,
  trainLoss: 0,
  archLoss: null,
  lambda: 1,
  temperature: 1,
  entropyAlpha: 0,
  entropyBeta: 0,
  hwSearches: 1,
  seconds: 1,
});
const last = {
  version: 1 as const,
  space: 's',
  cells: [
    { op: 'skip', bits: 4 },
    { op: 'skip', bits: 4 },
  ],
};
const job = { lambda: 0.5, fpsWindow: [16000, 24000] as const };

describe('selectGenotype', () => {
  const epochs = [
    record(0, 'warm-up', 0.7, 20000, 'k3_e1@4 k3_e1@4'),
    record(1, 'joint', 0.8, 18000, 'k3_e3@8 k5_e3@6'),
    record(2, 'joint', 0.82, 30000, 'skip@4 k3_e1@8'),
    record(3, 'joint', 0.79, 23000, 'k3_e1@6 k3_e3@4'),
    record(4, 'joint', 0.81, 26000, 'skip@4 skip@4'),
  ];

  it('keeps the last path when its FPS is inside the window, or when λ is 0', () => {
    const inside = [...epochs.slice(0, 4)];
    expect(selectGenotype(job, inside, last)).toBe(last);
    expect(selectGenotype({ ...job, lambda: 0 }, epochs, last)).toBe(last);
  });

  it('otherwise returns the most accurate joint epoch inside the window (warm-up epochs do not count)', () => {
    expect(selectGenotype(job, epochs, last)).toEqual({
      version: 1,
      space: 's',
      cells: [
        { op: 'k3_e3', bits: 8 },
        { op: 'k5_e3', bits: 6 },
      ],
    });
  });

  it('keeps the last path when no joint epoch was inside', () => {
    expect(selectGenotype({ ...job, fpsWindow: [1000, 2000] }, epochs, last)).toBe(last);
  });
});

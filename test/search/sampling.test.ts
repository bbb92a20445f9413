import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.js';
import { argmax, correctOffsets, entropy, softGumbel, softmax, topK } from '../../src/search/sampling.js';

describe('sampling arithmetic (method.md §4)', () => {
  it('ranks, largest first, ties to the lower index', () => {
    expect(topK([0.1, 0.7, 0.7, -1], 2)).toEqual([1, 2]);
    expect(argmax([3, 9, 1])).toBe(1);
  });

  it('softmax with temperature sums to one and flattens as T grows', () => {
    const cold = softmax([1, 2, 3], 0.5);
    const hot = softmax([1, 2, 3], 5);
    expect(cold.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(hot[2] - hot[0]).toBeLessThan(cold[2] - cold[0]);
    expect(entropy([0, 0, 0])).toBeCloseTo(Math.log(3), 12);
  });

  it('a soft Gumbel sample follows the logits on average', () => {
    const rng = new Rng(7);
    const mean = [0, 0, 0];
    for (let i = 0; i < 4000; i++) softGumbel([0, 1, 2], 1, rng).forEach((p, j) => (mean[j] += p / 4000));
    expect(mean[2]).toBeGreaterThan(mean[1]);
    expect(mean[1]).toBeGreaterThan(mean[0]);
  });

  it("offset correction keeps the active candidates' total probability and every inactive probability", () => {
    const before = [0.2, -0.4, 1.1, 0.3];
    const after = [0.9, -0.4, 0.1, 0.3]; // an arch step moved candidates 0 and 2
    correctOffsets(before, after, [0, 2]);
    const p0 = softmax(before);
    const p1 = softmax(after);
    expect(p1[1]).toBeCloseTo(p0[1], 12);
    expect(p1[3]).toBeCloseTo(p0[3], 12);
    expect(p1[0] + p1[2]).toBeCloseTo(p0[0] + p0[2], 12);
    // the step's preference between the two survives
    expect(p1[0]).toBeGreaterThan(p1[2]);
  });
});

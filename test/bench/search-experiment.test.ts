import { describe, expect, it } from 'vitest';
import { paretoFront } from '../../src/bench/search-experiment.js';

describe('bench:search Pareto front', () => {
  it('keeps the points no other point beats on both accuracy and FPS', () => {
    const points = [
      { name: 'a', accuracy: 0.9, fps: 10 },
      { name: 'b', accuracy: 0.85, fps: 20 },
      { name: 'c', accuracy: 0.84, fps: 15 }, // b beats it on both
      { name: 'd', accuracy: 0.9, fps: 10 }, // ties a: neither dominates
      { name: 'e', accuracy: 0.7, fps: 30 },
    ];
    expect(paretoFront(points)).toEqual(['a', 'b', 'd', 'e']);
  });
});

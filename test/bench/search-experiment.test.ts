/**
 * bench:search's arithmetic: the grid of runs, a method's accuracy at a matched FPS (its most
 * accurate network at least that fast, per seed), the mean ± sd over seeds, and the verdict.
 */
import { describe, expect, it } from 'vitest';
import { accuracyAt, baselinePoints, matchedComparison, type Point, runSpecs, verdictOf } from '../../src/bench/search-experiment.js';
import { validateArtifact } from '../../src/core/schema.js';

const point = (method: Point['method'], window: string | null, seed: number, accuracy: number, fps: number): Point => ({
  name: `${method}-${window}-${seed}`,
  method,
  window,
  seed,
  genotype: '',
  accuracy,
  fps,
  searchSeconds: 0,
  trainSeconds: 0,
});

describe('bench:search', () => {
  it('runs co-search and the fixed accelerator at both windows and accuracy-only once, per seed', () => {
    const specs = runSpecs([1, 2, 3]);
    expect(specs).toHaveLength(15);
    expect(new Set(specs.map((s) => s.name)).size).toBe(15);
    expect(specs.filter((s) => s.method === 'accuracy-only').map((s) => s.flags)).toEqual([
      ['--lambda', '0'],
      ['--lambda', '0'],
      ['--lambda', '0'],
    ]);
    expect(specs.find((s) => s.method === 'fixed-accelerator')?.flags).toContain('once');
  });

  it('a method’s accuracy at an FPS is its most accurate network at least that fast (5 % slack), else none', () => {
    const pts = [
      { accuracy: 0.9, fps: 10000 },
      { accuracy: 0.85, fps: 20000 },
      { accuracy: 0.8, fps: 30000 },
    ];
    expect(accuracyAt(pts, 15000)).toBe(0.85);
    expect(accuracyAt(pts, 20900)).toBe(0.85); // within 5 %
    expect(accuracyAt(pts, 25000)).toBe(0.8);
    expect(accuracyAt(pts, 40000)).toBeUndefined();
    expect(accuracyAt(pts, 5000)).toBe(0.9);
  });

  it('compares at the co-search’s mean FPS per window, with mean ± sd over the seeds that reach it', () => {
    const points = [
      point('co-search', 'w', 1, 0.9, 20000),
      point('co-search', 'w', 2, 0.88, 22000),
      point('fixed-accelerator', 'w', 1, 0.86, 25000),
      point('fixed-accelerator', 'w', 2, 0.87, 15000), // too slow for 21000
      point('accuracy-only', null, 1, 0.92, 10000),
      point('accuracy-only', null, 2, 0.91, 12000),
    ];
    const [m] = matchedComparison(points);
    expect(m.targetFps).toBe(21000);
    // co-search: seed 1's 20000 is within 5 % of 21000, seed 2's 22000 is faster
    expect(m.methods['co-search'].mean).toBeCloseTo(0.89, 12);
    expect(m.methods['co-search'].sd).toBeCloseTo(Math.sqrt(0.0002), 12);
    expect(m.methods['fixed-accelerator']).toEqual({ mean: 0.86, sd: 0, n: 1 });
    expect(m.methods['accuracy-only']).toEqual({ mean: null, sd: null, n: 0 });
    expect(verdictOf([m])).toBe('at 21000 FPS co-search is the most accurate');
    const worse = matchedComparison([...points.slice(0, 2), point('fixed-accelerator', 'w', 1, 0.95, 30000)]);
    expect(verdictOf(worse)).toBe('at 21000 FPS fixed-accelerator beats co-search');
  });

  it('writes every run and each group’s mean ± sd over seeds as baselines the report reads', () => {
    const points = [
      point('co-search', 'w', 1, 0.9, 20000),
      point('co-search', 'w', 2, 0.88, 22000),
      point('accuracy-only', null, 1, 0.92, 10000),
    ];
    const written = baselinePoints(points);
    expect(written).toHaveLength(5);
    expect(written.slice(3)).toEqual([
      expect.objectContaining({ label: 'co-search w, mean ± sd of 2 seeds (bench:search)', fps: 21000, fpsSd: Math.sqrt(2e6), seeds: 2 }),
      { label: 'accuracy-only, mean ± sd of 1 seed (bench:search)', accuracy: 0.92, fps: 10000, accuracySd: 0, fpsSd: 0, seeds: 1 },
    ]);
    expect(written[3].accuracy).toBeCloseTo(0.89, 12);
    expect(written[3].accuracySd).toBeCloseTo(Math.sqrt(0.0002), 12);
    expect(() => validateArtifact('baselines', written, 'baselines.json')).not.toThrow();
  });
});

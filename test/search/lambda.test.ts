/**
 * The λ controller (src/search/lambda.ts) by hand, and on a simulated search whose FPS rises
 * with λ: the adaptive rule settles inside the window, the release's ×2 / ÷2 keeps flipping
 * when the window is narrower than what one doubling of λ moves the FPS.
 */
import { describe, expect, it } from 'vitest';
import { initialLambda, type LambdaRule, type LambdaState, steerLambda } from '../../src/search/lambda.js';

const WINDOW: [number, number] = [16000, 24000];

describe('steerLambda by hand', () => {
  it('release: ×2 below the window, ÷2 above, unchanged inside', () => {
    const s = initialLambda(0.5);
    expect(steerLambda(s, 10000, WINDOW, 'release').value).toBe(1);
    expect(steerLambda(s, 30000, WINDOW, 'release').value).toBe(0.25);
    expect(steerLambda(s, 20000, WINDOW, 'release')).toEqual(s);
  });

  it('adaptive: a step on ln λ that grows ×1.2 while the FPS stays on one side, halves when it crosses, holds inside', () => {
    const h = Math.LN2 / 4;
    let s: LambdaState = initialLambda(0.5);
    s = steerLambda(s, 10000, WINDOW, 'adaptive');
    expect([s.value, s.step, s.side]).toEqual([0.5 * Math.exp(h), h, -1]);
    // below again: the step grows ×1.2
    s = steerLambda(s, 12000, WINDOW, 'adaptive');
    expect(s.step).toBeCloseTo(1.2 * h, 12);
    expect(s.value).toBeCloseTo(0.5 * Math.exp(2.2 * h), 12);
    // crossed to above: it halves, and λ comes down
    s = steerLambda(s, 30000, WINDOW, 'adaptive');
    expect(s.step).toBeCloseTo(0.6 * h, 12);
    expect(s.value).toBeCloseTo(0.5 * Math.exp(1.6 * h), 12);
    // inside: nothing moves, and the side is remembered
    const inside = steerLambda(s, 20000, WINDOW, 'adaptive');
    expect(inside).toEqual(s);
    // above again (the side of the last time outside): grows
    s = steerLambda(inside, 26000, WINDOW, 'adaptive');
    expect(s.step).toBeCloseTo(0.72 * h, 12);
    // it never grows past ln 2 / 2, and λ never leaves λ0/256 … 16·λ0
    for (let i = 0; i < 40; i++) s = steerLambda(s, 40000, WINDOW, 'adaptive');
    expect(s.step).toBeCloseTo(Math.LN2 / 2, 12);
    expect(s.value).toBeCloseTo(0.5 / 256, 12);
    for (let i = 0; i < 80; i++) s = steerLambda(s, 4000, WINDOW, 'adaptive');
    expect(s.value).toBeCloseTo(0.5 * 16, 12);
  });

  it('λ = 0 (accuracy alone) stays 0 under both rules', () => {
    for (const rule of ['adaptive', 'release'] as const) expect(steerLambda(initialLambda(0), 1000, WINDOW, rule).value).toBe(0);
  });
});

describe('on a simulated search (FPS = 20000 · (λ / 1.7)^0.7), 20 moves of λ', () => {
  const fpsOf = (lambda: number) => 20000 * (lambda / 1.7) ** 0.7;
  const run = (rule: LambdaRule, window: [number, number], start: number, epochs = 20) => {
    let s = initialLambda(start);
    const lambdas: number[] = [];
    const fps: number[] = [];
    for (let e = 0; e < epochs; e++) {
      fps.push(fpsOf(s.value));
      s = steerLambda(s, fps[e], window, rule);
      lambdas.push(s.value);
    }
    return { lambdas, fps };
  };

  const narrow: [number, number] = [19000, 21000];
  // the window needs λ ≈ 1.7, inside every start's λ0/256 … 16·λ0
  const STARTS = [0.2, 0.3, 0.9, 4, 20];
  const settled = (r: { lambdas: number[]; fps: number[] }) =>
    r.fps.slice(-3).every((f) => f >= narrow[0] && f <= narrow[1]) &&
    Math.max(...r.lambdas.slice(-3)) / Math.min(...r.lambdas.slice(-3)) < 1.5;

  it.each(STARTS)('adaptive from λ %s settles inside a narrow window; λ moves by less than ×1.5 over the last 3 epochs', (start) => {
    expect(settled(run('adaptive', narrow, start))).toBe(true);
  });

  it('the release rule keeps flipping in that window from some of those starts (one doubling moves the FPS ×1.62)', () => {
    const flipping = STARTS.filter((start) => !settled(run('release', narrow, start)));
    expect(flipping.length).toBeGreaterThan(0);
    // from 0.3 it alternates between 1.2 (15.7k FPS) and 2.4 (25.5k FPS)
    expect(run('release', narrow, 0.3).lambdas.slice(-4)).toEqual([2.4, 1.2, 2.4, 1.2].map((v) => expect.closeTo(v, 9)));
  });
});

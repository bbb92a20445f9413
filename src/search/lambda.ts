/**
 * λ, the weight of the hardware penalty in the arch loss (method.md §5): where it is steered.
 * In: λ's state after an epoch and the derived network's FPS; out: the state for the next
 * epoch. The search holds the state in one place (its loop state, checkpointed with the run).
 * What stays true: λ = 0 stays 0 (a search for accuracy alone), and λ does not move while the
 * FPS is inside the window.
 *
 * Two rules (`--lambda-rule`):
 *  - `release`: the authors' ×2 below the window, ÷2 above it, kept inside — made for 90 joint
 *    epochs of a distribution that sharpens; with few epochs it flips every epoch;
 *  - `adaptive` [ours, default]: a step on log λ toward the window whose size halves whenever
 *    the FPS crosses the window from one side to the other (a bisection on log λ), starting at
 *    log 2 — so it moves as fast as the release while the FPS stays on one side, and settles
 *    once it has bracketed the λ the window needs.
 */

export type LambdaRule = 'adaptive' | 'release';
export const LAMBDA_RULES: readonly LambdaRule[] = ['adaptive', 'release'];

export interface LambdaState {
  readonly value: number;
  /** The current step on ln λ (adaptive). */
  readonly step: number;
  /** Which side of the window the FPS last fell on when it was outside: −1 below, +1 above, 0 not yet. */
  readonly side: -1 | 0 | 1;
}

/** The initial step on ln λ: one doubling. */
const INITIAL_STEP = Math.LN2;
/** The smallest step (a change of about 2 % per epoch): below it λ only holds. */
const MIN_STEP = 0.02;

export function initialLambda(value: number): LambdaState {
  return { value, step: INITIAL_STEP, side: 0 };
}

function sideOf(fps: number, window: readonly [number, number]): -1 | 0 | 1 {
  return fps < window[0] ? -1 : fps > window[1] ? 1 : 0;
}

/** λ's state for the next epoch, after an epoch whose derived network ran at `fps`. */
export function steerLambda(state: LambdaState, fps: number, window: readonly [number, number], rule: LambdaRule): LambdaState {
  const side = sideOf(fps, window);
  if (state.value <= 0 || side === 0) return state;
  if (rule === 'release') return { value: side < 0 ? state.value * 2 : state.value / 2, step: INITIAL_STEP, side };
  // on the other side than the last time outside: the λ the window needs lies between; halve the step
  const crossed = state.side !== 0 && state.side !== side;
  const step = crossed ? Math.max(MIN_STEP, state.step / 2) : state.step;
  // below the window: more hardware pressure (λ up); above: less
  return { value: state.value * Math.exp(-side * step), step, side };
}

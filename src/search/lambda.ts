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
 *  - `adaptive` [ours, default]: sign-based steps on ln λ toward the window (Rprop's rule): the
 *    step grows ×1.5 (to at most ln 2) while the FPS stays on one side, halves each time it
 *    crosses to the other, and nothing moves while it is inside. The search applies it every
 *    `lambdaEvery` arch steps to the derived path's FPS on the current accelerator, not once
 *    an epoch: λ then tracks α as it moves, brackets the λ the window needs and settles.
 */

export type LambdaRule = 'adaptive' | 'release';
export const LAMBDA_RULES: readonly LambdaRule[] = ['adaptive', 'release'];

export interface LambdaState {
  readonly value: number;
  /** The initial λ, which bounds it (adaptive): λ0 / 256 … 16 · λ0. */
  readonly initial: number;
  /** The current step on ln λ (adaptive). */
  readonly step: number;
  /** Which side of the window the FPS last fell on when it was outside: −1 below, +1 above, 0 not yet. */
  readonly side: -1 | 0 | 1;
}

/** The initial step on ln λ (×1.19), its largest (×1.41) and smallest (2 %); its growth while on one side (Rprop's 1.2). */
const INITIAL_STEP = Math.LN2 / 4;
const MAX_STEP = Math.LN2 / 2;
const MIN_STEP = 0.02;
const GROWTH = 1.2;
/** λ stays within [λ0 / FLOOR, λ0 · CEILING]: no wind-up while α cannot follow (a derived path of tied logits, say). */
const FLOOR = 256;
const CEILING = 16;

export function initialLambda(value: number): LambdaState {
  return { value, initial: value, step: INITIAL_STEP, side: 0 };
}

function sideOf(fps: number, window: readonly [number, number]): -1 | 0 | 1 {
  return fps < window[0] ? -1 : fps > window[1] ? 1 : 0;
}

/** λ's state for the next epoch, after an epoch whose derived network ran at `fps`. */
export function steerLambda(state: LambdaState, fps: number, window: readonly [number, number], rule: LambdaRule): LambdaState {
  const side = sideOf(fps, window);
  if (state.value <= 0 || side === 0) return state;
  if (rule === 'release') return { ...state, value: side < 0 ? state.value * 2 : state.value / 2, side };
  // on the other side than the last time outside: the λ the window needs lies between; halve the
  // step. Still on the same side: grow it.
  const crossed = state.side !== 0 && state.side !== side;
  const step = crossed ? Math.max(MIN_STEP, state.step / 2) : state.side === side ? Math.min(MAX_STEP, state.step * GROWTH) : state.step;
  // below the window: more hardware pressure (λ up); above: less
  const value = Math.min(state.initial * CEILING, Math.max(state.initial / FLOOR, state.value * Math.exp(-side * step)));
  return { ...state, value, step, side };
}

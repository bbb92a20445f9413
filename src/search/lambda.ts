/**
 * λ, the weight of the hardware penalty in the arch loss (method.md §5): where it is steered.
 * The search holds the current value in one place (its loop state, checkpointed with the run);
 * it starts at the preset's or the user's value and, after each joint epoch, moves by this rule.
 * λ = 0 stays 0: the search is then for accuracy alone.
 */

/** λ for the next epoch: ×2 when the derived network's FPS is below the window, ÷2 above it, else kept. */
export function steerLambda(lambda: number, fps: number, window: readonly [number, number]): number {
  if (lambda <= 0) return lambda;
  const [lo, hi] = window;
  if (fps < lo) return lambda * 2;
  if (fps > hi) return lambda / 2;
  return lambda;
}

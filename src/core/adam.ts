/**
 * One Adam update in place (Kingma & Ba, with bias correction and ε = 1e-8), shared by the
 * accelerator search's logits (accel/das.ts) and the supernet's architecture parameters
 * (search/context.ts). In: parameters, their gradients, the moment buffers and the step count
 * t ≥ 1. The arithmetic is written once, so both searches update exactly as before.
 */
const ADAM_EPSILON = 1e-8;

export function adamUpdate(
  x: Float32Array | Float64Array,
  g: ArrayLike<number>,
  m: Float64Array,
  v: Float64Array,
  t: number,
  lr: number,
  b1 = 0.9,
  b2 = 0.999,
): void {
  const c1 = 1 - b1 ** t;
  const c2 = 1 - b2 ** t;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i];
    m[i] = b1 * m[i] + (1 - b1) * gi;
    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
    x[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + ADAM_EPSILON);
  }
}

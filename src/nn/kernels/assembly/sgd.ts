/**
 * The optimizer's update over a flat f32 vector — stage: nn (wasm training kernels). In: flat
 * f32 vectors (weights, gradients, velocities) and the SGD settings. Out: Σ x² (`sum_squares`,
 * in f64) and the momentum update (`sgd_momentum`): one call per variable instead of a chain of
 * TF.js elementwise ops, each a separate kernel with its own bookkeeping; the arithmetic is that
 * of optimizer.ts.
 */

/** Σ x², accumulated in f64 per block of four f32x4 lanes. */
export function sum_squares(x: usize, n: i32): f64 {
  let total: f64 = 0;
  const n16 = n & ~15;
  for (let i = 0; i < n16; i += 16) {
    const p = x + (<usize>i << 2);
    const a = v128.load(p);
    const b = v128.load(p, 16);
    const c = v128.load(p, 32);
    const d = v128.load(p, 48);
    const s = f32x4.add(f32x4.add(f32x4.mul(a, a), f32x4.mul(b, b)), f32x4.add(f32x4.mul(c, c), f32x4.mul(d, d)));
    total += <f64>f32x4.extract_lane(s, 0) + <f64>f32x4.extract_lane(s, 1) + <f64>f32x4.extract_lane(s, 2) + <f64>f32x4.extract_lane(s, 3);
  }
  for (let i = n16; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    total += v * v;
  }
  return total;
}

/**
 * SGD with momentum, as the composite in optimizer.ts: g' = g·clip + decay·w;
 * v' = momentum·v + g'; w' = w − lr·v'.
 */
export function sgd_momentum(w: usize, g: usize, v: usize, wOut: usize, vOut: usize, n: i32, clip: f32, decay: f32, momentum: f32, lr: f32): void {
  const clipv = f32x4.splat(clip);
  const decayv = f32x4.splat(decay);
  const mv = f32x4.splat(momentum);
  const lrv = f32x4.splat(lr);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const wi = v128.load(w + o);
    const gi = f32x4.add(f32x4.mul(v128.load(g + o), clipv), f32x4.mul(wi, decayv));
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), mv), gi);
    v128.store(vOut + o, vi);
    v128.store(wOut + o, f32x4.sub(wi, f32x4.mul(vi, lrv)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const wi = load<f32>(w + o);
    const gi = load<f32>(g + o) * clip + wi * decay;
    const vi = load<f32>(v + o) * momentum + gi;
    store<f32>(vOut + o, vi);
    store<f32>(wOut + o, wi - vi * lr);
  }
}

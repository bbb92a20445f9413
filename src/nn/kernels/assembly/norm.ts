/**
 * The fused training op batch norm → activation → activation fake quantisation (src/nn/fused.ts),
 * and the mixed-precision sum of src/nn/mixed.ts — stage: nn (wasm training kernels). In: NHWC data
 * viewed as `rows` rows of C contiguous channels; per-channel vectors (mean, scale, …) as f32
 * arrays of C values. Out: moments, outputs, masks and gradients, written through the pointers.
 * What stays true: channel sums accumulate in f32x4 over blocks of rows, then in f64 totals, so a
 * large batch keeps its precision; rounding is half-to-even (f32x4.nearest), as tf.round.
 * Channels run in blocks of 4 with a scalar tail.
 */

const BLOCK = 32;

/** Four lanes quantised: clip(nearest(z / step), lo, hi)·step. */
@inline function quantiseLanes(z: v128, stepv: v128, lov: v128, hiv: v128): v128 {
  return f32x4.mul(f32x4.min(f32x4.max(f32x4.nearest(f32x4.div(z, stepv)), lov), hiv), stepv);
}

/** Store four lane conditions as four mask bytes (1 where the lane is all ones). */
@inline function storeMask4(at: usize, pass: v128): void {
  const bits = i32x4.bitmask(pass);
  store<u32>(at, (bits & 1) | ((bits & 2) << 7) | ((bits & 4) << 14) | ((bits & 8) << 21));
}

/** Masks are one byte per element: four of them as f32x4 of 0 or 1. */
@inline function maskLanes(m: usize): v128 {
  return f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(m))));
}

/** total[c] += block[c] (f64), block[c] = 0. */
@inline function flush(total: usize, block: usize, C: i32): void {
  for (let c = 0; c < C; c++) {
    const t = total + (<usize>c << 3);
    store<f64>(t, load<f64>(t) + <f64>load<f32>(block + (<usize>c << 2)));
  }
  memory.fill(block, 0, <usize>C << 2);
}

/** lowest[c] = min(lowest[c], x[c]), highest[c] = max(highest[c], x[c]) for one row. */
@inline function extremaRow(row: usize, lowest: usize, highest: usize, C: i32): void {
  const C4 = C & ~3;
  for (let c = 0; c < C4; c += 4) {
    const o = <usize>c << 2;
    const v = v128.load(row + o);
    v128.store(lowest + o, f32x4.min(v128.load(lowest + o), v));
    v128.store(highest + o, f32x4.max(v128.load(highest + o), v));
  }
  for (let c = C4; c < C; c++) {
    const o = <usize>c << 2;
    const v = load<f32>(row + o);
    store<f32>(lowest + o, min<f32>(load<f32>(lowest + o), v));
    store<f32>(highest + o, max<f32>(load<f32>(highest + o), v));
  }
}

/** block[c] += (x[c] − centre[c])^p for one row, p = 1 (centre unused) or 2. */
@inline function accumulateRow(row: usize, block: usize, centre: usize, C: i32, squared: bool): void {
  const C4 = C & ~3;
  for (let c = 0; c < C4; c += 4) {
    const o = <usize>c << 2;
    let v = v128.load(row + o);
    if (squared) {
      v = f32x4.sub(v, v128.load(centre + o));
      v = f32x4.mul(v, v);
    }
    v128.store(block + o, f32x4.add(v128.load(block + o), v));
  }
  for (let c = C4; c < C; c++) {
    const o = <usize>c << 2;
    let v = load<f32>(row + o);
    if (squared) {
      v -= load<f32>(centre + o);
      v *= v;
    }
    store<f32>(block + o, load<f32>(block + o) + v);
  }
}

/**
 * mean[c], biased variance[c], and the smallest and largest value of each channel of x; acc is
 * scratch of 2·C f64, block of C f32.
 */
export function bn_moments(x: usize, rows: i32, C: i32, mean: usize, variance: usize, lowest: usize, highest: usize, acc: usize, block: usize): void {
  const cb = <usize>C << 2;
  const n = <f64>rows;
  const sq = acc + (<usize>C << 3);
  memory.fill(acc, 0, <usize>C << 4);
  memory.fill(block, 0, cb);
  memory.copy(lowest, x, cb);
  memory.copy(highest, x, cb);
  for (let r = 0; r < rows; r++) {
    const row = x + <usize>r * cb;
    accumulateRow(row, block, 0, C, false);
    extremaRow(row, lowest, highest, C);
    if (r % BLOCK == BLOCK - 1) flush(acc, block, C);
  }
  flush(acc, block, C);
  for (let c = 0; c < C; c++) store<f32>(mean + (<usize>c << 2), <f32>(load<f64>(acc + (<usize>c << 3)) / n));
  for (let r = 0; r < rows; r++) {
    accumulateRow(x + <usize>r * cb, block, mean, C, true);
    if (r % BLOCK == BLOCK - 1) flush(sq, block, C);
  }
  flush(sq, block, C);
  for (let c = 0; c < C; c++) store<f32>(variance + (<usize>c << 2), <f32>(load<f64>(sq + (<usize>c << 3)) / n));
}

/** 1 where the gradient passes: the activation is active and z lies in [low, high]. */
@inline function passes(z: f32, low: f32, high: f32, act: i32): bool {
  const active = act == 0 ? true : act == 1 ? z > 0 : z > 0 && z < 6;
  return active && z >= low && z <= high;
}

/**
 * sums[c] = Σ dz, sums[C + c] = Σ dz·(x − mean[c])·inv[c], dz = dy·mask; block is scratch of
 * 2·C f32.
 */
export function bn_grad_sums(dy: usize, x: usize, mask: usize, rows: i32, C: i32, mean: usize, inv: usize, sums: usize, block: usize): void {
  const cb = <usize>C << 2;
  const block2 = block + cb;
  const second = sums + (<usize>C << 3);
  memory.fill(sums, 0, <usize>C << 4);
  memory.fill(block, 0, cb << 1);
  const C4 = C & ~3;
  for (let r = 0; r < rows; r++) {
    const base = <usize>r * <usize>C;
    for (let c = 0; c < C4; c += 4) {
      const o = <usize>c << 2;
      const e = (base << 2) + o;
      const dz = f32x4.mul(v128.load(dy + e), maskLanes(mask + base + <usize>c));
      const xhat = f32x4.mul(f32x4.sub(v128.load(x + e), v128.load(mean + o)), v128.load(inv + o));
      v128.store(block + o, f32x4.add(v128.load(block + o), dz));
      v128.store(block2 + o, f32x4.add(v128.load(block2 + o), f32x4.mul(dz, xhat)));
    }
    for (let c = C4; c < C; c++) {
      const o = <usize>c << 2;
      const e = (base << 2) + o;
      const dz = load<u8>(mask + base + <usize>c) == 0 ? <f32>0 : load<f32>(dy + e);
      const xhat = (load<f32>(x + e) - load<f32>(mean + o)) * load<f32>(inv + o);
      store<f32>(block + o, load<f32>(block + o) + dz);
      store<f32>(block2 + o, load<f32>(block2 + o) + dz * xhat);
    }
    if (r % BLOCK == BLOCK - 1) {
      flush(sums, block, C);
      flush(second, block2, C);
    }
  }
  flush(sums, block, C);
  flush(second, block2, C);
}

/** dx = k[c]·(dz − a[c] − (x − mean[c])·inv[c]·b[c]), dz = dy·mask. */
export function bn_grad_dx(dy: usize, x: usize, mask: usize, dx: usize, rows: i32, C: i32, mean: usize, inv: usize, k: usize, a: usize, b: usize): void {
  const C4 = C & ~3;
  for (let r = 0; r < rows; r++) {
    const base = <usize>r * <usize>C;
    for (let c = 0; c < C4; c += 4) {
      const o = <usize>c << 2;
      const e = (base << 2) + o;
      const dz = f32x4.mul(v128.load(dy + e), maskLanes(mask + base + <usize>c));
      const xhat = f32x4.mul(f32x4.sub(v128.load(x + e), v128.load(mean + o)), v128.load(inv + o));
      const t = f32x4.sub(f32x4.sub(dz, v128.load(a + o)), f32x4.mul(xhat, v128.load(b + o)));
      v128.store(dx + e, f32x4.mul(v128.load(k + o), t));
    }
    for (let c = C4; c < C; c++) {
      const o = <usize>c << 2;
      const e = (base << 2) + o;
      const dz = load<u8>(mask + base + <usize>c) == 0 ? <f32>0 : load<f32>(dy + e);
      const xhat = (load<f32>(x + e) - load<f32>(mean + o)) * load<f32>(inv + o);
      store<f32>(dx + e, load<f32>(k + o) * (dz - load<f32>(a + o) - xhat * load<f32>(b + o)));
    }
  }
}

/** The largest value of x (max |x| when signed) over n floats. */
export function peak_of(x: usize, n: i32, signed: i32): f32 {
  let p4 = f32x4.splat(-Infinity);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    p4 = f32x4.max(p4, signed ? f32x4.abs(v) : v);
  }
  let p: f32 = max<f32>(max<f32>(f32x4.extract_lane(p4, 0), f32x4.extract_lane(p4, 1)), max<f32>(f32x4.extract_lane(p4, 2), f32x4.extract_lane(p4, 3)));
  for (let i = n4; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    p = max<f32>(p, signed ? abs<f32>(v) : v);
  }
  return p;
}

/** dx = dy where mask, else 0, over n floats. */
export function mask_grad(dy: usize, mask: usize, dx: usize, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), maskLanes(mask + <usize>i)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, load<u8>(mask + <usize>i) == 0 ? <f32>0 : load<f32>(dy + o));
  }
}

// ---- Mixed precision (src/nn/mixed.ts): y = Σ_j c_j·Q_j(z) over J levels of one tensor ----
// A level table holds J entries of LEVEL bytes: step, lo, hi and the coefficient c_j, each
// splat over four lanes (the caller writes it into scratch). The sum runs in level order,
// starting from the first product (so one level with c = 1 gives Q(z) bit for bit, −0
// included). Coefficient gradients Σ dy·Q_j(z) are summed in f32x4 per level and flushed into
// f64 totals every FLUSH elements or so.

const LEVEL: usize = 64;
const FLUSH: i32 = 256;

/** One level's quantisation of four lanes: clip(nearest(z / step), lo, hi)·step. */
@inline function levelLanes(z: v128, l: usize): v128 {
  return quantiseLanes(z, v128.load(l), v128.load(l + 16), v128.load(l + 32));
}

/** One level's quantisation of one value (lane 0 of the table). */
@inline function levelScalar(z: f32, l: usize): f32 {
  const step = load<f32>(l);
  return min<f32>(max<f32>(nearest<f32>(z / step), load<f32>(l + 16)), load<f32>(l + 32)) * step;
}

/** Σ_j c_j·Q_j(z) of four lanes. */
@inline function mixLanes(z: v128, levels: usize, J: i32): v128 {
  let acc = f32x4.mul(v128.load(levels + 48), levelLanes(z, levels));
  for (let j = 1; j < J; j++) {
    const l = levels + <usize>j * LEVEL;
    acc = f32x4.add(acc, f32x4.mul(v128.load(l + 48), levelLanes(z, l)));
  }
  return acc;
}

/** Σ_j c_j·Q_j(z) of one value. */
@inline function mixScalar(z: f32, levels: usize, J: i32): f32 {
  let acc: f32 = load<f32>(levels + 48) * levelScalar(z, levels);
  for (let j = 1; j < J; j++) {
    const l = levels + <usize>j * LEVEL;
    acc += load<f32>(l + 48) * levelScalar(z, l);
  }
  return acc;
}

/** block_j += d·Q_j(z) for four lanes, every level (block: J f32x4 accumulators). */
@inline function coefLanes(z: v128, d: v128, levels: usize, J: i32, block: usize): void {
  for (let j = 0; j < J; j++) {
    const b = block + (<usize>j << 4);
    v128.store(b, f32x4.add(v128.load(b), f32x4.mul(d, levelLanes(z, levels + <usize>j * LEVEL))));
  }
}

/** Lane 0 of block_j += d·Q_j(z) for one value, every level. */
@inline function coefScalar(z: f32, d: f32, levels: usize, J: i32, block: usize): void {
  for (let j = 0; j < J; j++) {
    const b = block + (<usize>j << 4);
    store<f32>(b, load<f32>(b) + d * levelScalar(z, levels + <usize>j * LEVEL));
  }
}

/** sums_j (f64) += the four lanes of block_j, block_j = 0. */
@inline function flushLevels(sums: usize, block: usize, J: i32): void {
  for (let j = 0; j < J; j++) {
    const b = block + (<usize>j << 4);
    const s = sums + (<usize>j << 3);
    const v = v128.load(b);
    const t = (<f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1)) + (<f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3));
    store<f64>(s, load<f64>(s) + t);
    v128.store(b, f32x4.splat(0));
  }
}

/**
 * One pass: z = act(x·scale[c] + shift[c]), y = Σ_j c_j·Q_j(z) (J = 0: y = z), and mask = 1
 * where the gradient passes: the activation is active and z ∈ [low, high] (the range of the
 * level with the most bits; J = 0: the caller passes ±∞).
 */
export function bn_apply_mix(x: usize, y: usize, mask: usize, rows: i32, C: i32, scale: usize, shift: usize, act: i32, levels: usize, J: i32, low: f32, high: f32): void {
  const cb = <usize>C << 2;
  const zero = f32x4.splat(0);
  const six = f32x4.splat(6);
  const lowv = f32x4.splat(low);
  const highv = f32x4.splat(high);
  const C4 = C & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * cb;
    const yr = y + <usize>r * cb;
    const mr = mask + <usize>r * <usize>C;
    for (let c = 0; c < C4; c += 4) {
      const o = <usize>c << 2;
      const pre = f32x4.add(f32x4.mul(v128.load(xr + o), v128.load(scale + o)), v128.load(shift + o));
      let z = pre;
      if (act != 0) z = f32x4.max(z, zero);
      if (act == 2) z = f32x4.min(z, six);
      v128.store(yr + o, J == 0 ? z : mixLanes(z, levels, J));
      let pass = v128.and(f32x4.ge(z, lowv), f32x4.le(z, highv));
      if (act != 0) pass = v128.and(pass, f32x4.gt(pre, zero));
      if (act == 2) pass = v128.and(pass, f32x4.lt(pre, six));
      storeMask4(mr + <usize>c, pass);
    }
    for (let c = C4; c < C; c++) {
      const o = <usize>c << 2;
      const pre = load<f32>(xr + o) * load<f32>(scale + o) + load<f32>(shift + o);
      let z = pre;
      if (act != 0) z = max<f32>(z, 0);
      if (act == 2) z = min<f32>(z, 6);
      store<f32>(yr + o, J == 0 ? z : mixScalar(z, levels, J));
      store<u8>(mr + <usize>c, passes(z, low, high, act) ? 1 : 0);
    }
  }
}

/**
 * sums_j (J f64) = Σ dy·Q_j(z) with z = act(x·scale[c] + shift[c]) recomputed as bn_apply_mix
 * does; block is scratch of J f32x4.
 */
export function bn_mix_coef_grad(dy: usize, x: usize, rows: i32, C: i32, scale: usize, shift: usize, act: i32, levels: usize, J: i32, sums: usize, block: usize): void {
  const cb = <usize>C << 2;
  const zero = f32x4.splat(0);
  const six = f32x4.splat(6);
  const C4 = C & ~3;
  const every = max<i32>(1, FLUSH / C);
  memory.fill(sums, 0, <usize>J << 3);
  memory.fill(block, 0, <usize>J << 4);
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * cb;
    const dr = dy + <usize>r * cb;
    for (let c = 0; c < C4; c += 4) {
      const o = <usize>c << 2;
      let z = f32x4.add(f32x4.mul(v128.load(xr + o), v128.load(scale + o)), v128.load(shift + o));
      if (act != 0) z = f32x4.max(z, zero);
      if (act == 2) z = f32x4.min(z, six);
      coefLanes(z, v128.load(dr + o), levels, J, block);
    }
    for (let c = C4; c < C; c++) {
      const o = <usize>c << 2;
      let z = load<f32>(xr + o) * load<f32>(scale + o) + load<f32>(shift + o);
      if (act != 0) z = max<f32>(z, 0);
      if (act == 2) z = min<f32>(z, 6);
      coefScalar(z, load<f32>(dr + o), levels, J, block);
    }
    if (r % every == every - 1) flushLevels(sums, block, J);
  }
  flushLevels(sums, block, J);
}

/** y = Σ_j c_j·Q_j(x) and mask = x ∈ [low, high], over n floats. */
export function mix_quant(x: usize, y: usize, mask: usize, n: i32, levels: usize, J: i32, low: f32, high: f32): void {
  const lowv = f32x4.splat(low);
  const highv = f32x4.splat(high);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const z = v128.load(x + o);
    v128.store(y + o, mixLanes(z, levels, J));
    storeMask4(mask + <usize>i, v128.and(f32x4.ge(z, lowv), f32x4.le(z, highv)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const z = load<f32>(x + o);
    store<f32>(y + o, mixScalar(z, levels, J));
    store<u8>(mask + <usize>i, z >= low && z <= high ? 1 : 0);
  }
}

/** sums_j (J f64) = Σ dy·Q_j(x) over n floats; block is scratch of J f32x4. */
export function mix_coef_grad(dy: usize, x: usize, n: i32, levels: usize, J: i32, sums: usize, block: usize): void {
  memory.fill(sums, 0, <usize>J << 3);
  memory.fill(block, 0, <usize>J << 4);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    coefLanes(v128.load(x + o), v128.load(dy + o), levels, J, block);
    if (i % FLUSH == FLUSH - 4) flushLevels(sums, block, J);
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    coefScalar(load<f32>(x + o), load<f32>(dy + o), levels, J, block);
  }
  flushLevels(sums, block, J);
}

/**
 * SIMD GEMM micro-kernels — stage: nn (wasm training kernels). In: float32 matrices in the TF.js
 * wasm backend's memory, as byte addresses handed in from JS, with their row strides. Out: C (+)=
 * AᵀB (`gemm_atb`) or AB (`gemm_ab`), a 2-D transpose and the flipped filter of a transposed conv.
 * Register tiles are 4 rows × 8 columns (eight v128 accumulators), with 4-column, scalar and
 * single-row tails. What stays true: nothing here allocates, and the module has no static data
 * (see src/nn/wasm-kernels.ts for how that is checked).
 */

// ---------------------------------------------------------------------------------------------
// C[m][n] (+)= Σ_k A[k][m] · B[k][n]        A: K×M (row stride lda), B: K×N (ldb), C: M×N (ldc)
//
// This is xᵀ·dy: the weight gradient of a convolution, with A the (im2col'd) input and B the
// output gradient, both stored pixel-major. `accumulate` = 0 overwrites C, 1 adds to it.
// K is processed in blocks of `kc` rows so the A and B panels stay in cache while every C tile
// visits them.
// ---------------------------------------------------------------------------------------------
export function gemm_atb(
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  M: i32, N: i32, K: i32, accumulate: i32, kc: i32,
): void {
  if (kc <= 0) kc = K;
  for (let k0 = 0; k0 < K; k0 += kc) {
    const kn = min(kc, K - k0);
    const acc = accumulate != 0 || k0 > 0;
    atbBlock(
      a + (<usize>k0 * <usize>lda << 2), lda,
      b + (<usize>k0 * <usize>ldb << 2), ldb,
      c, ldc, M, N, kn, acc,
    );
  }
}

function atbBlock(
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  M: i32, N: i32, K: i32, acc: bool,
): void {
  const sa = <usize>lda << 2;
  const sb = <usize>ldb << 2;
  const sc = <usize>ldc << 2;
  const zero = f32x4.splat(0);
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const c0 = c + <usize>m * sc;
    const c1 = c0 + sc;
    const c2 = c1 + sc;
    const c3 = c2 + sc;
    let n = 0;
    for (; n + 8 <= N; n += 8) {
      const on = <usize>n << 2;
      let x00 = zero, x01 = zero, x10 = zero, x11 = zero;
      let x20 = zero, x21 = zero, x30 = zero, x31 = zero;
      if (acc) {
        x00 = v128.load(c0 + on); x01 = v128.load(c0 + on, 16);
        x10 = v128.load(c1 + on); x11 = v128.load(c1 + on, 16);
        x20 = v128.load(c2 + on); x21 = v128.load(c2 + on, 16);
        x30 = v128.load(c3 + on); x31 = v128.load(c3 + on, 16);
      }
      let pa = a + (<usize>m << 2);
      let pb = b + on;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const a0 = v128.load32_splat(pa);
        x00 = f32x4.add(x00, f32x4.mul(a0, b0));
        x01 = f32x4.add(x01, f32x4.mul(a0, b1));
        const a1 = v128.load32_splat(pa, 4);
        x10 = f32x4.add(x10, f32x4.mul(a1, b0));
        x11 = f32x4.add(x11, f32x4.mul(a1, b1));
        const a2 = v128.load32_splat(pa, 8);
        x20 = f32x4.add(x20, f32x4.mul(a2, b0));
        x21 = f32x4.add(x21, f32x4.mul(a2, b1));
        const a3 = v128.load32_splat(pa, 12);
        x30 = f32x4.add(x30, f32x4.mul(a3, b0));
        x31 = f32x4.add(x31, f32x4.mul(a3, b1));
        pa += sa;
        pb += sb;
      }
      v128.store(c0 + on, x00); v128.store(c0 + on, x01, 16);
      v128.store(c1 + on, x10); v128.store(c1 + on, x11, 16);
      v128.store(c2 + on, x20); v128.store(c2 + on, x21, 16);
      v128.store(c3 + on, x30); v128.store(c3 + on, x31, 16);
    }
    for (; n + 4 <= N; n += 4) {
      const on = <usize>n << 2;
      let x0 = zero, x1 = zero, x2 = zero, x3 = zero;
      if (acc) {
        x0 = v128.load(c0 + on); x1 = v128.load(c1 + on);
        x2 = v128.load(c2 + on); x3 = v128.load(c3 + on);
      }
      let pa = a + (<usize>m << 2);
      let pb = b + on;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(pb);
        x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(pa), b0));
        x1 = f32x4.add(x1, f32x4.mul(v128.load32_splat(pa, 4), b0));
        x2 = f32x4.add(x2, f32x4.mul(v128.load32_splat(pa, 8), b0));
        x3 = f32x4.add(x3, f32x4.mul(v128.load32_splat(pa, 12), b0));
        pa += sa;
        pb += sb;
      }
      v128.store(c0 + on, x0); v128.store(c1 + on, x1);
      v128.store(c2 + on, x2); v128.store(c3 + on, x3);
    }
    for (; n < N; n++) {
      // scalar column tail: the four A values of a row form one vector
      const on = <usize>n << 2;
      let x = zero;
      let pa = a + (<usize>m << 2);
      let pb = b + on;
      for (let k = 0; k < K; k++) {
        x = f32x4.add(x, f32x4.mul(v128.load(pa), v128.load32_splat(pb)));
        pa += sa;
        pb += sb;
      }
      if (acc) {
        x = f32x4.add(x, f32x4(load<f32>(c0 + on), load<f32>(c1 + on), load<f32>(c2 + on), load<f32>(c3 + on)));
      }
      store<f32>(c0 + on, f32x4.extract_lane(x, 0));
      store<f32>(c1 + on, f32x4.extract_lane(x, 1));
      store<f32>(c2 + on, f32x4.extract_lane(x, 2));
      store<f32>(c3 + on, f32x4.extract_lane(x, 3));
    }
  }
  for (; m < M; m++) {
    const c0 = c + <usize>m * sc;
    let n = 0;
    for (; n + 8 <= N; n += 8) {
      const on = <usize>n << 2;
      let x0 = zero, x1 = zero;
      if (acc) { x0 = v128.load(c0 + on); x1 = v128.load(c0 + on, 16); }
      let pa = a + (<usize>m << 2);
      let pb = b + on;
      for (let k = 0; k < K; k++) {
        const a0 = v128.load32_splat(pa);
        x0 = f32x4.add(x0, f32x4.mul(a0, v128.load(pb)));
        x1 = f32x4.add(x1, f32x4.mul(a0, v128.load(pb, 16)));
        pa += sa;
        pb += sb;
      }
      v128.store(c0 + on, x0); v128.store(c0 + on, x1, 16);
    }
    for (; n + 4 <= N; n += 4) {
      const on = <usize>n << 2;
      let x0 = acc ? v128.load(c0 + on) : zero;
      let pa = a + (<usize>m << 2);
      let pb = b + on;
      for (let k = 0; k < K; k++) {
        x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(pa), v128.load(pb)));
        pa += sa;
        pb += sb;
      }
      v128.store(c0 + on, x0);
    }
    for (; n < N; n++) {
      const on = <usize>n << 2;
      let s: f32 = acc ? load<f32>(c0 + on) : 0;
      let pa = a + (<usize>m << 2);
      let pb = b + on;
      for (let k = 0; k < K; k++) {
        s += load<f32>(pa) * load<f32>(pb);
        pa += sa;
        pb += sb;
      }
      store<f32>(c0 + on, s);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// C[m][n] (+)= Σ_k A[m][k] · B[k][n]        A: M×K (row stride lda), B: K×N (ldb), C: M×N (ldc)
//
// This is dy·Wᵀ: the input gradient of a convolution (rows = pixels), with B the transposed
// filter, which is small and stays in cache.
// ---------------------------------------------------------------------------------------------
export function gemm_ab(
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  M: i32, N: i32, K: i32, accumulate: i32,
): void {
  const acc = accumulate != 0;
  const sa = <usize>lda << 2;
  const sb = <usize>ldb << 2;
  const sc = <usize>ldc << 2;
  const zero = f32x4.splat(0);
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const a0p = a + <usize>m * sa;
    const c0 = c + <usize>m * sc;
    const c1 = c0 + sc;
    const c2 = c1 + sc;
    const c3 = c2 + sc;
    let n = 0;
    for (; n + 8 <= N; n += 8) {
      const on = <usize>n << 2;
      let x00 = zero, x01 = zero, x10 = zero, x11 = zero;
      let x20 = zero, x21 = zero, x30 = zero, x31 = zero;
      if (acc) {
        x00 = v128.load(c0 + on); x01 = v128.load(c0 + on, 16);
        x10 = v128.load(c1 + on); x11 = v128.load(c1 + on, 16);
        x20 = v128.load(c2 + on); x21 = v128.load(c2 + on, 16);
        x30 = v128.load(c3 + on); x31 = v128.load(c3 + on, 16);
      }
      let pa = a0p;
      let pb = b + on;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const a0 = v128.load32_splat(pa);
        x00 = f32x4.add(x00, f32x4.mul(a0, b0));
        x01 = f32x4.add(x01, f32x4.mul(a0, b1));
        const a1 = v128.load32_splat(pa + sa);
        x10 = f32x4.add(x10, f32x4.mul(a1, b0));
        x11 = f32x4.add(x11, f32x4.mul(a1, b1));
        const a2 = v128.load32_splat(pa + 2 * sa);
        x20 = f32x4.add(x20, f32x4.mul(a2, b0));
        x21 = f32x4.add(x21, f32x4.mul(a2, b1));
        const a3 = v128.load32_splat(pa + 3 * sa);
        x30 = f32x4.add(x30, f32x4.mul(a3, b0));
        x31 = f32x4.add(x31, f32x4.mul(a3, b1));
        pa += 4;
        pb += sb;
      }
      v128.store(c0 + on, x00); v128.store(c0 + on, x01, 16);
      v128.store(c1 + on, x10); v128.store(c1 + on, x11, 16);
      v128.store(c2 + on, x20); v128.store(c2 + on, x21, 16);
      v128.store(c3 + on, x30); v128.store(c3 + on, x31, 16);
    }
    for (; n + 4 <= N; n += 4) {
      const on = <usize>n << 2;
      let x0 = zero, x1 = zero, x2 = zero, x3 = zero;
      if (acc) {
        x0 = v128.load(c0 + on); x1 = v128.load(c1 + on);
        x2 = v128.load(c2 + on); x3 = v128.load(c3 + on);
      }
      let pa = a0p;
      let pb = b + on;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(pb);
        x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(pa), b0));
        x1 = f32x4.add(x1, f32x4.mul(v128.load32_splat(pa + sa), b0));
        x2 = f32x4.add(x2, f32x4.mul(v128.load32_splat(pa + 2 * sa), b0));
        x3 = f32x4.add(x3, f32x4.mul(v128.load32_splat(pa + 3 * sa), b0));
        pa += 4;
        pb += sb;
      }
      v128.store(c0 + on, x0); v128.store(c1 + on, x1);
      v128.store(c2 + on, x2); v128.store(c3 + on, x3);
    }
    for (; n < N; n++) {
      const on = <usize>n << 2;
      for (let r = 0; r < 4; r++) {
        const cr = c0 + <usize>r * sc + on;
        let s: f32 = acc ? load<f32>(cr) : 0;
        let pa = a0p + <usize>r * sa;
        let pb = b + on;
        for (let k = 0; k < K; k++) {
          s += load<f32>(pa) * load<f32>(pb);
          pa += 4;
          pb += sb;
        }
        store<f32>(cr, s);
      }
    }
  }
  for (; m < M; m++) {
    const a0p = a + <usize>m * sa;
    const c0 = c + <usize>m * sc;
    let n = 0;
    for (; n + 8 <= N; n += 8) {
      const on = <usize>n << 2;
      let x0 = zero, x1 = zero;
      if (acc) { x0 = v128.load(c0 + on); x1 = v128.load(c0 + on, 16); }
      let pa = a0p;
      let pb = b + on;
      for (let k = 0; k < K; k++) {
        const a0 = v128.load32_splat(pa);
        x0 = f32x4.add(x0, f32x4.mul(a0, v128.load(pb)));
        x1 = f32x4.add(x1, f32x4.mul(a0, v128.load(pb, 16)));
        pa += 4;
        pb += sb;
      }
      v128.store(c0 + on, x0); v128.store(c0 + on, x1, 16);
    }
    for (; n + 4 <= N; n += 4) {
      const on = <usize>n << 2;
      let x0 = acc ? v128.load(c0 + on) : zero;
      let pa = a0p;
      let pb = b + on;
      for (let k = 0; k < K; k++) {
        x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(pa), v128.load(pb)));
        pa += 4;
        pb += sb;
      }
      v128.store(c0 + on, x0);
    }
    for (; n < N; n++) {
      const on = <usize>n << 2;
      let s: f32 = acc ? load<f32>(c0 + on) : 0;
      let pa = a0p;
      let pb = b + on;
      for (let k = 0; k < K; k++) {
        s += load<f32>(pa) * load<f32>(pb);
        pa += 4;
        pb += sb;
      }
      store<f32>(c0 + on, s);
    }
  }
}

/** dst[c][r] = src[r][c] for an R×C float matrix (used for small filters). */
export function transpose2d(src: usize, dst: usize, R: i32, C: i32): void {
  for (let r = 0; r < R; r++) {
    const s = src + (<usize>r * <usize>C << 2);
    for (let cc = 0; cc < C; cc++) {
      store<f32>(dst + ((<usize>cc * <usize>R + <usize>r) << 2), load<f32>(s + (<usize>cc << 2)));
    }
  }
}

/**
 * wf[kh][kw][co][ci] = w[KH-1-kh][KW-1-kw][ci][co]: the filter of the stride-1 transposed
 * convolution, so that the input gradient becomes an ordinary convolution of dy.
 */
export function flip_filter(w: usize, wf: usize, KH: i32, KW: i32, Cin: i32, Cout: i32): void {
  const tap = <usize>Cin * <usize>Cout;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const src = w + ((<usize>((KH - 1 - kh) * KW + (KW - 1 - kw)) * tap) << 2);
      const dst = wf + ((<usize>(kh * KW + kw) * tap) << 2);
      transpose2d(src, dst, Cin, Cout);
    }
  }
}

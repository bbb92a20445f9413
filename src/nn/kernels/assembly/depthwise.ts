/**
 * Gradients of an NHWC depthwise convolution with channel multiplier 1 (filter [KH, KW, C, 1],
 * dilation 1) — stage: nn (wasm training kernels). In: x or the filter, and dy. Out: the filter
 * gradient (`dw_bp_filter`) or the input gradient (`dw_bp_input`), written in place. Channels are
 * contiguous, so every inner loop runs over the channels in blocks of 16 (four v128), then 4, then
 * a scalar tail.
 */

/** First and one-past-last output column whose tap kw lands inside the input row. */
@inline function owLow(kw: i32, sw: i32, pl: i32): i32 {
  const t = pl - kw; // need ow·sw ≥ t
  return t <= 0 ? 0 : (t + sw - 1) / sw;
}
@inline function owHigh(kw: i32, sw: i32, pl: i32, W: i32, OW: i32): i32 {
  const t = W - 1 + pl - kw; // need ow·sw ≤ t
  return t < 0 ? 0 : min(OW, t / sw + 1);
}

/**
 * dw[kh][kw][c] = Σ_{b,oh,ow} x[b, oh·sh+kh-pt, ow·sw+kw-pl, c] · dy[b, oh, ow, c]
 *
 * For each output row and tap, a block of channels is accumulated in registers along the row,
 * so dw (KH·KW·C floats, in L1) is loaded and stored once per row and tap.
 */
export function dw_bp_filter(
  x: usize, dy: usize, dw: usize,
  B: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, pt: i32, pl: i32,
): void {
  const cb = <usize>C << 2;
  memory.fill(dw, 0, <usize>(KH * KW) * cb);
  const xStep = <usize>sw * cb;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const dyRow = dy + (<usize>(b * OH + oh) * <usize>OW) * cb;
      for (let kh = 0; kh < KH; kh++) {
        const ih = oh * sh + kh - pt;
        if (ih < 0 || ih >= H) continue;
        const xRow = x + (<usize>(b * H + ih) * <usize>W) * cb;
        for (let kw = 0; kw < KW; kw++) {
          const lo = owLow(kw, sw, pl);
          const hi = owHigh(kw, sw, pl, W, OW);
          if (hi <= lo) continue;
          const dwp = dw + <usize>(kh * KW + kw) * cb;
          const x0 = xRow + <usize>(lo * sw + kw - pl) * cb;
          const d0 = dyRow + <usize>lo * cb;
          let c = 0;
          for (; c + 16 <= C; c += 16) {
            const o = <usize>c << 2;
            let a0 = v128.load(dwp + o), a1 = v128.load(dwp + o, 16);
            let a2 = v128.load(dwp + o, 32), a3 = v128.load(dwp + o, 48);
            let px = x0 + o;
            let pd = d0 + o;
            for (let ow = lo; ow < hi; ow++) {
              a0 = f32x4.add(a0, f32x4.mul(v128.load(px), v128.load(pd)));
              a1 = f32x4.add(a1, f32x4.mul(v128.load(px, 16), v128.load(pd, 16)));
              a2 = f32x4.add(a2, f32x4.mul(v128.load(px, 32), v128.load(pd, 32)));
              a3 = f32x4.add(a3, f32x4.mul(v128.load(px, 48), v128.load(pd, 48)));
              px += xStep;
              pd += cb;
            }
            v128.store(dwp + o, a0); v128.store(dwp + o, a1, 16);
            v128.store(dwp + o, a2, 32); v128.store(dwp + o, a3, 48);
          }
          for (; c + 4 <= C; c += 4) {
            const o = <usize>c << 2;
            let a0 = v128.load(dwp + o);
            let px = x0 + o;
            let pd = d0 + o;
            for (let ow = lo; ow < hi; ow++) {
              a0 = f32x4.add(a0, f32x4.mul(v128.load(px), v128.load(pd)));
              px += xStep;
              pd += cb;
            }
            v128.store(dwp + o, a0);
          }
          for (; c < C; c++) {
            const o = <usize>c << 2;
            let s = load<f32>(dwp + o);
            let px = x0 + o;
            let pd = d0 + o;
            for (let ow = lo; ow < hi; ow++) {
              s += load<f32>(px) * load<f32>(pd);
              px += xStep;
              pd += cb;
            }
            store<f32>(dwp + o, s);
          }
        }
      }
    }
  }
}

/**
 * dx[b, ih, iw, c] = Σ dy[b, oh, ow, c] · w[kh, kw, c] over the taps that read (ih, iw).
 *
 * One input row of dx at a time (it stays in L1): zero it, then for every kernel row kh that
 * maps an output row onto it and every kw, scatter-add dy · w along the row with the filter
 * taps held in registers.
 */
export function dw_bp_input(
  dy: usize, w: usize, dx: usize,
  B: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, pt: i32, pl: i32,
): void {
  const cb = <usize>C << 2;
  const xStep = <usize>sw * cb;
  for (let b = 0; b < B; b++) {
    for (let ih = 0; ih < H; ih++) {
      const dxRow = dx + (<usize>(b * H + ih) * <usize>W) * cb;
      memory.fill(dxRow, 0, <usize>W * cb);
      for (let kh = 0; kh < KH; kh++) {
        const t = ih + pt - kh; // = oh·sh
        if (t < 0) break; // larger kh only makes t smaller
        const oh = t / sh;
        if (oh * sh != t || oh >= OH) continue;
        const dyRow = dy + (<usize>(b * OH + oh) * <usize>OW) * cb;
        for (let kw = 0; kw < KW; kw++) {
          const lo = owLow(kw, sw, pl);
          const hi = owHigh(kw, sw, pl, W, OW);
          if (hi <= lo) continue;
          const wp = w + <usize>(kh * KW + kw) * cb;
          const x0 = dxRow + <usize>(lo * sw + kw - pl) * cb;
          const d0 = dyRow + <usize>lo * cb;
          let c = 0;
          for (; c + 16 <= C; c += 16) {
            const o = <usize>c << 2;
            const w0 = v128.load(wp + o), w1 = v128.load(wp + o, 16);
            const w2 = v128.load(wp + o, 32), w3 = v128.load(wp + o, 48);
            let px = x0 + o;
            let pd = d0 + o;
            for (let ow = lo; ow < hi; ow++) {
              v128.store(px, f32x4.add(v128.load(px), f32x4.mul(v128.load(pd), w0)));
              v128.store(px, f32x4.add(v128.load(px, 16), f32x4.mul(v128.load(pd, 16), w1)), 16);
              v128.store(px, f32x4.add(v128.load(px, 32), f32x4.mul(v128.load(pd, 32), w2)), 32);
              v128.store(px, f32x4.add(v128.load(px, 48), f32x4.mul(v128.load(pd, 48), w3)), 48);
              px += xStep;
              pd += cb;
            }
          }
          for (; c + 4 <= C; c += 4) {
            const o = <usize>c << 2;
            const w0 = v128.load(wp + o);
            let px = x0 + o;
            let pd = d0 + o;
            for (let ow = lo; ow < hi; ow++) {
              v128.store(px, f32x4.add(v128.load(px), f32x4.mul(v128.load(pd), w0)));
              px += xStep;
              pd += cb;
            }
          }
          for (; c < C; c++) {
            const o = <usize>c << 2;
            const w0 = load<f32>(wp + o);
            let px = x0 + o;
            let pd = d0 + o;
            for (let ow = lo; ow < hi; ow++) {
              store<f32>(px, load<f32>(px) + load<f32>(pd) * w0);
              px += xStep;
              pd += cb;
            }
          }
        }
      }
    }
  }
}

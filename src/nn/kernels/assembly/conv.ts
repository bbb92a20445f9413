/**
 * Gradients of a regular NHWC convolution (filter [KH, KW, Cin, Cout], dilation 1) — stage: nn
 * (wasm training kernels). In: x or the transposed filter, dy, a caller-provided scratch buffer of
 * P × KH·KW·Cin floats. Out: the filter gradient (im2col then `gemm_atb`) or the input gradient
 * (`gemm_ab` then col2im). Both walk the output pixels (b, oh, ow flattened, row-major) in chunks
 * of `P`, so no full im2col buffer is ever needed, whatever the batch.
 */
import { gemm_ab, gemm_atb } from './gemm';

@inline function zeroFloats(p: usize, n: usize): void {
  memory.fill(p, 0, n << 2);
}

/** out[i] += in[i] for n floats. */
@inline function addInto(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** Copy n floats; short runs (few input channels) inline instead of calling memory.copy. */
@inline function copyFloats(dst: usize, src: usize, n: i32): void {
  if (n >= 32) {
    memory.copy(dst, src, <usize>n << 2);
    return;
  }
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, v128.load(src + o));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(src + o));
  }
}

/**
 * Fill `col` (np rows × KH·KW·Cin) with the input patches of output pixels p0 … p0+np-1; taps
 * that fall into the padding are zero.
 */
function im2col(
  x: usize, col: usize, p0: i32, np: i32,
  H: i32, W: i32, Cin: i32, OH: i32, OW: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, pt: i32, pl: i32,
): void {
  const rowBytes = <usize>Cin << 2;
  let b = p0 / (OH * OW);
  let rem = p0 - b * OH * OW;
  let oh = rem / OW;
  let ow = rem - oh * OW;
  let dst = col;
  for (let p = 0; p < np; p++) {
    const ih0 = oh * sh - pt;
    const iw0 = ow * sw - pl;
    const xb = x + <usize>b * <usize>H * <usize>W * rowBytes;
    for (let kh = 0; kh < KH; kh++) {
      const ih = ih0 + kh;
      if (ih < 0 || ih >= H) {
        zeroFloats(dst, <usize>(KW * Cin));
        dst += <usize>(KW * Cin) << 2;
        continue;
      }
      const xr = xb + <usize>ih * <usize>W * rowBytes;
      // contiguous run of valid kw: iw0+kw in [0, W)
      const kwLo = max(0, -iw0);
      const kwHi = min(KW, W - iw0);
      if (kwHi <= kwLo) {
        zeroFloats(dst, <usize>(KW * Cin));
      } else {
        if (kwLo > 0) zeroFloats(dst, <usize>(kwLo * Cin));
        copyFloats(
          dst + (<usize>kwLo * rowBytes),
          xr + <usize>(iw0 + kwLo) * rowBytes,
          (kwHi - kwLo) * Cin,
        );
        if (kwHi < KW) zeroFloats(dst + (<usize>kwHi * rowBytes), <usize>((KW - kwHi) * Cin));
      }
      dst += <usize>(KW * Cin) << 2;
    }
    if (++ow == OW) {
      ow = 0;
      if (++oh == OH) { oh = 0; b++; }
    }
  }
}

/**
 * dw[kh][kw][ci][co] = Σ_{b,oh,ow} x[b, oh·sh+kh-pt, ow·sw+kw-pl, ci] · dy[b, oh, ow, co]
 *
 * `scratch` holds P × KH·KW·Cin floats. When the filter is 1×1 with stride 1 and no padding,
 * call `gemm_atb` directly instead (x is its own im2col).
 */
export function conv2d_bp_filter(
  x: usize, dy: usize, dw: usize, scratch: usize, P: i32,
  B: i32, H: i32, W: i32, Cin: i32, OH: i32, OW: i32, Cout: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, pt: i32, pl: i32, kc: i32,
): void {
  const M = KH * KW * Cin;
  const total = B * OH * OW;
  zeroFloats(dw, <usize>M * <usize>Cout);
  for (let p0 = 0; p0 < total; p0 += P) {
    const np = min(P, total - p0);
    im2col(x, scratch, p0, np, H, W, Cin, OH, OW, KH, KW, sh, sw, pt, pl);
    gemm_atb(scratch, M, dy + (<usize>p0 * <usize>Cout << 2), Cout, dw, Cout, M, Cout, np, 1, kc);
  }
}

/**
 * dx[b, ih, iw, ci] = Σ dy[b, oh, ow, co] · w[kh, kw, ci, co] over the (oh, ow, kh, kw) that
 * read (ih, iw) in the forward pass.
 *
 * `wt` is the filter transposed to [Cout][KH·KW·Cin]; `scratch` holds P × KH·KW·Cin floats.
 * For every chunk of output pixels, scratch = dy_chunk · wt (the column gradients), which are
 * then added into dx at the positions im2col would have read them from (col2im).
 */
export function conv2d_bp_input(
  dy: usize, wt: usize, dx: usize, scratch: usize, P: i32,
  B: i32, H: i32, W: i32, Cin: i32, OH: i32, OW: i32, Cout: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, pt: i32, pl: i32,
): void {
  const M = KH * KW * Cin;
  const total = B * OH * OW;
  const rowBytes = <usize>Cin << 2;
  zeroFloats(dx, <usize>B * <usize>H * <usize>W * <usize>Cin);
  for (let p0 = 0; p0 < total; p0 += P) {
    const np = min(P, total - p0);
    gemm_ab(dy + (<usize>p0 * <usize>Cout << 2), Cout, wt, M, scratch, M, np, M, Cout, 0);
    let b = p0 / (OH * OW);
    let rem = p0 - b * OH * OW;
    let oh = rem / OW;
    let ow = rem - oh * OW;
    let src = scratch;
    for (let p = 0; p < np; p++) {
      const ih0 = oh * sh - pt;
      const iw0 = ow * sw - pl;
      const xb = dx + <usize>b * <usize>H * <usize>W * rowBytes;
      const kwLo = max(0, -iw0);
      const kwHi = min(KW, W - iw0);
      for (let kh = 0; kh < KH; kh++) {
        const ih = ih0 + kh;
        if (ih >= 0 && ih < H && kwHi > kwLo) {
          const xr = xb + <usize>ih * <usize>W * rowBytes;
          // the valid taps of one kernel row are one contiguous run in both buffers
          addInto(
            xr + <usize>(iw0 + kwLo) * rowBytes,
            src + <usize>(kh * KW + kwLo) * rowBytes,
            (kwHi - kwLo) * Cin,
          );
        }
      }
      src += <usize>M << 2;
      if (++ow == OW) {
        ow = 0;
        if (++oh == OH) { oh = 0; b++; }
      }
    }
  }
}

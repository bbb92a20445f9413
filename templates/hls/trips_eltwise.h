// trips_eltwise.h — the layers without MACs, which ride on a chunk's output path (docs/quant.md):
// the residual add and the average pool, LANES channels per cycle. The requantisation entries
// come from the chunk's tables at the layer's requantOffset:
//   add:  entries 0 and 1 hold the multipliers of the two inputs, entry 0 the shift;
//   pool: entry n − 1 requantises the sum of an n-pixel window (padding is not counted).
#ifndef TRIPS_ELTWISE_H
#define TRIPS_ELTWISE_H

#include "trips_int.h"

namespace trips {

/** code = clamp(round_shift(a·m0 + b·m1, shift), lo, hi), element by element. */
template <int LANES, typename Act, typename Layer>
void add_layer(Act* mem, const Layer& L, const mul_t* mul, const unsigned char* shift) {
  const int n = L.outH * L.outW * L.outC;
  const wide_t m0 = mul[L.requantOffset];
  const wide_t m1 = mul[L.requantOffset + 1];
  const int s = shift[L.requantOffset];
  for (int i = 0; i < n; i += LANES) {
#pragma HLS PIPELINE II=1
    for (int l = 0; l < LANES; l++) {
#pragma HLS UNROLL
      if (i + l < n) {
        const wide_t v = to_i64(mem[L.inAddr + i + l]) * m0 + to_i64(mem[L.in2Addr + i + l]) * m1;
        mem[L.outAddr + i + l] = (Act)clamp(round_shift(v, s), L.clampLo, L.clampHi);
      }
    }
  }
}

/** Average pool: the window sum requantised by the entry of its pixel count. */
template <int LANES, typename Act, typename Layer>
void pool_layer(Act* mem, const Layer& L, const mul_t* mul, const unsigned char* shift) {
  for (int oy = 0; oy < L.outH; oy++) {
    for (int ox = 0; ox < L.outW; ox++) {
      const int iy0 = oy * L.stride - L.pad;
      const int ix0 = ox * L.stride - L.pad;
      const int y0 = iy0 < 0 ? 0 : iy0;
      const int x0 = ix0 < 0 ? 0 : ix0;
      const int y1 = iy0 + L.kernel < L.inH ? iy0 + L.kernel : L.inH;
      const int x1 = ix0 + L.kernel < L.inW ? ix0 + L.kernel : L.inW;
      const int q = L.requantOffset + (y1 - y0) * (x1 - x0) - 1;
      for (int c0 = 0; c0 < L.outC; c0 += LANES) {
        wide_t sum[LANES];
#pragma HLS ARRAY_PARTITION variable=sum complete
        for (int l = 0; l < LANES; l++) sum[l] = 0;
        for (int iy = y0; iy < y1; iy++) {
          for (int ix = x0; ix < x1; ix++) {
#pragma HLS PIPELINE II=1
            for (int l = 0; l < LANES; l++) {
#pragma HLS UNROLL
              if (c0 + l < L.outC) sum[l] += to_i64(mem[L.inAddr + (iy * L.inW + ix) * L.inC + c0 + l]);
            }
          }
        }
        for (int l = 0; l < LANES; l++) {
#pragma HLS UNROLL
          if (c0 + l < L.outC) {
            mem[L.outAddr + (oy * L.outW + ox) * L.outC + c0 + l] = (Act)clamp(round_shift(sum[l] * mul[q], shift[q]), L.clampLo, L.clampHi);
          }
        }
      }
    }
  }
}

}  // namespace trips

#endif  // TRIPS_ELTWISE_H

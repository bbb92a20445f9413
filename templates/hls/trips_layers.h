// trips_layers.h — reference layer loops of the trips-hw integer model in C++, the arithmetic
// every generated chunk engine computes (docs/quant.md): one image, NHWC int codes in and out.
// A conv layer: acc[c] = Σ x·w over the window (zero padding), then per output channel
// code = clamp(round_shift(acc·m[c] + bias[c], shift[c]), lo, hi), stored at perm[c].
#ifndef TRIPS_LAYERS_H
#define TRIPS_LAYERS_H

#include "trips_int.h"

namespace trips {

struct ConvShape {
  int inH, inW, inC, outH, outW, outC, kernel, stride, pad, groups;
  bool depthwise;
};

/**
 * Weights: conv [outC][kernel][kernel][inC/groups]; depthwise [C][kernel][kernel]. Requant per
 * output channel: multiplier (24-bit), bias (int64, in 2^−shift output codes), shift.
 */
template <typename In, typename W, typename Out>
void conv_layer(const In* x, Out* y, const ConvShape& s, const W* w, const mul_t* mul, const wide_t* bias,
                const int* shift, const int* perm, wide_t lo, wide_t hi) {
  const int inPer = s.depthwise ? 1 : s.inC / s.groups;
  const int outPer = s.depthwise ? 1 : s.outC / s.groups;
  for (int oy = 0; oy < s.outH; oy++) {
    for (int ox = 0; ox < s.outW; ox++) {
      for (int c = 0; c < s.outC; c++) {
        const int g = c / outPer;
        acc_t acc = 0;
        for (int ky = 0; ky < s.kernel; ky++) {
          const int iy = oy * s.stride - s.pad + ky;
          if (iy < 0 || iy >= s.inH) continue;
          for (int kx = 0; kx < s.kernel; kx++) {
            const int ix = ox * s.stride - s.pad + kx;
            if (ix < 0 || ix >= s.inW) continue;
            const In* px = x + (iy * s.inW + ix) * s.inC;
            if (s.depthwise) {
              acc += (acc_t)px[c] * (acc_t)w[(c * s.kernel + ky) * s.kernel + kx];
            } else {
              const W* pw = w + ((c * s.kernel + ky) * s.kernel + kx) * inPer;
              for (int i = 0; i < inPer; i++) acc += (acc_t)px[g * inPer + i] * (acc_t)pw[i];
            }
          }
        }
        y[(oy * s.outW + ox) * s.outC + perm[c]] = (Out)requantise(acc, mul[c], bias[c], shift[c], lo, hi);
      }
    }
  }
}

}  // namespace trips

#endif  // TRIPS_LAYERS_H

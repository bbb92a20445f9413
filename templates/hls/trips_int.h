// trips_int.h — the integer arithmetic of the trips-hw golden model (docs/quant.md), shared by
// every generated HLS project. Under Vivado HLS / Vitis HLS (__SYNTHESIS__, or TRIPS_USE_AP_INT
// for C simulation inside the vendor tool) the integer types are ap_int<W>; with plain g++ they
// are the smallest standard type that holds W bits, so `make csim` needs no vendor headers.
// The rounding rule is the golden model's roundShift (src/quant/arith.ts): round half to even.
// g++ sees the HLS pragmas as unknown: compile with -Wno-unknown-pragmas.
#ifndef TRIPS_INT_H
#define TRIPS_INT_H

#include <stdint.h>

#if defined(__SYNTHESIS__) || defined(TRIPS_USE_AP_INT)
#include <ap_int.h>
namespace trips {
template <int W> struct sint { typedef ap_int<W> type; };
template <int W> struct uint { typedef ap_uint<W> type; };
template <int W> inline long long to_i64(const ap_int<W>& v) { return v.to_int64(); }
}  // namespace trips
#else
namespace trips {
template <bool Fits8, bool Fits16, bool Fits32> struct pick_signed { typedef int64_t type; };
template <bool F16, bool F32> struct pick_signed<true, F16, F32> { typedef int8_t type; };
template <bool F32> struct pick_signed<false, true, F32> { typedef int16_t type; };
template <> struct pick_signed<false, false, true> { typedef int32_t type; };
template <bool Fits8, bool Fits16, bool Fits32> struct pick_unsigned { typedef uint64_t type; };
template <bool F16, bool F32> struct pick_unsigned<true, F16, F32> { typedef uint8_t type; };
template <bool F32> struct pick_unsigned<false, true, F32> { typedef uint16_t type; };
template <> struct pick_unsigned<false, false, true> { typedef uint32_t type; };
/** A signed integer of at least W bits (W ≤ 64). */
template <int W> struct sint { typedef typename pick_signed<(W <= 8), (W <= 16), (W <= 32)>::type type; };
/** An unsigned integer of at least W bits (W ≤ 64). */
template <int W> struct uint { typedef typename pick_unsigned<(W <= 8), (W <= 16), (W <= 32)>::type type; };
}  // namespace trips
#endif

namespace trips {

/** Any integer (standard or ap_int) as a long long, e.g. for printing and hashing. */
template <typename T> inline long long to_i64(T v) { return (long long)v; }

/** Accumulator (signed 32 bits), requantisation multiplier (signed 24), the sum acc·m + c (int64). */
typedef sint<32>::type acc_t;
typedef sint<24>::type mul_t;
typedef int64_t wide_t;

/**
 * round(v / 2^n), half to even, for |v| ≤ 2^53 − 1 and 0 ≤ n ≤ 62: q = v >> n (floor), r the low
 * n bits; q + 1 when r > 2^(n−1), or r = 2^(n−1) and q is odd.
 */
inline wide_t round_shift(wide_t v, int n) {
#pragma HLS INLINE
  if (n == 0) return v;
  const wide_t q = v >> n;
  const wide_t r = v & ((((wide_t)1) << n) - 1);
  const wide_t half = ((wide_t)1) << (n - 1);
  return (r > half || (r == half && (q & 1))) ? q + 1 : q;
}

inline wide_t clamp(wide_t v, wide_t lo, wide_t hi) {
#pragma HLS INLINE
  return v < lo ? lo : (v > hi ? hi : v);
}

/** One output code: clamp(round_shift(acc·m + c, n), lo, hi) — BN and scales folded in m, c, n. */
inline wide_t requantise(wide_t acc, wide_t m, wide_t c, int n, wide_t lo, wide_t hi) {
#pragma HLS INLINE
  return clamp(round_shift(acc * m + c, n), lo, hi);
}

}  // namespace trips

#endif  // TRIPS_INT_H

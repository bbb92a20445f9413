// port_bits.h — bits and 32-bit words of a Verilated port, whether Verilator made it an integer
// (up to 64 bits) or a VlWide, for the testbenches (hw/sim/*.cpp).
#pragma once
#include <cstddef>
#include <cstdint>

#include "verilated.h"

template <class T> uint32_t word32(const T& v, int k) { return (uint32_t)((uint64_t)v >> (32 * k)); }
template <std::size_t N> uint32_t word32(const VlWide<N>& v, int k) { return v[k]; }
template <class T> bool bitOf(const T& v, int j) { return (word32(v, j / 32) >> (j % 32)) & 1; }
template <class T> uint32_t bitsOf(const T& v, int lo, int n) {
  uint32_t r = 0;
  for (int i = 0; i < n; i++) r |= (uint32_t)bitOf(v, lo + i) << i;
  return r;
}
template <class T> void setBit(T& v, int j, bool on) {
  const T mask = (T)((T)1 << j);
  v = on ? (T)(v | mask) : (T)(v & ~mask);
}
template <std::size_t N> void setBit(VlWide<N>& v, int j, bool on) {
  if (on) v[j / 32] |= 1u << (j % 32);
  else v[j / 32] &= ~(1u << (j % 32));
}

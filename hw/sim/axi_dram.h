// axi_dram.h — an AXI4 slave DRAM for Verilator testbenches (docs/rtl.md §8): byte memory, one
// read and one write port of the same data width, and the behaviour a Zynq's PS DDR shows a PL
// master through an HP port:
//   - latency: a read burst's first beat comes `readLatency` cycles after its address is
//     accepted, a write's response `writeLatency` cycles after its last beat;
//   - bandwidth: reads and writes share `bytesPerCycle` (credit, so a fraction is exact, banked
//     for one cycle or one beat at most: an idle port saves nothing up);
//   - outstanding: up to `maxReads` read and `maxWrites` write bursts accepted and unfinished;
//   - stalls: with probability `stall` per cycle each channel holds back (ARREADY, AWREADY,
//     WREADY low; no new R or B beat), from a seeded generator, so runs repeat.
// It checks the master against the protocol — valid held until ready with its payload stable,
// INCR bursts of the port's size, aligned, inside the memory, none across 4 KB, WLAST on each
// burst's last beat — and counts every violation with a message. The top's ports are the AXI
// names with a prefix (m_axi_*), reached through a template, so any top with them can use it;
// with ID ports, each burst is answered with its ID (in order of acceptance, as AXI4 allows).
#pragma once
#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "verilated.h"

namespace axi {

// a signal of any width as bytes (IData, QData, VlWide)
inline void putBytes(uint32_t& s, const uint8_t* b, int n) {
  s = 0;
  for (int i = 0; i < n && i < 4; i++) s |= uint32_t(b[i]) << (8 * i);
}
inline void putBytes(uint64_t& s, const uint8_t* b, int n) {
  s = 0;
  for (int i = 0; i < n && i < 8; i++) s |= uint64_t(b[i]) << (8 * i);
}
template <std::size_t N> void putBytes(VlWide<N>& s, const uint8_t* b, int n) {
  for (std::size_t w = 0; w < N; w++) s[w] = 0;
  for (int i = 0; i < n && i < int(4 * N); i++) s[i / 4] |= uint32_t(b[i]) << (8 * (i % 4));
}
inline uint8_t byteOf(uint64_t s, int i) { return i < 8 ? uint8_t(s >> (8 * i)) : 0; }
template <std::size_t N> uint8_t byteOf(const VlWide<N>& s, int i) { return uint8_t(s[i / 4] >> (8 * (i % 4))); }
inline bool bitOf(uint64_t s, int i) { return i < 64 && ((s >> i) & 1); }
template <std::size_t N> bool bitOf(const VlWide<N>& s, int i) { return (s[i / 32] >> (i % 32)) & 1; }

// whether a top's port carries IDs (m_axi_arid …): the model answers each burst with its ID
template <class T, class = void> struct HasIds : std::false_type {};
template <class T> struct HasIds<T, std::void_t<decltype(std::declval<T&>().m_axi_arid)>> : std::true_type {};

struct Config {
  int dataBytes = 8;
  long readLatency = 40;
  long writeLatency = 20;
  double bytesPerCycle = 8;
  int maxReads = 8;
  int maxWrites = 8;
  double stall = 0;
  uint64_t seed = 1;
};

struct Stats {
  long cycles = 0, readBeats = 0, writeBeats = 0, readBursts = 0, writeBursts = 0;
  long busyCycles = 0;  // cycles with a beat on R or W
};

class Dram {
 public:
  Dram(const Config& c, std::size_t bytes) : cfg(c), mem(bytes, 0), rng(c.seed ? c.seed : 1) {}

  std::vector<uint8_t> mem;
  std::vector<std::string> violations;
  Stats stats;

  // Before the cycle's combinational settle: the slave's outputs for this cycle.
  template <class Top> void drive(Top& t) {
    // a token bucket of one cycle's bandwidth (at least a beat): idle cycles bank nothing more
    credit = std::min(credit + cfg.bytesPerCycle, std::max(cfg.bytesPerCycle, double(cfg.dataBytes)));
    t.m_axi_arready = int(reads.size()) < cfg.maxReads && !roll();
    t.m_axi_awready = int(writes.size()) < cfg.maxWrites && !roll();
    // a W beat is taken once its burst's address is known (AXI4 lets a slave wait for it)
    t.m_axi_wready = wHead() != nullptr && credit >= cfg.dataBytes && !roll();
    if (!rShown && rHead() != nullptr && now >= rHead()->readyAt && credit >= cfg.dataBytes && !roll()) rShown = true;
    t.m_axi_rvalid = rShown;
    if (rShown) {
      Burst& b = *rHead();
      std::vector<uint8_t> beat(cfg.dataBytes);
      for (int i = 0; i < cfg.dataBytes; i++) beat[i] = at(b.addr + uint64_t(b.done) * cfg.dataBytes + i, "R");
      putBytes(t.m_axi_rdata, beat.data(), cfg.dataBytes);
      t.m_axi_rlast = b.done == b.len;
      t.m_axi_rresp = 0;
      if constexpr (HasIds<Top>::value) t.m_axi_rid = b.id;
    } else {
      t.m_axi_rlast = 0;
    }
    if (!bShown && !responses.empty() && now >= responses.front() && !roll()) bShown = true;
    t.m_axi_bvalid = bShown;
    t.m_axi_bresp = 0;
    if constexpr (HasIds<Top>::value)
      if (!writes.empty()) t.m_axi_bid = writes.front().id;
  }

  // After the settle, before the clock edge: the handshakes of this cycle.
  template <class Top> void sample(Top& t) {
    checkHeld(t);
    bool beat = false;
    if (t.m_axi_arvalid && t.m_axi_arready) {
      reads.push_back(address(t.m_axi_araddr, t.m_axi_arlen, t.m_axi_arsize, t.m_axi_arburst, "AR"));
      reads.back().readyAt = now + cfg.readLatency;
      if constexpr (HasIds<Top>::value) reads.back().id = t.m_axi_arid;
      stats.readBursts++;
    }
    if (t.m_axi_awvalid && t.m_axi_awready) {
      writes.push_back(address(t.m_axi_awaddr, t.m_axi_awlen, t.m_axi_awsize, t.m_axi_awburst, "AW"));
      if constexpr (HasIds<Top>::value) writes.back().id = t.m_axi_awid;
      stats.writeBursts++;
    }
    if (rShown && t.m_axi_rready) {
      Burst& b = reads.front();
      rShown = false;
      credit -= cfg.dataBytes;
      stats.readBeats++;
      beat = true;
      if (b.done++ == b.len) reads.pop_front();
    }
    if (t.m_axi_wvalid && t.m_axi_wready) {
      Burst& b = *wHead();
      for (int i = 0; i < cfg.dataBytes; i++)
        if (bitOf(t.m_axi_wstrb, i)) at(b.addr + uint64_t(b.done) * cfg.dataBytes + i, "W") = byteOf(t.m_axi_wdata, i);
      bool last = b.done == b.len;
      if (bool(t.m_axi_wlast) != last) violation("WLAST " + std::to_string(int(t.m_axi_wlast)) + " on beat " + std::to_string(b.done) + " of a burst of " + std::to_string(b.len + 1));
      credit -= cfg.dataBytes;
      stats.writeBeats++;
      beat = true;
      b.done++;
      if (last) {
        wBurst++;
        responses.push_back(now + cfg.writeLatency);
      }
    }
    if (bShown && t.m_axi_bready) {
      bShown = false;
      responses.pop_front();
      writes.pop_front();
      wBurst--;
    }
    if (beat) stats.busyCycles++;
    now++;
    stats.cycles++;
  }

  // reads accepted and not finished, writes accepted and not answered
  bool quiet() const { return reads.empty() && writes.empty(); }

 private:
  struct Burst {
    uint64_t addr = 0;
    long len = 0;  // AXI length: beats − 1
    long done = 0;
    long readyAt = 0;
    long id = 0;
  };
  Config cfg;
  uint64_t rng;
  long now = 0;
  double credit = 0;
  bool rShown = false, bShown = false;
  std::deque<Burst> reads, writes;
  std::deque<long> responses;
  // writes[0 .. wBurst) have all their beats; writes[wBurst] takes the next W beat
  std::size_t wBurst = 0;
  uint8_t dummy = 0;
  // what the master showed last cycle, for the valid-held rule
  struct Held {
    bool valid = false, taken = false;
    uint64_t key = 0;
  } heldAr, heldAw, heldW;

  bool roll() {
    if (cfg.stall <= 0) return false;
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return double(rng % 1000000) / 1e6 < cfg.stall;
  }
  Burst* rHead() { return reads.empty() ? nullptr : &reads.front(); }
  Burst* wHead() { return wBurst < writes.size() ? &writes[wBurst] : nullptr; }
  void violation(const std::string& m) {
    if (violations.size() < 20) violations.push_back("cycle " + std::to_string(now) + ": " + m);
  }
  uint8_t& at(uint64_t a, const char* ch) {
    if (a >= mem.size()) {
      violation(std::string(ch) + " beyond the memory: byte " + std::to_string(a));
      return dummy;
    }
    return mem[a];
  }
  Burst address(uint64_t addr, long len, long size, long burst, const char* ch) {
    std::string c(ch);
    if (burst != 1) violation(c + " burst type " + std::to_string(burst) + ", not INCR");
    if ((1L << size) != cfg.dataBytes) violation(c + " size " + std::to_string(1L << size) + " bytes on a port of " + std::to_string(cfg.dataBytes));
    if (addr % cfg.dataBytes != 0) violation(c + " address " + std::to_string(addr) + " not aligned");
    if (addr % 4096 + uint64_t(len + 1) * cfg.dataBytes > 4096) violation(c + " burst at " + std::to_string(addr) + " of " + std::to_string(len + 1) + " beats crosses 4 KB");
    if (addr + uint64_t(len + 1) * cfg.dataBytes > mem.size()) violation(c + " burst at " + std::to_string(addr) + " beyond the memory");
    Burst b;
    b.addr = addr;
    b.len = len;
    return b;
  }
  template <class Top> void checkHeld(Top& t) {
    uint64_t arId = 0, awId = 0;
    if constexpr (HasIds<Top>::value) {
      arId = uint64_t(t.m_axi_arid) << 48;
      awId = uint64_t(t.m_axi_awid) << 48;
    }
    hold(heldAr, t.m_axi_arvalid, t.m_axi_arready, arId + uint64_t(t.m_axi_araddr) * 256 + t.m_axi_arlen, "ARVALID");
    hold(heldAw, t.m_axi_awvalid, t.m_axi_awready, awId + uint64_t(t.m_axi_awaddr) * 256 + t.m_axi_awlen, "AWVALID");
    uint64_t w = t.m_axi_wlast;
    for (int i = 0; i < cfg.dataBytes; i++) w = w * 1099511628211ULL + byteOf(t.m_axi_wdata, i) + 7 * bitOf(t.m_axi_wstrb, i);
    hold(heldW, t.m_axi_wvalid, t.m_axi_wready, w, "WVALID");
  }
  void hold(Held& h, bool valid, bool ready, uint64_t key, const char* name) {
    if (h.valid && !h.taken) {
      if (!valid) violation(std::string(name) + " dropped before its handshake");
      else if (key != h.key) violation(std::string(name) + "'s payload changed before its handshake");
    }
    h.valid = valid;
    h.taken = valid && ready;
    h.key = key;
  }
};

}  // namespace axi

// axi_share.cpp — drives trips_axi_share (test/rtl/axi.test.ts): K copy engines, each with its
// own random copy commands (sources anywhere in the lower half of the memory, destinations in
// its own slice of the upper half), all at once through trips_axi_arb onto one port served by
// axi::Dram; every byte checked, the protocol checked, each engine's share of the port measured.
//
// usage: axi_share key=value …   K (the top's), bytes, commands, maxBeats, latency, wlatency,
//   bpc, stall, seed
// Prints one JSON object: cycles, beats, per-engine finish cycles, mismatches, violations, hang.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "Vtrips_axi_share.h"
#include "axi_dram.h"
#include "axi_tb.h"
#include "verilated.h"

int main(int argc, char** argv) {
  auto a = tb::args(argc, argv,
                    {{"K", 3}, {"bytes", 8}, {"commands", 20}, {"maxBeats", 300}, {"latency", 40}, {"wlatency", 20},
                     {"bpc", 16}, {"stall", 0}, {"seed", 1}},
                    "axi_share");
  const int K = int(a["K"]), bytes = int(a["bytes"]);
  axi::Config cfg;
  cfg.dataBytes = bytes;
  cfg.readLatency = long(a["latency"]);
  cfg.writeLatency = long(a["wlatency"]);
  cfg.bytesPerCycle = a["bpc"];
  cfg.stall = a["stall"];
  cfg.seed = uint64_t(a["seed"]) * 7919 + 3;
  const std::size_t half = std::size_t(1) << 20, slice = half / K / 4096 * 4096;
  axi::Dram dram(cfg, 2 * half);
  uint64_t rs = uint64_t(a["seed"]) * 104729 + 5;
  for (std::size_t i = 0; i < half; i++) dram.mem[i] = uint8_t(tb::next(rs));
  std::vector<uint8_t> shadow = dram.mem;

  struct Cmd {
    uint32_t src, dst, beats;
  };
  std::vector<std::vector<Cmd>> cmds(K);
  long totalBeats = 0;
  for (int e = 0; e < K; e++)
    for (int i = 0; i < int(a["commands"]); i++) {
      uint32_t beats = 1 + uint32_t(tb::next(rs) % uint64_t(a["maxBeats"]));
      Cmd c{uint32_t(tb::next(rs) % (half / bytes - beats)) * bytes,
            uint32_t(half + e * slice + (tb::next(rs) % (slice / bytes - beats)) * bytes), beats};
      cmds[e].push_back(c);
      totalBeats += beats;
      for (uint32_t k = 0; k < beats * bytes; k++) shadow[c.dst + k] = shadow[c.src + k];
    }

  VerilatedContext ctx;
  Vtrips_axi_share top(&ctx);
  tb::reset(top);
  std::vector<std::size_t> nextRd(K, 0), nextWr(K, 0);
  std::vector<long> lasts(K, 0), finish(K, 0);
  long cycles = 0;
  const long bound = 64 + long((totalBeats + 300L * K * long(a["commands"])) * (1 + 20 * cfg.stall) * (1 + cfg.readLatency) * 2 * bytes / cfg.bytesPerCycle);
  bool hang = false;
  while (true) {
    for (int e = 0; e < K; e++) {
      bool rv = nextRd[e] < cmds[e].size(), wv = nextWr[e] < cmds[e].size();
      top.rdValid = (top.rdValid & ~(1u << e)) | (uint32_t(rv) << e);
      top.wrValid = (top.wrValid & ~(1u << e)) | (uint32_t(wv) << e);
      if (rv) {
        top.rdAddr[e] = cmds[e][nextRd[e]].src;
        top.rdBeats[e] = cmds[e][nextRd[e]].beats;
      }
      if (wv) {
        top.wrAddr[e] = cmds[e][nextWr[e]].dst;
        top.wrBeats[e] = cmds[e][nextWr[e]].beats;
      }
    }
    dram.drive(top);
    top.eval();
    uint32_t rdTaken = top.rdValid & top.rdReady, wrTaken = top.wrValid & top.wrReady;
    bool done = dram.quiet();
    for (int e = 0; e < K; e++) {
      if ((top.lastSeen >> e) & 1) lasts[e]++;
      bool engineDone = nextRd[e] == cmds[e].size() && nextWr[e] == cmds[e].size() && ((top.idle >> e) & 1);
      if (engineDone && finish[e] == 0) finish[e] = cycles;
      done = done && engineDone;
    }
    dram.sample(top);
    if (done) break;
    tb::tick(top);
    for (int e = 0; e < K; e++) {
      if ((rdTaken >> e) & 1) nextRd[e]++;
      if ((wrTaken >> e) & 1) nextWr[e]++;
    }
    if (++cycles > bound) {
      hang = true;
      break;
    }
  }
  long mismatches = 0;
  for (std::size_t i = 0; i < dram.mem.size(); i++) mismatches += dram.mem[i] != shadow[i];
  long lastsTotal = 0;
  for (long l : lasts) lastsTotal += l;
  std::printf("{\"cycles\":%ld,\"beats\":%ld,\"commands\":%ld,\"lasts\":%ld,\"readBeats\":%ld,\"writeBeats\":%ld,\"mismatches\":%ld,"
              "\"err\":%d,\"hang\":%s,\"finish\":[",
              cycles, totalBeats, long(K) * long(a["commands"]), lastsTotal, dram.stats.readBeats, dram.stats.writeBeats, mismatches,
              int(top.err != 0), hang ? "true" : "false");
  for (int e = 0; e < K; e++) std::printf("%s%ld", e ? "," : "", finish[e]);
  std::printf("],");
  tb::printViolations(dram.violations);
  return 0;
}

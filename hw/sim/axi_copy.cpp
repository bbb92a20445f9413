// axi_copy.cpp — drives trips_axi_copy (test/rtl/axi.test.ts): random copy commands through the
// AXI masters against axi::Dram (hw/sim/axi_dram.h), every copied byte checked against a
// shadow copy, the protocol checked by the model, and the port's use measured.
//
// usage: axi_copy key=value …   bytes (the top's DW/8), commands, maxBeats, latency, wlatency,
//   bpc (bytes per cycle), stall, seed, fixed (0: random lengths; n: every command n beats),
//   readOnly (1: reads alone, drained as they come), writeOnly (1: writes alone, of a count of
//   their beats), aligned (1: sources or, writing alone, destinations on 4 KB boundaries)
// Prints one JSON object: cycles, beats, bursts, beatsPerCycle, mismatches, violations, err, hang.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "Vtrips_axi_copy.h"
#include "axi_dram.h"
#include "axi_tb.h"
#include "verilated.h"

int main(int argc, char** argv) {
  auto a = tb::args(argc, argv,
                    {{"bytes", 8},    {"commands", 40}, {"maxBeats", 600}, {"latency", 40},   {"wlatency", 20}, {"bpc", 8},
                     {"stall", 0},    {"seed", 1},      {"fixed", 0},      {"maxReads", 8},   {"readOnly", 0},  {"writeOnly", 0},
                     {"aligned", 0}},
                    "axi_copy");
  const int bytes = int(a["bytes"]);
  axi::Config cfg;
  cfg.dataBytes = bytes;
  cfg.readLatency = long(a["latency"]);
  cfg.writeLatency = long(a["wlatency"]);
  cfg.bytesPerCycle = a["bpc"];
  cfg.stall = a["stall"];
  cfg.seed = uint64_t(a["seed"]) * 7919 + 1;
  cfg.maxReads = int(a["maxReads"]);
  const std::size_t half = std::size_t(1) << 20;
  axi::Dram dram(cfg, 2 * half);
  uint64_t rs = uint64_t(a["seed"]) * 104729 + 17;
  for (std::size_t i = 0; i < half; i++) dram.mem[i] = uint8_t(tb::next(rs));
  std::vector<uint8_t> shadow = dram.mem;

  // the commands: a source in the lower half, a destination in the upper, word-aligned
  struct Cmd {
    uint32_t src, dst, beats;
  };
  std::vector<Cmd> cmds;
  long totalBeats = 0;
  for (int i = 0; i < int(a["commands"]); i++) {
    uint32_t beats = a["fixed"] > 0 ? uint32_t(a["fixed"]) : 1 + uint32_t(tb::next(rs) % uint64_t(a["maxBeats"]));
    uint64_t words = half / bytes - beats;
    Cmd c{uint32_t(tb::next(rs) % words) * bytes, uint32_t(half + (tb::next(rs) % words) * bytes), beats};
    if (a["aligned"] > 0) c.src = uint32_t(tb::next(rs) % ((half - uint64_t(beats) * bytes) / 4096 + 1)) * 4096;
    if (a["readOnly"] > 0) {
      cmds.push_back(c);
      totalBeats += beats;
      continue;
    }
    if (a["writeOnly"] > 0) {
      if (a["aligned"] > 0) c.dst = uint32_t(half + tb::next(rs) % ((half - uint64_t(beats) * bytes) / 4096 + 1) * 4096);
      // beat k of the whole run carries k, little-endian, in every 8 bytes
      for (uint32_t k = 0; k < beats; k++)
        for (int b = 0; b < bytes; b++) shadow[c.dst + uint64_t(k) * bytes + b] = uint8_t(uint64_t(totalBeats + k) >> (8 * (b % 8)));
      cmds.push_back(c);
      totalBeats += beats;
      continue;
    }
    cmds.push_back(c);
    totalBeats += beats;
    for (uint32_t k = 0; k < beats * bytes; k++) shadow[c.dst + k] = shadow[c.src + k];
  }

  VerilatedContext ctx;
  Vtrips_axi_copy top(&ctx);
  tb::reset(top);
  const bool readOnly = a["readOnly"] > 0;
  const bool writeOnly = a["writeOnly"] > 0;
  top.sink = readOnly;
  top.source = writeOnly;
  std::size_t nextRd = writeOnly ? cmds.size() : 0, nextWr = readOnly ? cmds.size() : 0;
  long lasts = 0, cycles = 0;
  const long bound = 64 + long((totalBeats + 300 * long(cmds.size())) * (1 + 20 * cfg.stall) * (1 + cfg.readLatency) * double(bytes) / cfg.bytesPerCycle);
  bool hang = false;
  while (true) {
    top.rdValid = nextRd < cmds.size();
    top.wrValid = nextWr < cmds.size();
    if (top.rdValid) {
      top.rdAddr = cmds[nextRd].src;
      top.rdBeats = cmds[nextRd].beats;
    }
    if (top.wrValid) {
      top.wrAddr = cmds[nextWr].dst;
      top.wrBeats = cmds[nextWr].beats;
    }
    dram.drive(top);
    top.eval();
    bool rdTaken = top.rdValid && top.rdReady, wrTaken = top.wrValid && top.wrReady;
    if (top.lastSeen) lasts++;
    bool done = nextRd == cmds.size() && nextWr == cmds.size() && top.idle && dram.quiet();
    dram.sample(top);
    if (done) break;
    tb::tick(top);
    if (rdTaken) nextRd++;
    if (wrTaken) nextWr++;
    if (++cycles > bound) {
      hang = true;
      break;
    }
  }
  long mismatches = 0;
  for (std::size_t i = 0; i < dram.mem.size(); i++) mismatches += dram.mem[i] != shadow[i];
  std::printf("{\"cycles\":%ld,\"beats\":%ld,\"commands\":%zu,\"lasts\":%ld,\"readBeats\":%ld,\"writeBeats\":%ld,"
              "\"readBursts\":%ld,\"writeBursts\":%ld,\"beatsPerCycle\":%.4f,\"mismatches\":%ld,\"err\":%d,\"hang\":%s,",
              cycles, totalBeats, cmds.size(), lasts, dram.stats.readBeats, dram.stats.writeBeats, dram.stats.readBursts,
              dram.stats.writeBursts, double(dram.stats.readBeats) / double(cycles ? cycles : 1), mismatches, int(top.err),
              hang ? "true" : "false");
  tb::printViolations(dram.violations);
  return 0;
}

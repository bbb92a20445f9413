// harness.cpp — Verilator co-simulation harness of one trips-hw chunk engine (docs/rtl.md).
// It plays the host and the DRAM: loads the layer program into the engine's program RAM,
// serves the engine's DRAM port every cycle (word-addressed spaces: arena, weights, bias,
// multiplier/shift, permutation, scores), and around every layer: poisons the layer's output
// words when it starts, dumps them when it is done, then restores the golden words so the next
// layer reads golden inputs (a mismatch stays local to its layer). A layer that runs past its
// liveness bound is reported as a hang.
//
// usage: harness JOB OUT   (JOB: the text job file written by src/sim; OUT: JSON lines)
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "Vtrips_chunk.h"
#include "lane_dram.h"
#include "port_bits.h"
#include "verilated.h"

namespace {

const int64_t POISON = INT64_C(0x5a5a5a5a5a5a);

struct Layer {
  long id, outAddr, words, raw, maxCycles;
};

[[noreturn]] void fail(const std::string& message, int code) {
  std::fprintf(stderr, "harness: %s\n", message.c_str());
  std::exit(code);
}

struct Job {
  long lanes = 0;
  DramSpec dram;
  std::vector<uint32_t> program;
  std::vector<std::vector<int64_t>> space = std::vector<std::vector<int64_t>>(8);
  std::vector<Layer> layers;
};

Job readJob(const char* file) {
  std::ifstream in(file);
  if (!in) fail(std::string("cannot read ") + file, 2);
  Job job;
  std::string key;
  while (in >> key) {
    if (key == "lanes") {
      in >> job.lanes;
    } else if (key == "dram") {
      in >> job.dram.latency >> job.dram.stall >> job.dram.seed >> job.dram.bandwidth;
    } else if (key == "program") {
      long n;
      in >> n;
      job.program.resize(n);
      for (auto& w : job.program) in >> std::hex >> w >> std::dec;
    } else if (key == "space") {
      long id, n;
      in >> id >> n;
      if (id < 0 || id >= 8) fail("bad space", 2);
      job.space[id].resize(n);
      for (auto& v : job.space[id]) in >> v;
    } else if (key == "layer") {
      Layer l;
      in >> l.id >> l.outAddr >> l.words >> l.raw >> l.maxCycles;
      job.layers.push_back(l);
    } else {
      fail("unknown job key " + key, 2);
    }
  }
  if (job.lanes <= 0 || job.program.empty()) fail("job without lanes or program", 2);
  return job;
}

void tick(Vtrips_chunk& top) {
  top.clk = 1;
  top.eval();
  top.clk = 0;
  top.eval();
}

/** Reset, write the program RAM through the host port, pulse start. */
void boot(Vtrips_chunk& top, const std::vector<uint32_t>& program) {
  top.clk = 0;
  top.rst_n = 0;
  top.start = 0;
  top.progWe = 0;
  top.layerGo = 1;  // stand-alone: every layer runs when its descriptor is loaded
  top.layerSkip = 0;
  top.eval();
  tick(top);
  top.rst_n = 1;
  top.eval();
  for (std::size_t i = 0; i < program.size(); i++) {
    top.progWe = 1;
    top.progAddr = (uint32_t)i;
    top.progData = program[i];
    tick(top);
  }
  top.progWe = 0;
  top.start = 1;
  tick(top);
  top.start = 0;
  top.eval();
}

/** One cycle of the DRAM port: a write word, a read request taken, the oldest answer due. */
void servePort(Vtrips_chunk& top, Job& job, LaneDram& dram, Bandwidth& bandwidth, uint64_t cycle) {
  bandwidth.beginCycle();
  top.memRvalid = 0;
  top.memReady = dram.beginCycle(cycle) && bandwidth.open();
  top.eval();
  auto& mem = job.space[top.memSpace];
  auto at = [&](int j) -> int64_t& {
    const uint32_t addr = top.memAddr[j];
    if (addr >= mem.size()) fail("address " + std::to_string(addr) + " outside space " + std::to_string(top.memSpace), 3);
    return mem[addr];
  };
  if (top.memWe) {
    for (int j = 0; j < job.lanes; j++) {
      if (!bitOf(top.memValid, j)) continue;
      at(j) = (int64_t)(((uint64_t)top.memWdata[2 * j + 1] << 32) | top.memWdata[2 * j]);
      bandwidth.spend(top.memBits);
    }
  } else if (top.memReq && top.memReady) {
    std::vector<int64_t> values(job.lanes, 0);
    for (int j = 0; j < job.lanes; j++) {
      if (!bitOf(top.memValid, j)) continue;
      values[j] = at(j);
      bandwidth.spend(top.memBits);
    }
    dram.request(std::move(values));
  }
  std::vector<int64_t> answer;
  if (dram.answer(answer)) {
    for (int j = 0; j < job.lanes; j++) {
      top.memRdata[2 * j] = (uint32_t)answer[j];
      top.memRdata[2 * j + 1] = (uint32_t)((uint64_t)answer[j] >> 32);
    }
    top.memRvalid = 1;
    top.eval();
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) fail("usage: harness JOB OUT", 2);
  Job job = readJob(argv[1]);
  const std::vector<int64_t> golden = job.space[0];
  std::ofstream out(argv[2]);
  VerilatedContext ctx;
  Vtrips_chunk top(&ctx);
  boot(top, job.program);
  LaneDram dram(job.dram, 0);
  Bandwidth bandwidth(job.dram.bandwidth);

  const auto wall0 = std::chrono::steady_clock::now();
  std::size_t next = 0;
  uint64_t startCycle = 0, simCycles = 0;
  bool inLayer = false;
  auto region = [&](const Layer& l) -> std::vector<int64_t>& { return job.space[l.raw ? 6 : 0]; };
  while (!top.finished) {
    if (top.layerStart) {
      // poison the outputs: a word the layer never writes cannot pass as golden
      if (next >= job.layers.size()) fail("engine started more layers than the program holds", 3);
      const Layer& l = job.layers[next];
      for (long i = 0; i < l.words; i++) region(l).at(l.outAddr + i) = POISON;
      startCycle = top.cycles;
      inLayer = true;
    }
    if (inLayer && top.cycles - startCycle > (uint64_t)job.layers[next].maxCycles) {
      out << "{\"hang\":" << job.layers[next].id << ",\"cycles\":" << (top.cycles - startCycle) << "}\n";
      out.flush();
      fail("layer " + std::to_string(job.layers[next].id) + " hangs: no done within its liveness bound", 3);
    }
    servePort(top, job, dram, bandwidth, simCycles);
    if (top.layerDone) {
      // dump the outputs, then restore the golden words the next layers read
      const Layer& l = job.layers.at(next);
      out << "{\"layer\":" << top.layerId << ",\"start\":" << startCycle << ",\"done\":" << top.cycles << ",\"words\":[";
      for (long i = 0; i < l.words; i++) out << (i ? "," : "") << region(l).at(l.outAddr + i);
      out << "]}\n";
      if (!l.raw)
        for (long i = 0; i < l.words; i++) region(l)[l.outAddr + i] = golden[l.outAddr + i];
      next++;
      inLayer = false;
    }
    tick(top);
    simCycles++;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  out << "{\"finished\":true,\"cycles\":" << simCycles << ",\"wallSeconds\":" << wall << "}\n";
  top.final();
  return 0;
}

// axil_ctrl.cpp — drives trips_axil_ctrl (test/rtl/axi.test.ts) as a host would, through an
// AXI4-Lite master whose address and data go in every order (together, address first, data
// first) with random gaps and random BREADY / RREADY delays, while a stand-in system runs the
// images it is started on. Checks the register map of docs/rtl.md §8 and prints one JSON object:
// {"checks": n, "failures": [...], "startPulses": n, "runCycles": n}.
//
// usage: axil_ctrl SEED   (the top built with -GNLAYERS=5)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "Vtrips_axil_ctrl.h"
#include "verilated.h"

namespace {

const int NLAYERS = 5;
Vtrips_axil_ctrl* top;
uint64_t rng = 1;
long checks = 0;
std::vector<std::string> failures;
// the stand-in system
long startPulses = 0, runCycles = 0, imagesLeft = 0, gap = 0;
uint32_t imagesAsked = 0;

uint64_t rnd(uint64_t n) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng % n;
}

void expectEq(const std::string& what, uint64_t got, uint64_t want) {
  checks++;
  if (got != want && failures.size() < 20)
    failures.push_back(what + ": read " + std::to_string(got) + ", expected " + std::to_string(want));
}

// one clock cycle, with the system stand-in reacting to what the registers show
void cycle() {
  top->eval();
  top->imageDone = 0;
  top->runDone = 0;
  if (top->start) {
    startPulses++;
    imagesAsked = top->images;
    imagesLeft = top->images;
    gap = 0;
  }
  if (top->busy) {
    runCycles++;
    if (++gap == 37) {
      gap = 0;
      top->imageDone = 1;
      if (--imagesLeft == 0) top->runDone = 1;
    }
  }
  top->clk = 1;
  top->eval();
  top->clk = 0;
  top->eval();
  if (top->runDone) top->busy = 0;
  if (startPulses > 0 && imagesLeft > 0) top->busy = 1;
}

uint32_t write(uint32_t addr, uint32_t data, uint32_t strb = 0xf) {
  int order = int(rnd(3));
  long lag = long(rnd(4));
  bool aw = false, w = false;
  long t = 0;
  while (!aw || !w) {
    top->s_axil_awvalid = !aw && (order != 2 || t >= lag);
    top->s_axil_awaddr = addr;
    top->s_axil_wvalid = !w && (order != 1 || t >= lag);
    top->s_axil_wdata = data;
    top->s_axil_wstrb = strb;
    top->s_axil_bready = 0;
    top->eval();
    bool awHs = top->s_axil_awvalid && top->s_axil_awready, wHs = top->s_axil_wvalid && top->s_axil_wready;
    cycle();
    aw = aw || awHs;
    w = w || wHs;
    if (++t > 100) {
      failures.push_back("write address or data not taken");
      return 3;
    }
  }
  top->s_axil_awvalid = 0;
  top->s_axil_wvalid = 0;
  long delay = long(rnd(3));
  for (long i = 0;; i++) {
    top->s_axil_bready = i >= delay;
    top->eval();
    if (top->s_axil_bvalid && top->s_axil_bready) {
      uint32_t resp = top->s_axil_bresp;
      cycle();
      top->s_axil_bready = 0;
      return resp;
    }
    cycle();
    if (i > 100) {
      failures.push_back("no write response");
      return 3;
    }
  }
}

uint32_t read(uint32_t addr, uint32_t* resp = nullptr) {
  long lag = long(rnd(3));
  for (long i = 0;; i++) {
    top->s_axil_arvalid = i >= lag;
    top->s_axil_araddr = addr;
    top->eval();
    bool hs = top->s_axil_arvalid && top->s_axil_arready;
    cycle();
    if (hs) break;
    if (i > 100) {
      failures.push_back("read address not taken");
      return 0;
    }
  }
  top->s_axil_arvalid = 0;
  long delay = long(rnd(3));
  for (long i = 0;; i++) {
    top->s_axil_rready = i >= delay;
    top->eval();
    if (top->s_axil_rvalid && top->s_axil_rready) {
      uint32_t d = top->s_axil_rdata;
      if (resp) *resp = top->s_axil_rresp;
      cycle();
      top->s_axil_rready = 0;
      return d;
    }
    cycle();
    if (i > 100) {
      failures.push_back("no read data");
      return 0;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  rng = argc > 1 ? std::strtoull(argv[1], nullptr, 10) * 2654435761ULL + 1 : 1;
  VerilatedContext ctx;
  top = new Vtrips_axil_ctrl(&ctx);
  top->rst_n = 0;
  for (int i = 0; i < 3; i++) cycle();
  top->rst_n = 1;
  for (int k = 0; k < NLAYERS; k++) top->layerCycles[k] = 1000 + 11 * k;
  uint32_t r;

  expectEq("ID", read(0x000), 0x54524950);
  expectEq("VERSION", read(0x004), 1);
  expectEq("DESIGN", read(0x008), 0x1234abcd);
  expectEq("LAYERS", read(0x034), NLAYERS);
  expectEq("IMAGES after reset", read(0x014), 1);
  for (int k = 0; k < NLAYERS; k++) expectEq("LAYER_CYCLES[" + std::to_string(k) + "]", read(0x100 + 4 * k), 1000 + 11 * k);
  // writable registers, whole and by byte strobe
  expectEq("write ARENA_BASE", write(0x028, 0x10000000), 0);
  expectEq("write WEIGHT_BASE", write(0x02c, 0x20000000), 0);
  expectEq("write SCORE_BASE", write(0x030, 0x30000000), 0);
  expectEq("ARENA_BASE", read(0x028), 0x10000000);
  expectEq("write WEIGHT_BASE byte 1", write(0x02c, 0x0000ab00, 0x2), 0);
  expectEq("WEIGHT_BASE after a strobed write", read(0x02c), 0x2000ab00);
  expectEq("SCORE_BASE", read(0x030), 0x30000000);
  // what is refused: read-only, outside the map, not word-aligned
  expectEq("write STATUS (read-only)", write(0x010, 7), 2);
  expectEq("write beyond the map", write(0x0f0, 7), 2);
  expectEq("write unaligned", write(0x029, 7), 2);
  expectEq("ARENA_BASE unchanged", read(0x028), 0x10000000);
  read(0x0f0, &r);
  expectEq("read beyond the map: SLVERR", r, 2);
  read(0x100 + 4 * NLAYERS, &r);
  expectEq("read past the last layer: SLVERR", r, 2);
  read(0x002, &r);
  expectEq("read unaligned: SLVERR", r, 2);
  // a run of 8 images
  expectEq("write IMAGES", write(0x014, 8), 0);
  expectEq("STATUS idle", read(0x010), 0);
  expectEq("write CTRL start", write(0x00c, 1), 0);
  expectEq("STATUS busy", read(0x010) & 1, 1);
  expectEq("START while busy (ignored)", write(0x00c, 1), 0);
  expectEq("write INPUTS", write(0x038, 3), 0);
  expectEq("INPUTS", read(0x038), 3);
  for (int i = 0; i < 2000 && (read(0x010) & 2) == 0; i++) {
  }
  expectEq("STATUS done", read(0x010), 2);
  expectEq("IMAGES_DONE", read(0x018), 8);
  expectEq("images the system was asked for", imagesAsked, 8);
  expectEq("start pulses", startPulses, 1);
  expectEq("CYCLES_LO", read(0x01c), uint32_t(runCycles));
  expectEq("CYCLES_HI", read(0x020), 0);
  // an error: sticky with its code until CLEAR
  top->errorCode = 0xdead;
  top->error = 1;
  cycle();
  top->error = 0;
  top->errorCode = 0xbeef;
  top->error = 1;
  cycle();
  top->error = 0;
  expectEq("STATUS error", read(0x010), 6);
  expectEq("ERROR code (the first)", read(0x024), 0xdead);
  expectEq("write CTRL clear", write(0x00c, 2), 0);
  expectEq("STATUS cleared", read(0x010), 0);
  expectEq("ERROR cleared", read(0x024), 0);
  // a second run restarts the counters
  expectEq("write IMAGES", write(0x014, 2), 0);
  runCycles = 0;
  expectEq("write CTRL start", write(0x00c, 1), 0);
  for (int i = 0; i < 2000 && (read(0x010) & 2) == 0; i++) {
  }
  expectEq("IMAGES_DONE of the second run", read(0x018), 2);
  expectEq("INPUTS after the second START", read(0x038), 0);
  expectEq("CYCLES_LO of the second run", read(0x01c), uint32_t(runCycles));
  expectEq("start pulses", startPulses, 2);

  std::printf("{\"checks\":%ld,\"startPulses\":%ld,\"runCycles\":%ld,\"failures\":[", checks, startPulses, runCycles);
  for (std::size_t i = 0; i < failures.size(); i++) std::printf("%s\"%s\"", i ? "," : "", failures[i].c_str());
  std::printf("]}\n");
  delete top;
  return 0;
}

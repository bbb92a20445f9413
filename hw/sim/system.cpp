// system.cpp — Verilator testbench of a whole trips_accel system top (docs/rtl.md §9): every
// chunk at once, K images streamed back to back. It plays the host — writes each chunk's layer
// program, then over AXI4-Lite (the control registers, docs/rtl.md §8) IMAGES and START; writes
// image j's input into its DRAM slot once IMAGES_DONE says the image that used the slot before is
// done (and poisons the rest of the slot, so no word of an earlier image can pass as a result) and
// rings INPUTS; at the end reads STATUS, IMAGES_DONE, CYCLES and every LAYER_CYCLES — and the
// DRAM: every chunk's lane port
// served every cycle from one memory (arena and scores shared, a ring of image slots; each
// chunk's weights and tables its own). Every layer of every image is compared word for word
// with the golden model when the layer is done; per-cycle accounting of every chunk (running,
// waiting for an input, between passes); a deadlock (no chunk can move for a while) or a run past
// the liveness bound is reported with the state of every chunk.
//
// usage: system JOB OUT   (JOB: the text job file written by src/sim/system.ts; OUT: JSON lines)
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "Vtrips_accel.h"
#include "lane_dram.h"
#include "port_bits.h"
#include "verilated.h"

namespace {

const int64_t POISON = INT64_C(0x5a5a5a5a5a5a);
// cycles with every running chunk waiting and nothing the host can do: a deadlock
const uint64_t STUCK_CYCLES = 20000;

[[noreturn]] void fail(const std::string& message, int code) {
  std::fprintf(stderr, "system: %s\n", message.c_str());
  std::exit(code);
}

struct Layer {
  long chunk, outAddr, words, raw;
  std::vector<std::vector<int64_t>> golden;  // [golden image][word]
};

struct Job {
  long chunks = 0, lmax = 0, images = 0, slots = 0, slotWords = 0, scoreWords = 0, maxCycles = 0;
  DramSpec dram;
  long inputAddr = 0, goldenImages = 0;
  std::vector<std::vector<uint32_t>> program;
  // per chunk: spaces 1 (weights), 2 (bias), 3 (multiplier|shift), 5 (perm)
  std::vector<std::vector<std::vector<int64_t>>> params;
  std::vector<std::vector<int64_t>> input;  // [golden image][word]
  std::vector<Layer> layers;
};

Job readJob(const char* file) {
  std::ifstream in(file);
  if (!in) fail(std::string("cannot read ") + file, 2);
  Job job;
  std::string key;
  auto values = [&](std::vector<int64_t>& v) {
    long n;
    in >> n;
    v.resize(n);
    for (auto& x : v) in >> x;
  };
  while (in >> key) {
    if (key == "system") {
      in >> job.chunks >> job.lmax >> job.images >> job.slots >> job.slotWords >> job.scoreWords >> job.maxCycles;
      job.program.resize(job.chunks);
      job.params.assign(job.chunks, std::vector<std::vector<int64_t>>(8));
    } else if (key == "dram") {
      in >> job.dram.latency >> job.dram.stall >> job.dram.seed >> job.dram.bandwidth;
    } else if (key == "program") {
      long c, n;
      in >> c >> n;
      if (c < 0 || c >= job.chunks) fail("bad chunk", 2);
      job.program[c].resize(n);
      for (auto& w : job.program[c]) in >> std::hex >> w >> std::dec;
    } else if (key == "space") {
      long c, id;
      in >> c >> id;
      if (c < 0 || c >= job.chunks || id < 0 || id >= 8) fail("bad space", 2);
      values(job.params[c][id]);
    } else if (key == "input") {
      in >> job.inputAddr >> job.goldenImages;
      job.input.resize(job.goldenImages);
      for (auto& v : job.input) values(v);
    } else if (key == "layer") {
      Layer l;
      in >> l.chunk >> l.outAddr >> l.words >> l.raw;
      l.golden.resize(job.goldenImages);
      for (auto& v : l.golden) values(v);
      job.layers.push_back(l);
    } else {
      fail("unknown job key " + key, 2);
    }
  }
  if (job.chunks <= 0 || job.layers.empty() || job.goldenImages <= 0) fail("job without chunks, layers or images", 2);
  return job;
}

/** An AXI4-Lite master: one read or write at a time, the handshakes taken at the clock edge. */
struct Lite {
  enum State { IDLE, WRITE, WRESP, READ, RRESP } st = IDLE;
  uint32_t addr = 0, data = 0, result = 0, resp = 0;
  bool awDone = false, wDone = false, finished = false;
  void write(uint32_t a, uint32_t d) {
    st = WRITE;
    addr = a;
    data = d;
    awDone = wDone = false;
  }
  void read(uint32_t a) {
    st = READ;
    addr = a;
  }
  bool idle() const { return st == IDLE && !finished; }
  // before the edge: drive the channels of the current state
  void drive(Vtrips_accel& top) const {
    top.s_axil_awvalid = st == WRITE && !awDone;
    top.s_axil_awaddr = addr;
    top.s_axil_wvalid = st == WRITE && !wDone;
    top.s_axil_wdata = data;
    top.s_axil_wstrb = 0xf;
    top.s_axil_bready = st == WRESP;
    top.s_axil_arvalid = st == READ;
    top.s_axil_araddr = addr;
    top.s_axil_rready = st == RRESP;
  }
  // with the inputs settled: what the edge takes, and the state after it
  void sample(const Vtrips_accel& top) {
    if (st == WRITE) {
      if (top.s_axil_awvalid && top.s_axil_awready) awDone = true;
      if (top.s_axil_wvalid && top.s_axil_wready) wDone = true;
      if (awDone && wDone) st = WRESP;
    } else if (st == WRESP && top.s_axil_bvalid) {
      resp = top.s_axil_bresp;
      st = IDLE;
      finished = true;
    } else if (st == READ && top.s_axil_arready) {
      st = RRESP;
    } else if (st == RRESP && top.s_axil_rvalid) {
      result = top.s_axil_rdata;
      resp = top.s_axil_rresp;
      st = IDLE;
      finished = true;
    }
  }
};

// the control registers the host uses (docs/rtl.md §8)
const uint32_t R_CTRL = 0x00c, R_STATUS = 0x010, R_IMAGES = 0x014, R_DONE = 0x018, R_CYC_LO = 0x01c, R_CYC_HI = 0x020;
const uint32_t R_INPUTS = 0x038, R_LAYER0 = 0x100;

void tick(Vtrips_accel& top) {
  top.clk = 1;
  top.eval();
  top.clk = 0;
  top.eval();
}

/** Reset, write every chunk's program RAM through the host port. */
void boot(Vtrips_accel& top, const Job& job) {
  top.clk = 0;
  top.rst_n = 0;
  top.progWe = 0;
  Lite().drive(top);
  top.eval();
  tick(top);
  top.rst_n = 1;
  for (long c = 0; c < job.chunks; c++) {
    for (std::size_t i = 0; i < job.program[c].size(); i++) {
      top.progSel = (uint8_t)c;
      top.progWe = 1;
      top.progAddr = (uint16_t)i;
      top.progData = job.program[c][i];
      tick(top);
    }
  }
  top.progWe = 0;
}

struct Dram {
  std::vector<int64_t> arena, scores;
};

/** Every chunk's port this cycle: a write word, a read request taken, the oldest answer due. */
void servePorts(Vtrips_accel& top, Job& job, Dram& dram, std::vector<LaneDram>& ports, Bandwidth& bandwidth, uint64_t cycle) {
  bandwidth.beginCycle();
  for (long c = 0; c < job.chunks; c++) {
    setBit(top.memRvalid, (int)c, false);
    setBit(top.memReady, (int)c, ports[c].beginCycle(cycle) && bandwidth.open());
  }
  top.eval();
  bool answered = false;
  for (long c = 0; c < job.chunks; c++) {
    const uint32_t space = bitsOf(top.memSpace, (int)(3 * c), 3);
    std::vector<int64_t>& mem = space == 0 ? dram.arena : space == 6 ? dram.scores : job.params[c][space];
    auto at = [&](long j) -> int64_t& {
      const uint32_t addr = top.memAddr[c * job.lmax + j];
      if (addr >= mem.size())
        fail("chunk " + std::to_string(c) + ": address " + std::to_string(addr) + " outside space " + std::to_string(space), 3);
      return mem[addr];
    };
    const uint32_t bits = bitsOf(top.memBits, (int)(8 * c), 8);
    if (bitOf(top.memWe, (int)c)) {
      for (long j = 0; j < job.lmax; j++) {
        const long k = c * job.lmax + j;
        if (!bitOf(top.memValid, (int)k)) continue;
        at(j) = (int64_t)(((uint64_t)top.memWdata[2 * k + 1] << 32) | top.memWdata[2 * k]);
        bandwidth.spend(bits);
      }
    } else if (bitOf(top.memReq, (int)c)) {
      std::vector<int64_t> values(job.lmax, 0);
      for (long j = 0; j < job.lmax; j++) {
        if (!bitOf(top.memValid, (int)(c * job.lmax + j))) continue;
        values[j] = at(j);
        bandwidth.spend(bits);
      }
      ports[c].request(std::move(values));
    }
    std::vector<int64_t> answer;
    if (ports[c].answer(answer)) {
      for (long j = 0; j < job.lmax; j++) {
        const long k = c * job.lmax + j;
        top.memRdata[2 * k] = (uint32_t)answer[j];
        top.memRdata[2 * k + 1] = (uint32_t)((uint64_t)answer[j] >> 32);
      }
      setBit(top.memRvalid, (int)c, true);
      answered = true;
    }
  }
  if (answered) top.eval();
}

struct ChunkStats {
  uint64_t busy = 0, wait = 0, idle = 0, dram = 0, grant = 0;
};

void chunkState(std::ofstream& out, Vtrips_accel& top, const Job& job) {
  out << "\"chunks\":[";
  for (long c = 0; c < job.chunks; c++) {
    out << (c ? "," : "") << "{\"chunk\":" << c << ",\"running\":" << bitOf(top.chunkRunning, (int)c)
        << ",\"waiting\":" << (bitOf(top.chunkReq, (int)c) && !bitOf(top.chunkGo, (int)c))
        << ",\"pass\":" << word32(top.chunkPass, (int)c) << ",\"layer\":" << word32(top.chunkLayer, (int)c)
        << ",\"image\":" << word32(top.chunkImage, (int)c) << "}";
  }
  out << "]";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) fail("usage: system JOB OUT", 2);
  Job job = readJob(argv[1]);
  std::ofstream out(argv[2]);
  VerilatedContext ctx;
  Vtrips_accel top(&ctx);
  boot(top, job);
  Dram dram;
  std::vector<LaneDram> ports;
  for (long c = 0; c < job.chunks; c++) ports.emplace_back(job.dram, (uint64_t)c);
  Bandwidth bandwidth(job.dram.bandwidth);
  dram.arena.assign(job.slots * job.slotWords, POISON);
  dram.scores.assign(job.slots * job.scoreWords, POISON);

  const auto wall0 = std::chrono::steady_clock::now();
  std::vector<ChunkStats> stats(job.chunks);
  std::vector<uint64_t> readyAt(job.images, 0), doneAt(job.images, 0);
  long ready = 0, knownDone = 0;
  uint64_t cycle = 0, stuck = 0;
  const long last = (long)job.layers.size() - 1;
  // the host: IMAGES, START, each input as its slot frees (INPUTS rings it), STATUS until DONE,
  // then the registers
  enum Phase { SET_IMAGES, START, STREAM, DRAIN, REGISTERS, END } phase = SET_IMAGES;
  Lite lite;
  bool inputPending = false;
  std::vector<uint32_t> registers;  // STATUS, IMAGES_DONE, CYCLES_LO, CYCLES_HI, LAYER_CYCLES[0 …]
  const long nRegisters = 4 + (long)job.layers.size();
  auto registerAddress = [&](long i) -> uint32_t {
    const uint32_t fixed[4] = {R_STATUS, R_DONE, R_CYC_LO, R_CYC_HI};
    return i < 4 ? fixed[i] : R_LAYER0 + 4 * (uint32_t)(i - 4);
  };
  while (phase != END) {
    bool moving = false;
    if (lite.finished) {
      lite.finished = false;
      if (lite.resp != 0) fail("AXI4-Lite access to register " + std::to_string(lite.addr) + " answered " + std::to_string(lite.resp), 3);
      if (phase == SET_IMAGES) phase = START;
      else if (phase == START) phase = STREAM;
      else if (phase == STREAM && inputPending) {
        inputPending = false;
        ready++;
        moving = true;
      } else if (phase == STREAM) knownDone = (long)lite.result;
      else if (phase == DRAIN && (lite.result & 2) != 0) phase = REGISTERS;  // STATUS.DONE
      else if (phase == REGISTERS) registers.push_back(lite.result);
    }
    if (phase == STREAM && ready == job.images) phase = DRAIN;
    if (phase == REGISTERS && (long)registers.size() == nRegisters) phase = END;
    if (lite.idle()) {
      if (phase == SET_IMAGES) lite.write(R_IMAGES, (uint32_t)job.images);
      else if (phase == START) lite.write(R_CTRL, 1);
      else if (phase == STREAM && (ready < job.slots || knownDone >= ready - job.slots + 1)) {
        // image `ready` into its slot, then the doorbell
        const long base = (ready % job.slots) * job.slotWords;
        for (long i = 0; i < job.slotWords; i++) dram.arena[base + i] = POISON;
        for (long i = 0; i < job.scoreWords; i++) dram.scores[(ready % job.slots) * job.scoreWords + i] = POISON;
        const auto& image = job.input[ready % job.goldenImages];
        for (std::size_t i = 0; i < image.size(); i++) dram.arena[base + job.inputAddr + (long)i] = image[i];
        readyAt[ready] = cycle;
        lite.write(R_INPUTS, (uint32_t)(ready + 1));
        inputPending = true;
      } else if (phase == STREAM) lite.read(R_DONE);
      else if (phase == DRAIN) lite.read(R_STATUS);
      else if (phase == REGISTERS) lite.read(registerAddress((long)registers.size()));
    }
    lite.drive(top);
    top.eval();
    lite.sample(top);
    servePorts(top, job, dram, ports, bandwidth, cycle);
    for (long c = 0; c < job.chunks; c++) {
      ChunkStats& s = stats[c];
      const bool running = bitOf(top.chunkRunning, (int)c);
      const bool waiting = bitOf(top.chunkReq, (int)c) && !bitOf(top.chunkGo, (int)c);
      if (!running) s.idle++;
      else if (waiting) s.wait++;
      else if (bitOf(top.chunkDramWait, (int)c)) s.dram++;
      else s.busy++;
      if (running && !waiting) moving = true;
      if (bitOf(top.chunkGo, (int)c)) s.grant = cycle;
      if (bitOf(top.chunkCounted, (int)c)) {
        // a layer done for an image: its outputs against the golden model's
        const long l = (long)word32(top.chunkLayer, (int)c);
        const long j = (long)word32(top.chunkImage, (int)c);
        if (l < 0 || l > last || job.layers[l].chunk != c) fail("chunk " + std::to_string(c) + " finished a layer not its own", 3);
        const Layer& layer = job.layers[l];
        const auto& mem = layer.raw ? dram.scores : dram.arena;
        const long base = (j % job.slots) * (layer.raw ? job.scoreWords : job.slotWords) + layer.outAddr;
        const auto& want = layer.golden[j % job.goldenImages];
        long mismatches = 0, first = -1;
        for (long i = 0; i < layer.words; i++) {
          if (mem[base + i] != want[i]) {
            if (first < 0) first = i;
            mismatches++;
          }
        }
        out << "{\"layer\":" << l << ",\"image\":" << j << ",\"chunk\":" << c << ",\"go\":" << s.grant << ",\"done\":" << cycle
            << ",\"mismatches\":" << mismatches;
        if (first >= 0) out << ",\"first\":" << first << ",\"got\":" << mem[base + first] << ",\"want\":" << want[first];
        out << "}\n";
        if (l == last) doneAt[j] = cycle;
      }
    }
    // the host polling IMAGES_DONE is no progress; a chunk running a layer or an input given is
    stuck = moving || phase == SET_IMAGES || phase == START || phase == REGISTERS ? 0 : stuck + 1;
    if (stuck > STUCK_CYCLES || cycle > (uint64_t)job.maxCycles) {
      out << "{\"deadlock\":" << (stuck > STUCK_CYCLES ? "true" : "false") << ",\"cycle\":" << cycle
          << ",\"imagesReady\":" << ready << ",\"imagesDone\":" << top.imagesDone << ",";
      chunkState(out, top, job);
      out << "}\n";
      out.flush();
      fail(stuck > STUCK_CYCLES ? "deadlock: every running chunk waits for an input" : "past the liveness bound", 3);
    }
    tick(top);
    cycle++;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  for (long j = 0; j < job.images; j++) out << "{\"image\":" << j << ",\"ready\":" << readyAt[j] << ",\"done\":" << doneAt[j] << "}\n";
  out << "{\"finished\":true,\"cycles\":" << cycle << ",\"wallSeconds\":" << wall << ",\"stats\":[";
  for (long c = 0; c < job.chunks; c++)
    out << (c ? "," : "") << "{\"busy\":" << stats[c].busy << ",\"wait\":" << stats[c].wait << ",\"dram\":" << stats[c].dram
        << ",\"idle\":" << stats[c].idle << "}";
  out << "],\"registers\":{\"status\":" << registers[0] << ",\"imagesDone\":" << registers[1]
      << ",\"cycles\":" << (((uint64_t)registers[3] << 32) | registers[2]) << ",\"layerCycles\":[";
  for (long i = 4; i < nRegisters; i++) out << (i > 4 ? "," : "") << registers[i];
  out << "]}}\n";
  top.final();
  return 0;
}

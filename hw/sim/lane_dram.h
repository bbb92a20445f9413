// lane_dram.h — the DRAM behind a chunk's lane port (docs/rtl.md §3, §9) that answers late: every
// read request (a word of a read chain, its lanes' values read when it is taken) is answered in
// order `latency` cycles after it is taken — in its own cycle with latency 0 — and with probability
// `stall` per cycle the port takes no request (memReady low) and, drawn apart, gives no answer.
// `Bandwidth` is the DRAM's, shared by every port: bits per cycle that accrue as credit; a port
// takes a request only while the credit is not negative, and every word read or written spends
// its bits (so a burst may overdraw it, and the ports wait until it is paid back).
// Used by the chunk harness and the system testbench; the stalls are seeded, so a run repeats.
#pragma once
#include <cstdint>
#include <deque>
#include <random>
#include <vector>

/** What a job says of the DRAM (`dram LATENCY STALL SEED`; default: answers at once, never stalls). */
struct DramSpec {
  long latency = 0;
  double stall = 0;
  uint64_t seed = 1;
  double bandwidth = 0;  // bits per cycle, every port together; 0: unlimited
};

/** The DRAM's bandwidth, shared by every port (credit in bits). */
class Bandwidth {
 public:
  explicit Bandwidth(double bitsPerCycle) : rate_(bitsPerCycle), cap_(2 * bitsPerCycle + 512) {}
  /** Start of a cycle: this cycle's bits accrue (at most a little more than two cycles' worth). */
  void beginCycle() {
    if (rate_ > 0) credit_ = credit_ + rate_ > cap_ ? cap_ : credit_ + rate_;
  }
  bool open() const { return rate_ <= 0 || credit_ >= 0; }
  void spend(double bits) {
    if (rate_ > 0) credit_ -= bits;
  }

 private:
  double rate_, cap_, credit_ = 0;
};

class LaneDram {
 public:
  /** One port's DRAM; `stream` tells the ports of a system apart (each its own stall sequence). */
  LaneDram(const DramSpec& spec, uint64_t stream) : latency_(spec.latency), stall_(spec.stall), rng_(spec.seed + stream) {}

  /** Start of a cycle: whether the port takes a request in it (drawn once per cycle). */
  bool beginCycle(uint64_t cycle) {
    cycle_ = cycle;
    reqStall_ = stall_ > 0 && uni_(rng_) < stall_;
    rspStall_ = stall_ > 0 && uni_(rng_) < stall_;
    return !reqStall_;
  }

  /** A request taken this cycle, with the values its lanes read. */
  void request(std::vector<int64_t> values) { queue_.push_back({cycle_ + (uint64_t)latency_, std::move(values)}); }

  /** The answer this cycle, if one is due and the port is not holding it back. */
  bool answer(std::vector<int64_t>& values) {
    if (queue_.empty() || rspStall_ || queue_.front().due > cycle_) return false;
    values = std::move(queue_.front().values);
    queue_.pop_front();
    return true;
  }

  bool idle() const { return queue_.empty(); }

 private:
  struct Pending {
    uint64_t due;
    std::vector<int64_t> values;
  };
  long latency_;
  double stall_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> uni_{0.0, 1.0};
  std::deque<Pending> queue_;
  uint64_t cycle_ = 0;
  bool reqStall_ = false, rspStall_ = false;
};

// axi_tb.h — what the AXI testbench drivers (axi_copy.cpp, axi_share.cpp) share: key=value
// arguments over defaults, a seeded generator, the reset and the clock, the JSON list of the DRAM
// model's protocol violations.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace tb {

// `key=value` arguments over `defaults`; an unknown key ends the program (exit 2)
inline std::map<std::string, double> args(int argc, char** argv, std::map<std::string, double> defaults, const char* name) {
  for (int i = 1; i < argc; i++) {
    std::string s(argv[i]);
    auto eq = s.find('=');
    if (eq == std::string::npos || !defaults.count(s.substr(0, eq))) {
      std::fprintf(stderr, "%s: unknown argument %s\n", name, argv[i]);
      std::exit(2);
    }
    defaults[s.substr(0, eq)] = std::atof(s.c_str() + eq + 1);
  }
  return defaults;
}

// xorshift64: the same stream for the same seed on every machine
inline uint64_t next(uint64_t& s) {
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}

template <class Top> void tick(Top& top) {
  top.clk = 1;
  top.eval();
  top.clk = 0;
  top.eval();
}

// four cycles of reset, released
template <class Top> void reset(Top& top) {
  top.clk = 0;
  top.rst_n = 0;
  for (int i = 0; i < 4; i++) tick(top);
  top.rst_n = 1;
}

// `"violations":[…]` of the DRAM model, closing the JSON object
inline void printViolations(const std::vector<std::string>& violations) {
  std::printf("\"violations\":[");
  for (std::size_t i = 0; i < violations.size(); i++) std::printf("%s\"%s\"", i ? "," : "", violations[i].c_str());
  std::printf("]}\n");
}

}  // namespace tb

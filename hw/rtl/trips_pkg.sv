// trips_pkg.sv — shared definitions of the trips-hw chunk engine (docs/rtl.md): opcodes,
// DRAM spaces, the transfer descriptor, and the one rounding rule of the integer model
// (docs/quant.md §2: round half to even), so every requantiser in the engine is the same.
package trips_pkg;

  // Layer opcodes, as src/backend/types.ts OPCODES numbers them (conv and fc run the same path).
  /* verilator lint_off UNUSEDPARAM */
  localparam logic [2:0] OP_CONV = 3'd0;
  localparam logic [2:0] OP_DW = 3'd1;
  localparam logic [2:0] OP_ADD = 3'd2;
  localparam logic [2:0] OP_POOL = 3'd3;
  localparam logic [2:0] OP_FC = 3'd4;
  /* verilator lint_on UNUSEDPARAM */

  // DRAM address spaces the port reaches (docs/rtl.md "DRAM model").
  localparam logic [2:0] SP_ARENA = 3'd0;
  localparam logic [2:0] SP_WEIGHT = 3'd1;
  localparam logic [2:0] SP_BIAS = 3'd2;
  localparam logic [2:0] SP_MULSH = 3'd3;
  localparam logic [2:0] SP_PERM = 3'd5;
  localparam logic [2:0] SP_SCORE = 3'd6;

  // Where a read transfer lands on chip.
  localparam logic [2:0] TG_IN = 3'd0;
  localparam logic [2:0] TG_W = 3'd1;
  localparam logic [2:0] TG_BIAS = 3'd2;
  localparam logic [2:0] TG_MULSH = 3'd3;
  localparam logic [2:0] TG_PERM = 3'd4;

  // How a write transfer forms its values from the accumulators.
  localparam logic [1:0] OUT_REQUANT = 2'd0;
  localparam logic [1:0] OUT_RAW = 2'd1;
  localparam logic [1:0] OUT_POOL = 2'd2;
  localparam logic [1:0] OUT_COPY = 2'd3;

  // One transfer: `count` values of `bits` each walk a 3-level nest (a, b, c) with c fastest;
  // the DRAM word of value (a, b, c) is base + (yoff+a)·sa + (xoff+b)·sb + cmap(coff+c), and
  // (yoff+a, xoff+b) outside [0,h)×[0,w) is zero padding when `bounds` is set.
  typedef struct packed {
    logic        write;
    logic [2:0]  space;
    logic [2:0]  target;
    logic [1:0]  outMode;
    logic        interleave;  // add: values alternate between base and base2
    logic        bounds;
    logic        perm;        // write: channel through the permutation table
    logic [7:0]  bits;
    logic [31:0] count;
    logic [31:0] extB;
    logic [31:0] extC;
    logic [31:0] base;
    logic [31:0] base2;
    logic [31:0] yoff;
    logic [31:0] xoff;
    logic [31:0] sa;
    logic [31:0] sb;
    logic [31:0] coff;
    logic [31:0] h;
    logic [31:0] w;
    logic [31:0] bufBase;
  } xfer_t;
  // $bits(xfer_t), for ports (Yosys reads no package types in port lists)
  localparam int XFER_BITS = 436;

  // round(v / 2^n), half to even (n ≤ 62).
  function automatic logic signed [63:0] round_shift(input logic signed [63:0] v, input logic [7:0] n);
    logic signed [63:0] q;
    logic [63:0] mask;
    logic [63:0] r;
    logic [63:0] half;
    q = v >>> n;
    mask = (64'd1 << n) - 64'd1;
    r = v & mask;
    half = 64'd1 << (n - 8'd1);
    if (n == 8'd0) round_shift = v;
    else if (r > half || (r == half && q[0])) round_shift = q + 64'sd1;
    else round_shift = q;
  endfunction

  function automatic logic signed [63:0] clamp(input logic signed [63:0] v, input logic signed [31:0] lo,
                                               input logic signed [31:0] hi);
    if (v < 64'(lo)) clamp = 64'(lo);
    else if (v > 64'(hi)) clamp = 64'(hi);
    else clamp = v;
  endfunction

  function automatic logic [31:0] min2(input logic [31:0] a, input logic [31:0] b);
    min2 = a < b ? a : b;
  endfunction

  function automatic logic [31:0] cdiv(input logic [31:0] a, input logic [31:0] b);
    cdiv = (a + b - 32'd1) / b;
  endfunction

endpackage

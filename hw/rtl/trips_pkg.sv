// trips_pkg.sv — shared definitions of the trips-hw chunk engine (docs/rtl.md): opcodes,
// DRAM spaces, the transfer descriptor, the descriptor words the engine reads, and small
// helpers (mul_small, clamp, min2); the rounding rule lives in trips_requant, its one user.
// Written in the subset that Yosys, Verilator and the vendor tools all read: no `import`
// (names are qualified), no `return`, no package types in port lists.
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

  // Where a read transfer's words land on chip.
  localparam logic [2:0] TG_IN = 3'd0;
  localparam logic [2:0] TG_W = 3'd1;
  localparam logic [2:0] TG_BIAS = 3'd2;
  localparam logic [2:0] TG_MULSH = 3'd3;
  localparam logic [2:0] TG_PERM = 3'd4;

  // How the output path forms a written value from its accumulator word.
  localparam logic [1:0] OUT_REQUANT = 2'd0;
  localparam logic [1:0] OUT_RAW = 2'd1;
  localparam logic [1:0] OUT_POOL = 2'd2;
  localparam logic [1:0] OUT_ADD = 2'd3;

  // Descriptor words (docs/rtl.md §3): the layer's integers, then the products of layer
  // constants the lowering computes so that the engine multiplies nothing but operands.
  /* verilator lint_off UNUSEDPARAM */
  localparam int D_WORDS = 64;
  localparam int D_OP = 0, D_INH = 1, D_INW = 2, D_INC = 3, D_OUTH = 4, D_OUTW = 5, D_OUTC = 6;
  localparam int D_K = 7, D_S = 8, D_PAD = 9, D_G = 10, D_INPER = 11, D_OUTPER = 12;
  localparam int D_INADDR = 13, D_IN2ADDR = 14, D_OUTADDR = 15, D_WOFF = 16, D_RQOFF = 17, D_PERMOFF = 18;
  localparam int D_LO = 19, D_HI = 20, D_RAW = 21, D_QI = 22, D_QO = 23, D_LAYER = 24, D_ENTRIES = 25, D_ENTRY0 = 26;
  localparam int D_K2 = 27, D_M = 28, D_N = 29, D_NSTEPS = 30;
  localparam int D_NGI = 31, D_RSI = 32, D_SBNGI = 33, D_SB1NGI = 34, D_SRSI = 35, D_SNGI = 36, D_PADRSI = 37, D_PADNGI = 38;
  localparam int D_NGW = 39, D_TS = 40, D_MS = 41, D_WMS = 42, D_TMWMS = 43, D_GWMS = 44;
  localparam int D_MG = 45, D_ACCROW = 46, D_MGT = 47;
  localparam int D_SA = 48, D_TRSSA = 49, D_TCSC = 50, D_PADSA = 51, D_PADC = 52, D_TRS = 53, D_TCS = 54;
  localparam int D_OSA = 55, D_TROSA = 56, D_TCOC = 57, D_SB = 58;
  localparam int D_USED = 59;
  /* verilator lint_on UNUSEDPARAM */

  // One transfer: the values of pixel rows a < extA, columns b < extB, (two: sources s < 2),
  // channels c < extC, c fastest, one buffer word of ≤ vlen consecutive channels per beat.
  //   DRAM word of (a, b, s, c): (s ? base2 : base) + a·sa + b·sb + c; zero padding where
  //     (y0 + a, x0 + b) lies outside [0,h)×[0,w) and `bounds` is set;
  //   buffer word: a·bA (abank: ⌊a/PE_M⌋·bA, bank a mod PE_M) + the column's words (cbank:
  //     column bank and sub-column, see trips_xfer) + seg·bS + the word within the segment,
  //     where the channels split into segments of segLen (ws weights: one per input step).
  typedef struct packed {
    logic        write;
    logic [2:0]  space;
    logic [2:0]  target;
    logic [1:0]  outMode;
    logic        perm;
    logic        bounds;
    logic        two;
    logic        abank;
    logic        cbank;
    logic        tbank;
    logic        half;
    logic [7:0]  bits;
    logic [7:0]  vlen;
    logic [7:0]  sub;
    logic [31:0] extA;
    logic [31:0] extB;
    logic [31:0] extC;
    logic [31:0] segLen;
    logic [31:0] base;
    logic [31:0] base2;
    logic [31:0] sa;
    logic [31:0] sb;
    logic [31:0] y0;
    logic [31:0] x0;
    logic [31:0] h;
    logic [31:0] w;
    logic [31:0] bA;
    logic [31:0] bB;
    logic [31:0] bBsub;
    logic [31:0] bS;
  } xfer_t;
  // $bits(xfer_t), for ports (Yosys reads no package types in port lists)
  localparam int XFER_BITS = 552;

  // a · b for a small `a` (≤ 8 bits) as shifts and adds in a balanced tree (three adders
  // deep): no multiplier cell, so no DSP
  function automatic logic [31:0] mul_small(input logic [7:0] a, input logic [31:0] b);
    logic [31:0] p0, p1, p2, p3;
    p0 = (a[0] ? b : 32'd0) + (a[1] ? b << 1 : 32'd0);
    p1 = (a[2] ? b << 2 : 32'd0) + (a[3] ? b << 3 : 32'd0);
    p2 = (a[4] ? b << 4 : 32'd0) + (a[5] ? b << 5 : 32'd0);
    p3 = (a[6] ? b << 6 : 32'd0) + (a[7] ? b << 7 : 32'd0);
    mul_small = (p0 + p1) + (p2 + p3);
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

endpackage

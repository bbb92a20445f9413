// trips_outpath.sv — the way out: PE_M requantisers, one per accumulator bank, turn one word of
// up to PE_M channels of one pixel per cycle into the values the DMA writes (docs/quant.md):
//   conv / dw / fc : clamp(round_half_even((acc·m + bias) / 2^shift), lo, hi), per out channel
//   raw fc         : acc·m + bias (64-bit integer logit)
//   pool           : clamp(round_half_even(sum·m_n / 2^shift_n)), n = pixels of the window
//   add            : clamp(round_half_even((a·m0 + b·m1) / 2^shift0)), a and b packed in the word
// in seven registered stages — o1 the accumulator and table words, o2 … o7 the requantiser
// (trips_requant: operands, multiplies, sum, shift, round, clamp), written in o7 — so a tile's
// stream ends PIPE cycles after its last word leaves the DMA. The channel permutation (shuffle) only moves the word's
// DRAM address.
module trips_outpath #(
    parameter int PE_M = 2,
    parameter int BJ = 1,
    parameter int LANES = 8,
    parameter int ACT_W = 9,
    parameter int AA = 6,
    parameter int TA = 4,
    parameter int ACC_W = 32,
    // 1: tiles may start inside a table word, so the tables rotate (trips_chunk ROT); a parameter,
    // not a constant port, so that a synthesis by module builds no rotation it does not need
    parameter int ROT = 1
) (
    input logic clk,
    input logic rst_n,
    // the DMA's write word this cycle (beat of a write transfer) and where it goes
    input logic beat,
    input logic lastWord,
    input logic [1:0] mode,
    input logic perm,
    input logic [2:0] space,
    input logic [7:0] len,
    input logic [31:0] dAddr,
    input logic [31:0] chan,
    /* verilator lint_off UNUSEDSIGNAL */
    input logic [31:0] word,  // the low bits address the accumulator banks
    input logic [31:0] stride,  // ≤ 8 bits
    /* verilator lint_on UNUSEDSIGNAL */
    /* verilator lint_off UNUSEDSIGNAL */
    input logic [$clog2(BJ+1)-1:0] cBank,  // < BJ
    /* verilator lint_on UNUSEDSIGNAL */
    input logic [31:0] segWord,
    // the tile's channel offset (unpermuted DRAM channel of the word's first lane)
    input logic [31:0] coff,
    // tables: first word of the tile's entries (conv); pool window: output pixel and geometry
    input logic [31:0] tBase,
    input logic [$clog2(PE_M+1)-1:0] tRot,
    input logic [31:0] oy,
    input logic [31:0] ox,
    input logic [31:0] kernel,
    input logic [31:0] pad,
    input logic [31:0] inH,
    input logic [31:0] inW,
    input logic [31:0] entry0,
    input logic signed [31:0] lo,
    input logic signed [31:0] hi,
    // add: the two inputs' 24-bit multipliers (the tables' multipliers are 24 bits too)
    input logic signed [23:0] mul0,
    input logic signed [23:0] mul1,
    input logic [5:0] shift0,
    // reads: accumulator word of every bank, table entries of every bank
    output logic [AA-1:0] accRa,
    output logic [PE_M-1:0][TA-1:0] tabRa,
    input logic [PE_M-1:0][BJ-1:0][ACC_W-1:0] accRd,
    input logic [PE_M-1:0][63:0] biasRd,
    input logic [PE_M-1:0][29:0] mulShRd,
    input logic [PE_M-1:0][15:0] permRd,
    // the write beat, four cycles after the DMA's
    output logic busy,
    output logic done,
    output logic memWe,
    output logic [2:0] memSpace,
    output logic [LANES-1:0] memValid,
    output logic [LANES-1:0][31:0] memAddr,
    output logic [LANES-1:0][63:0] memWdata
);
  localparam int LBJ = BJ > 1 ? $clog2(BJ) : 1;
  // stages from the DMA's beat to the write (the cost model's OUTPUT_PIPE)
  localparam int PIPE = 7;

  // o0: pixels of the pool window inside the map (padding is not counted)
  logic [31:0] tab;
  always_comb begin
    logic signed [31:0] y0, x0, y1, x1;
    logic [31:0] win;
    y0 = $signed(trips_pkg::mul_small(stride[7:0], oy)) - $signed(pad);
    x0 = $signed(trips_pkg::mul_small(stride[7:0], ox)) - $signed(pad);
    y1 = y0 + $signed(kernel);
    x1 = x0 + $signed(kernel);
    if (y0 < 0) y0 = 0;
    if (x0 < 0) x0 = 0;
    if (y1 > $signed(inH)) y1 = $signed(inH);
    if (x1 > $signed(inW)) x1 = $signed(inW);
    win = trips_pkg::mul_small(8'(y1 - y0), 32'(x1 - x0));
    tab = mode == trips_pkg::OUT_POOL ? win - 32'd1 - entry0 : tBase + segWord;
    accRa = word[AA-1:0];
    // entry of lane j: rot + j from the tile's first, so bank b holds lane b − rot (mod PE_M)
    for (int b = 0; b < PE_M; b++) begin
      /* verilator lint_off UNUSEDSIGNAL */
      logic [31:0] e;
      /* verilator lint_on UNUSEDSIGNAL */
      e = tab + (ROT != 0 && mode != trips_pkg::OUT_POOL && 32'(b) < 32'(tRot) ? 32'd1 : 32'd0);
      tabRa[b] = e[TA-1:0];
    end
  end

  typedef struct packed {
    logic valid;
    logic last;
    logic [1:0] mode;
    logic perm;
    logic [2:0] space;
    logic [7:0] len;
    logic [31:0] addr;
    logic [31:0] chan;
    logic [LBJ-1:0] bank;
    logic [$clog2(PE_M+1)-1:0] rot;
  } stage_t;
  // ok: the word k cycles after the DMA's beat (o1: the RAMs' words arrive … o7: written); one
  // name per stage, as Yosys reads no member of an element of a packed array of structs
  stage_t o0, o1, o2, o3, o4, o5, o6;
  /* verilator lint_off UNUSEDSIGNAL */
  stage_t o7;  // the write needs neither the mode nor the table fields
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    o0.valid = beat;
    o0.last = lastWord;
    o0.mode = mode;
    o0.perm = perm;
    o0.space = space;
    o0.len = len;
    // DRAM word of lane 0 without its channel (the channel, or its permuted place, is added)
    o0.addr = dAddr - chan;
    o0.chan = coff + chan;
    o0.bank = LBJ'(cBank);
    o0.rot = ROT == 0 || mode == trips_pkg::OUT_POOL ? '0 : tRot;
  end
  always_ff @(posedge clk) begin
    if (!rst_n) {o1, o2, o3, o4, o5, o6, o7} <= '0;
    else {o1, o2, o3, o4, o5, o6, o7} <= {o0, o1, o2, o3, o4, o5, o6};
  end

  // o1: lane j's accumulator (of the word's column bank) and the table entries of its bank
  // (entry rot + j of the tile is in bank (rot + j) mod PE_M); o2 … o7: its requantiser
  logic signed [PE_M-1:0][63:0] outQ;
  logic [PIPE:2][PE_M-1:0][15:0] permQ;
  for (genvar j = 0; j < PE_M; j++) begin : g_lane
    logic [ACC_W-1:0] a;
    logic [63:0] bias;
    logic [29:0] ms;
    logic [15:0] pm;
    always_comb begin
      a = accRd[j][0];
      for (int b = 0; b < BJ; b++) if (32'(o1.bank) == 32'(b)) a = accRd[j][b];
      {bias, ms, pm} = {biasRd[j], mulShRd[j], permRd[j]};
      if (ROT != 0)
        for (int t = 0; t < PE_M; t++) begin
          if (((j + int'(o1.rot)) & (PE_M - 1)) == t) {bias, ms, pm} = {biasRd[t], mulShRd[t], permRd[t]};
        end
    end
    trips_requant #(.ACT_W(ACT_W), .ACC_W(ACC_W)) u_rq (
        .clk, .mode1(o1.mode), .mode2(o2.mode), .raw3(o3.mode == trips_pkg::OUT_RAW),
        .raw6(o6.mode == trips_pkg::OUT_RAW), .acc(a), .bias, .mul(ms[23:0]), .shift(ms[29:24]), .mul0, .mul1, .shift0, .lo, .hi,
        .out(outQ[j])
    );
    always_ff @(posedge clk) permQ[2][j] <= pm;
  end
  always_ff @(posedge clk) permQ[PIPE:3] <= permQ[PIPE-1:2];

  // o7: the write beat
  always_comb begin
    memWe = o7.valid;
    memSpace = o7.space;
    for (int j = 0; j < LANES; j++) begin
      memValid[j] = o7.valid && j < PE_M && 32'(j) < 32'(o7.len);
      memAddr[j] = 32'd0;
      memWdata[j] = 64'd0;
      if (j < PE_M) begin
        memAddr[j] = o7.addr + (o7.perm ? 32'(permQ[PIPE][j%PE_M]) : o7.chan + 32'(j));
        memWdata[j] = outQ[j%PE_M];
      end
    end
    busy = o1.valid || o2.valid || o3.valid || o4.valid || o5.valid || o6.valid || o7.valid;
    done = o7.valid && o7.last;
  end
endmodule

// trips_chunk.sv — one chunk engine of the trips-hw accelerator template (docs/rtl.md).
// It runs a layer program (program RAM: a header with the chunk's runtime configuration, then
// one 32-word descriptor per layer) layer after layer, walking each layer's tiled loop nest in
// the chunk's loop order with the timing of the analytical cost model (docs/cost-model.md):
//   layer : fetch descriptor (31) · requant parameters · tiles · done (1)
//   tile  : setup (8) · load step 0 · swap (2) · [compute i ∥ load i+1 · swap (2)]* · compute
//           last · stream out through requantisation
//   ws    : an out-channel tile's weights for every input channel load once, before its tiles.
// Compile-time parameters size the hardware (PE array, DMA lanes, buffers); everything the
// layers need (tiles, PE use, port rate, loop order) comes from the program, so one build
// runs any program whose layers fit its buffers.
module trips_chunk
  import trips_pkg::*;
#(
    parameter int PE_M = 2,
    parameter int PE_N = 2,
    parameter int LANES = 8,
    parameter int ACT_W = 9,
    parameter int W_W = 8,
    parameter int IN_HALF = 32,
    parameter int W_HALF = 32,
    parameter int W_WORDS = 64,
    parameter int ACC_WORDS = 64,
    parameter int RQ_WORDS = 16,
    parameter int PROG_WORDS = 1024,
    // a program.mem to preload (synthesis / stand-alone use); the host may also write the RAM
    parameter string PROGRAM_FILE = ""
) (
    input logic clk,
    input logic rst_n,
    input logic progWe,
    input logic [$clog2(PROG_WORDS)-1:0] progAddr,
    input logic [31:0] progData,
    input logic start,
    output logic running,
    output logic finished,
    output logic [63:0] cycles,
    output logic layerStart,
    output logic layerDone,
    output logic [31:0] layerId,
    output logic memWe,
    output logic [2:0] memSpace,
    output logic [LANES-1:0] memValid,
    output logic [LANES-1:0][31:0] memAddr,
    output logic [LANES-1:0][63:0] memWdata,
    input logic [LANES-1:0][63:0] memRdata
);
  localparam int IN_WORDS = 2 * IN_HALF;
  localparam int PW = $clog2(PROG_WORDS);

  // ---- program RAM: header words 0–15 are the chunk's runtime configuration -----------------
  logic [31:0] prog[PROG_WORDS];
  initial if (PROGRAM_FILE != "") $readmemh(PROGRAM_FILE, prog);
  always_ff @(posedge clk) if (progWe) prog[progAddr] <= progData;
  logic mp, ws;
  logic [31:0] nLayers, tM, tN, tR, tC, peM, peN, portFx;
  always_comb begin
    nLayers = prog[2];
    mp = prog[3][0];
    ws = prog[3][1];
    tM = prog[4];
    tN = prog[5];
    tR = prog[6];
    tC = prog[7];
    peM = prog[8];
    peN = prog[9];
    portFx = prog[10];
  end

  // ---- descriptor of the running layer ------------------------------------------------------
  logic [26:0][31:0] d;
  logic [2:0] op;
  logic [31:0] inH, inW, inC, outH, outW, outC, K, S, pad, G, inPer, outPer, inAddr, in2Addr, outAddr;
  logic [31:0] wOff, rqOff, permOff, entries, entry0, K2, M, N, nSteps;
  logic [7:0] qi, qo;
  logic signed [31:0] lo, hi;
  logic raw, dw, mac, isAdd, isPool, permEn;
  always_comb begin
    op = d[0][2:0];
    {inH, inW, inC, outH, outW, outC} = {d[1], d[2], d[3], d[4], d[5], d[6]};
    {K, S, pad, G, inPer, outPer} = {d[7], d[8], d[9], d[10], d[11], d[12]};
    {inAddr, in2Addr, outAddr, wOff, rqOff, permOff} = {d[13], d[14], d[15], d[16], d[17], d[18]};
    lo = $signed(d[19]);
    hi = $signed(d[20]);
    raw = d[21][0];
    qi = d[22][7:0];
    qo = d[23][7:0];
    {layerId, entries, entry0} = {d[24], d[25], d[26]};
    dw = op == OP_DW;
    isAdd = op == OP_ADD;
    isPool = op == OP_POOL;
    mac = !isAdd && !isPool;
    permEn = mac && !permOff[31];
    K2 = K * K;
    M = mac ? outPer : outC;
    N = dw ? 32'd1 : inPer;
    nSteps = dw ? 32'd1 : 32'(cdiv(int'(N), int'(tN)));
  end

  // ---- controller state ----------------------------------------------------------------------
  typedef enum logic [3:0] {
    S_IDLE, S_FETCH, S_PARAMS, S_WLOAD, S_TSETUP, S_LOAD0, S_SWAP, S_PHASE, S_CLAST, S_ELT, S_OUT, S_LDONE
  } state_t;
  state_t st;
  logic [31:0] layer, cnt, g, m0, r0, c0, cStep, lStep;
  logic cHalf, lHalf, xGo, cGo;
  logic [1:0] xN;
  xfer_t xs0, xs1, xs2;

  // extents of the current tile (pool: the whole map of an out-channel tile)
  logic [31:0] mi, ri, ci, niC, hIn, wIn;
  always_comb begin
    mi = 32'(min2(int'(tM), int'(M - m0)));
    ri = isPool ? outH : 32'(min2(int'(tR), int'(outH - r0)));
    ci = isPool ? outW : 32'(min2(int'(tC), int'(outW - c0)));
    niC = dw ? 32'd1 : 32'(min2(int'(tN), int'(N - cStep * tN)));
    hIn = (ri - 32'd1) * S + K;
    wIn = (ci - 32'd1) * S + K;
  end

  // ---- transfer descriptors ------------------------------------------------------------------
  function automatic xfer_t none();
    xfer_t x;
    x = '0;
    x.extB = 32'd1;
    x.extC = 32'd1;
    x.h = 32'd1;
    x.w = 32'd1;
    return x;
  endfunction

  function automatic xfer_t linear(input logic [2:0] space, input logic [2:0] target, input logic [7:0] bits,
                                   input logic [31:0] base, input logic [31:0] count);
    xfer_t x;
    x = none();
    x.space = space;
    x.target = target;
    x.bits = bits;
    x.base = base;
    x.count = count;
    x.extC = count;
    return x;
  endfunction

  // step s's input box: channels × rows (r-tile·S + halo) × columns, zero outside the map
  function automatic xfer_t inBox(input logic [31:0] s, input logic h, input logic [31:0] ni);
    xfer_t x;
    x = none();
    x.target = TG_IN;
    x.bits = qi;
    x.count = (dw ? mi : ni) * hIn * wIn;
    x.extB = wIn;
    x.extC = dw ? mi : ni;
    x.base = inAddr;
    x.yoff = r0 * S - pad;
    x.xoff = c0 * S - pad;
    x.sa = inW * inC;
    x.sb = inC;
    x.coff = dw ? m0 : g * inPer + s * tN;
    x.h = inH;
    x.w = inW;
    x.bounds = 1'b1;
    x.bufBase = h ? 32'(IN_HALF) : 32'd0;
    return x;
  endfunction

  // weights [o][ky][kx][inPer]: os loads the step's m × K² × n block, ws the m-tile for all N
  function automatic xfer_t wBlock(input logic [31:0] s, input logic h, input logic [31:0] ni);
    xfer_t x;
    x = linear(SP_WEIGHT, TG_W, qi, wOff + (g * outPer + m0) * K2 * inPer, mi * K2 * ni);
    x.extB = K2;
    x.extC = ni;
    x.sa = K2 * inPer;
    x.sb = inPer;
    x.xoff = 32'd0;
    x.coff = dw ? 32'd0 : s * tN;
    x.bufBase = h ? 32'(W_HALF) : 32'd0;
    return x;
  endfunction

  // writes of the tile's results, (row, column, channel) with the channel fastest
  function automatic xfer_t outTile();
    xfer_t x;
    x = none();
    x.write = 1'b1;
    x.space = raw ? SP_SCORE : SP_ARENA;
    x.bits = raw ? 8'd32 : qo;
    x.outMode = raw ? OUT_RAW : isPool ? OUT_POOL : isAdd ? OUT_COPY : OUT_REQUANT;
    x.count = mi * ri * ci;
    x.extB = ci;
    x.extC = mi;
    x.base = raw ? 32'd0 : outAddr;
    x.yoff = isPool ? 32'd0 : r0;
    x.xoff = isPool ? 32'd0 : c0;
    x.sa = raw ? 32'd0 : outW * outC;
    x.sb = raw ? 32'd0 : outC;
    x.coff = mac ? g * outPer + m0 : m0;
    x.perm = permEn;
    return x;
  endfunction

  // add: both inputs of the tile, word by word; pool: an out-channel tile's whole input map
  function automatic xfer_t eltLoad();
    xfer_t x;
    x = none();
    x.target = TG_IN;
    x.bits = qi;
    x.extC = mi;
    x.base = inAddr;
    x.coff = m0;
    x.sb = inC;
    if (isAdd) begin
      x.interleave = 1'b1;
      x.count = 32'd2 * mi * ri * ci;
      x.extB = ci;
      x.base2 = in2Addr;
      x.yoff = r0;
      x.xoff = c0;
      x.sa = inW * inC;
    end else begin
      x.count = mi * inH * inW;
      x.extB = inW;
      x.sa = inW * inC;
    end
    return x;
  endfunction

  // ---- the DMA, the compute array, the output path ------------------------------------------
  logic xBusy, xLast, cBusy, cLast;
  /* verilator lint_off UNUSEDSIGNAL */
  xfer_t xc;  // the engine reads only the fields that steer lanes to buffers
  /* verilator lint_on UNUSEDSIGNAL */
  logic [LANES-1:0] lValid, lInb;
  logic [LANES-1:0][31:0] lIndex, lA, lB, lChan, lAddr;
  trips_xfer #(.LANES(LANES)) u_xfer (
      .clk, .rst_n, .go(xGo), .nslots(xN), .slot0(xs0), .slot1(xs1), .slot2(xs2), .portFx,
      .busy(xBusy), .last(xLast), .cur(xc), .laneValid(lValid), .laneInBounds(lInb), .laneIndex(lIndex),
      .laneA(lA), .laneB(lB), .laneChan(lChan), .laneAddr(lAddr)
  );

  logic signed [ACT_W-1:0] inbuf[IN_WORDS];
  logic signed [W_W-1:0] wbuf[W_WORDS];
  logic signed [31:0] acc[ACC_WORDS];
  logic signed [63:0] rqBias[RQ_WORDS];
  logic signed [31:0] rqMul[RQ_WORDS];
  logic [7:0] rqShift[RQ_WORDS];
  logic [15:0] permTab[RQ_WORDS];

  `include "trips_chunk_datapath.svh"

  // ---- cycle counter and per-layer start / done --------------------------------------------
  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) cycles <= 64'd0;
    else cycles <= cycles + 64'd1;
  end
  assign layerStart = st == S_FETCH && cnt == 32'd0;
  assign layerDone = st == S_LDONE;
  assign running = st != S_IDLE;

  `include "trips_chunk_control.svh"
endmodule

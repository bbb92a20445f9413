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
    parameter PROGRAM_FILE = ""
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
    dw = op == trips_pkg::OP_DW;
    isAdd = op == trips_pkg::OP_ADD;
    isPool = op == trips_pkg::OP_POOL;
    mac = !isAdd && !isPool;
    permEn = mac && !permOff[31];
    K2 = K * K;
    M = mac ? outPer : outC;
    N = dw ? 32'd1 : inPer;
    nSteps = dw ? 32'd1 : trips_pkg::cdiv(N, tN);
  end

  // ---- controller state ----------------------------------------------------------------------
  typedef enum logic [3:0] {
    S_IDLE, S_FETCH, S_PARAMS, S_WLOAD, S_TSETUP, S_LOAD0, S_SWAP, S_PHASE, S_CLAST, S_ELT, S_OUT, S_LDONE
  } state_t;
  state_t st;
  logic [31:0] layer, cnt, g, m0, r0, c0, cStep, lStep;
  logic cHalf, lHalf, xGo, cGo;
  logic [1:0] xN;
  trips_pkg::xfer_t xs0, xs1, xs2;

  // extents of the current tile (pool: the whole map of an out-channel tile)
  logic [31:0] mi, ri, ci, niC, hIn, wIn;
  always_comb begin
    mi = trips_pkg::min2(tM, M - m0);
    ri = isPool ? outH : trips_pkg::min2(tR, outH - r0);
    ci = isPool ? outW : trips_pkg::min2(tC, outW - c0);
    niC = dw ? 32'd1 : trips_pkg::min2(tN, N - cStep * tN);
    hIn = (ri - 32'd1) * S + K;
    wIn = (ci - 32'd1) * S + K;
  end

  // ---- transfer descriptors ------------------------------------------------------------------
  function automatic trips_pkg::xfer_t none();
    trips_pkg::xfer_t x;
    x = '0;
    x.extB = 32'd1;
    x.extC = 32'd1;
    x.h = 32'd1;
    x.w = 32'd1;
    none = x;
  endfunction

  function automatic trips_pkg::xfer_t linear(input logic [2:0] space, input logic [2:0] target, input logic [7:0] bits,
                                   input logic [31:0] base, input logic [31:0] count);
    trips_pkg::xfer_t x;
    x = none();
    x.space = space;
    x.target = target;
    x.bits = bits;
    x.base = base;
    x.count = count;
    x.extC = count;
    linear = x;
  endfunction

  // The transfers the controller issues, formed from its state (the step and half a load is
  // for, the out-channel tile whose ws weights load next): the controller picks one or chains them.
  logic [31:0] ldStep, ldNi, wtG, wtM, wtMi;
  logic ldHalf;
  trips_pkg::xfer_t xInBox, xWBlock, xOutTile, xElt, xWTile, xBias, xMulSh, xPerm;
  always_comb begin
    // the layer's requantisation parameters (add, pool: the multipliers of the entries it uses)
    xBias = linear(trips_pkg::SP_BIAS, trips_pkg::TG_BIAS, 8'd64, rqOff, entries);
    xMulSh = linear(trips_pkg::SP_MULSH, trips_pkg::TG_MULSH, 8'd32, mac ? rqOff : rqOff + entry0, entries);
    xPerm = linear(trips_pkg::SP_PERM, trips_pkg::TG_PERM, 8'd16, permOff, entries);

    ldStep = st == S_TSETUP ? 32'd0 : lStep;
    ldHalf = st == S_TSETUP ? 1'b0 : lHalf;
    ldNi = dw ? 32'd1 : trips_pkg::min2(tN, N - ldStep * tN);
    wtG = st == S_OUT ? ng : 32'd0;
    wtM = st == S_OUT ? nm0 : 32'd0;
    wtMi = trips_pkg::min2(tM, M - wtM);

    // the step's input box: channels × rows (r-tile·S + halo) × columns, zero outside the map
    xInBox = none();
    xInBox.target = trips_pkg::TG_IN;
    xInBox.bits = qi;
    xInBox.count = (dw ? mi : ldNi) * hIn * wIn;
    xInBox.extB = wIn;
    xInBox.extC = dw ? mi : ldNi;
    xInBox.base = inAddr;
    xInBox.yoff = r0 * S - pad;
    xInBox.xoff = c0 * S - pad;
    xInBox.sa = inW * inC;
    xInBox.sb = inC;
    xInBox.coff = dw ? m0 : g * inPer + ldStep * tN;
    xInBox.h = inH;
    xInBox.w = inW;
    xInBox.bounds = 1'b1;
    xInBox.bufBase = ldHalf ? 32'(IN_HALF) : 32'd0;

    // weights [o][ky][kx][inPer]: os loads the step's m × K² × n block
    xWBlock = linear(trips_pkg::SP_WEIGHT, trips_pkg::TG_W, qi, wOff + (g * outPer + m0) * K2 * inPer, mi * K2 * ldNi);
    xWBlock.extB = K2;
    xWBlock.extC = ldNi;
    xWBlock.sa = K2 * inPer;
    xWBlock.sb = inPer;
    xWBlock.xoff = 32'd0;
    xWBlock.coff = dw ? 32'd0 : ldStep * tN;
    xWBlock.bufBase = ldHalf ? 32'(W_HALF) : 32'd0;

    // ws: the weights of the next out-channel tile for every input channel, [m][ky][kx][N]
    xWTile = linear(trips_pkg::SP_WEIGHT, trips_pkg::TG_W, qi, wOff + (wtG * outPer + wtM) * K2 * inPer, wtMi * K2 * inPer);

    // writes of the tile's results, (row, column, channel) with the channel fastest
    xOutTile = none();
    xOutTile.write = 1'b1;
    xOutTile.space = raw ? trips_pkg::SP_SCORE : trips_pkg::SP_ARENA;
    xOutTile.bits = raw ? 8'd32 : qo;
    xOutTile.outMode = raw ? trips_pkg::OUT_RAW : isPool ? trips_pkg::OUT_POOL : isAdd ? trips_pkg::OUT_COPY : trips_pkg::OUT_REQUANT;
    xOutTile.count = mi * ri * ci;
    xOutTile.extB = ci;
    xOutTile.extC = mi;
    xOutTile.base = raw ? 32'd0 : outAddr;
    xOutTile.yoff = isPool ? 32'd0 : r0;
    xOutTile.xoff = isPool ? 32'd0 : c0;
    xOutTile.sa = raw ? 32'd0 : outW * outC;
    xOutTile.sb = raw ? 32'd0 : outC;
    xOutTile.coff = mac ? g * outPer + m0 : m0;
    xOutTile.perm = permEn;

    // add: both inputs of the tile, word by word; pool: an out-channel tile's whole input map
    xElt = none();
    xElt.target = trips_pkg::TG_IN;
    xElt.bits = qi;
    xElt.extC = mi;
    xElt.base = inAddr;
    xElt.coff = m0;
    xElt.sb = inC;
    xElt.sa = inW * inC;
    if (isAdd) begin
      xElt.interleave = 1'b1;
      xElt.count = 32'd2 * mi * ri * ci;
      xElt.extB = ci;
      xElt.base2 = in2Addr;
      xElt.yoff = r0;
      xElt.xoff = c0;
    end else begin
      xElt.count = mi * inH * inW;
      xElt.extB = inW;
    end
  end

  // ---- the DMA, the compute array, the output path ------------------------------------------
  logic xBusy, xLast, cBusy, cLast;
  /* verilator lint_off UNUSEDSIGNAL */
  trips_pkg::xfer_t xc;  // the engine reads only the fields that steer lanes to buffers
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

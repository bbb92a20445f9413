// trips_chunk.sv — one chunk engine of the trips-hw accelerator template (docs/rtl.md).
// It runs a layer program (program RAM: a header with the chunk's runtime configuration, then
// one 64-word descriptor per layer) layer after layer, walking each layer's tiled loop nest in
// the chunk's loop order with the timing of the analytical cost model (docs/cost-model.md):
//   layer : fetch descriptor · requant parameters · tiles · done (1)
//   tile  : setup (8) · load step 0 · swap (2) · [compute i ∥ load i+1 · swap (2)]* · compute
//           last · stream out through requantisation
//   ws    : an out-channel tile's weights for every input channel load once, before its tiles.
// Compile-time parameters fix the hardware — the PE array and its parallel mode, the loop
// order, the banks and depths of the buffers (block or LUT RAM, as the resource model counts
// them); the program gives everything a layer needs (tiles, port rate, strides), so one build
// runs any program whose layers fit its buffers.
module trips_chunk #(
    parameter int PE_M = 2,
    parameter int PE_N = 2,
    parameter int MP = 0,
    parameter int WS = 0,
    parameter int DW = 0,
    parameter int LANES = 2,
    parameter int ACT_W = 9,
    parameter int W_W = 8,
    // words per bank (one input half, one weight copy, accumulators, requantisation tables)
    parameter int IN_DEPTH = 32,
    parameter int W_DEPTH = 32,
    parameter int ACC_DEPTH = 32,
    parameter int RQ_DEPTH = 16,
    parameter int PROG_WORDS = 1024,
    // 1: block RAM, 0: LUT RAM, per buffer
    parameter int IN_BLOCK = 0,
    parameter int W_BLOCK = 0,
    parameter int ACC_BLOCK = 0,
    parameter int RQ_BLOCK = 0,
    // 1: out-channel tiles may start inside a table word (tileM not a multiple of PE_M), so the
    // output path rotates the table banks by the tile's first channel; 0: no rotation is built
    parameter int ROT = 1,
    // a program.mem to preload (synthesis / stand-alone use); the host may also write the RAM
    parameter PROGRAM_FILE = ""
) (
    input logic clk,
    input logic rst_n,
    input logic progWe,
    input logic [$clog2(PROG_WORDS)-1:0] progAddr,
    input logic [31:0] progData,
    input logic start,
    // a system top's hold on each layer: `layerReq` while the descriptor of layer `layerId` is
    // loaded and waits; `layerGo` runs it, `layerSkip` passes over it (no image for it in this
    // pass of the program). Stand-alone: layerGo = 1, layerSkip = 0 — no cycle is added.
    output logic layerReq,
    input logic layerGo,
    input logic layerSkip,
    output logic running,
    // the controller waits for the DMA with nothing else to do (a load with no compute under it)
    output logic dramWait,
    output logic finished,
    output logic [63:0] cycles,
    output logic layerStart,
    output logic layerDone,
    output logic [31:0] layerId,
    // the DRAM port: a write word (memWe), or a read request (memReq; memReady: the port takes
    // it); each request's answer comes in order (memRvalid, memRdata), in its cycle or later
    output logic memWe,
    output logic memReq,
    input logic memReady,
    output logic [2:0] memSpace,
    // bits of each valid lane's value on the port (the request's or the write's transfer)
    output logic [7:0] memBits,
    output logic [LANES-1:0] memValid,
    output logic [LANES-1:0][31:0] memAddr,
    output logic [LANES-1:0][63:0] memWdata,
    input logic memRvalid,
    input logic [LANES-1:0][63:0] memRdata
);
  // channels per input word, values per weight word, add / pool lanes, column banks (mp)
  localparam int VI = DW != 0 ? PE_M : PE_N;
  localparam int VW = DW != 0 ? 1 : PE_N;
  localparam int E = VI < PE_M ? VI : PE_M;
  localparam int BJ = MP != 0 ? PE_N : 1;
  localparam int WCOPIES = WS != 0 ? 1 : 2;
  // an accumulator word holds a 32-bit sum, or an add's two input codes
  localparam int ACC_W = 2 * ACT_W > 32 ? 2 * ACT_W : 32;
  localparam int IA = $clog2(IN_DEPTH);
  localparam int WA = $clog2(W_DEPTH);
  localparam int AA = $clog2(ACC_DEPTH);
  localparam int TA = $clog2(RQ_DEPTH);
  localparam int PW = $clog2(PROG_WORDS);
  localparam int LPM = $clog2(PE_M);
  localparam int LPN = $clog2(PE_N);

  // ---- program RAM (registered read): header, then the descriptors -------------------------
  logic [PW-1:0] progRa;
  logic [31:0] progRd;
  trips_ram #(.WIDTH(32), .DEPTH(PROG_WORDS), .BLOCK(1), .INIT(PROGRAM_FILE)) u_prog (
      .clk, .we(progWe), .wa(progAddr), .wd(progData), .ra(progRa), .rd(progRd)
  );

  // ---- the running layer: header registers and descriptor words ----------------------------
  logic [31:0] nLayers, tM, tN, tR, tC, portFx;
  logic [trips_pkg::D_USED-1:0][31:0] d;
  logic [2:0] op;
  logic [31:0] inH, inW, inC, outH, outW, outC, K, S, pad, G, inPer, outPer, inAddr, in2Addr, outAddr;
  logic [31:0] wOff, rqOff, permOff, entries, entry0, K2, M, N, nSteps;
  logic [7:0] qi, qo;
  logic signed [31:0] lo, hi;
  logic raw, dw, mac, isAdd, isPool, permEn;
  always_comb begin
    op = d[trips_pkg::D_OP][2:0];
    {inH, inW, inC} = {d[trips_pkg::D_INH], d[trips_pkg::D_INW], d[trips_pkg::D_INC]};
    {outH, outW, outC} = {d[trips_pkg::D_OUTH], d[trips_pkg::D_OUTW], d[trips_pkg::D_OUTC]};
    {K, S, pad, G} = {d[trips_pkg::D_K], d[trips_pkg::D_S], d[trips_pkg::D_PAD], d[trips_pkg::D_G]};
    {inPer, outPer} = {d[trips_pkg::D_INPER], d[trips_pkg::D_OUTPER]};
    {inAddr, in2Addr, outAddr} = {d[trips_pkg::D_INADDR], d[trips_pkg::D_IN2ADDR], d[trips_pkg::D_OUTADDR]};
    {wOff, rqOff, permOff} = {d[trips_pkg::D_WOFF], d[trips_pkg::D_RQOFF], d[trips_pkg::D_PERMOFF]};
    lo = $signed(d[trips_pkg::D_LO]);
    hi = $signed(d[trips_pkg::D_HI]);
    raw = d[trips_pkg::D_RAW][0];
    qi = d[trips_pkg::D_QI][7:0];
    qo = d[trips_pkg::D_QO][7:0];
    {layerId, entries, entry0} = {d[trips_pkg::D_LAYER], d[trips_pkg::D_ENTRIES], d[trips_pkg::D_ENTRY0]};
    {K2, M, N, nSteps} = {d[trips_pkg::D_K2], d[trips_pkg::D_M], d[trips_pkg::D_N], d[trips_pkg::D_NSTEPS]};
    dw = op == trips_pkg::OP_DW;
    isAdd = op == trips_pkg::OP_ADD;
    isPool = op == trips_pkg::OP_POOL;
    mac = !isAdd && !isPool;
    permEn = mac && !permOff[31];
  end

  // ---- controller state ----------------------------------------------------------------------
  typedef enum logic [3:0] {
    S_IDLE, S_HEAD, S_FETCH, S_WAIT, S_PARAMS, S_WLOAD, S_TSETUP, S_LOAD0, S_SWAP, S_PHASE, S_CLAST, S_ELT, S_OUT, S_LDONE
  } state_t;
  state_t st;
  logic [31:0] layer, cnt, g, m0, r0, c0, cStep, lStep;
  logic cHalf, lHalf, xGo, cGo;
  logic [1:0] xN;
  trips_pkg::xfer_t xs0, xs1, xs2;
  // tile bases, kept by adding the descriptor's strides as the tile advances
  logic [31:0] inRow, inCol, outRow, outCol, outCh, gIn, wG, wM, tBase, tG, lStepTN, cStepTN, cStepNGW;
  logic [$clog2(PE_M+1)-1:0] tRot;  // the tile's first out channel mod PE_M: tables bank by channel
  logic signed [31:0] y0t, x0t;

  // extents of the current tile (pool: the whole map of an out-channel tile)
  logic [31:0] mi, ri, ci, niC, hIn, wIn, ldNi;
  logic [31:0] nc0, nr0, nm0, ng;  // the next tile (the controller's)
  always_comb begin
    mi = trips_pkg::min2(tM, M - m0);
    ri = isPool ? outH : trips_pkg::min2(tR, outH - r0);
    ci = isPool ? outW : trips_pkg::min2(tC, outW - c0);
    niC = dw ? 32'd1 : trips_pkg::min2(tN, N - cStepTN);
    ldNi = dw ? 32'd1 : trips_pkg::min2(tN, N - (st == S_TSETUP ? 32'd0 : lStepTN));
    hIn = trips_pkg::mul_small(S[7:0], ri - 32'd1) + K;
    wIn = trips_pkg::mul_small(S[7:0], ci - 32'd1) + K;
  end

  `include "trips_chunk_datapath.svh"

  // ---- cycle counter and per-layer start / done --------------------------------------------
  always_ff @(posedge clk) begin
    if (!rst_n) cycles <= 64'd0;
    else cycles <= cycles + 64'd1;
  end
  assign layerStart = st == S_FETCH && cnt == 32'd0;
  assign layerDone = st == S_LDONE;
  // the descriptor is complete in the cycle after its last word arrives
  assign layerReq = (st == S_FETCH && cnt == 32'(trips_pkg::D_USED) + 32'd1) || st == S_WAIT;
  assign running = st != S_IDLE;
  assign dramWait = (st == S_PARAMS || st == S_WLOAD || st == S_LOAD0 || (st == S_PHASE && !cBusy)) && xBusy;

  `include "trips_chunk_control.svh"
endmodule

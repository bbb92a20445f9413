// trips_xfer.sv — the DMA of a chunk: a chain of up to three transfers through the one DRAM
// port, walked twice. The request walk (paced by the port's credit, as trips_xfer_nest says)
// asks the port for every word of a read chain in order — a padding word too, with no lane
// valid, so the answers keep the request walk's pace — as the port takes them (`reqReady`); the
// port answers every request in order, some cycles later (`rspValid`: the latency of the DRAM,
// 0 when it answers in the same cycle). The write walk follows the answers and writes one buffer
// word per answer: the buffers see one write per cycle at most (one write port per bank), and
// everything downstream (the compute that follows the DMA, the controller that waits for the
// chain) sees the words as they land. A write chain (the output tile) has one walk: its words
// are the output path's, paced by the credit alone. With an answer in the same cycle the DMA is
// cycle for cycle the one-walk DMA the cost model describes; a latency L adds L cycles to every
// read chain.
module trips_xfer #(
    parameter int PE_M = 2,
    parameter int BJ = 1
) (
    input logic clk,
    input logic rst_n,
    input logic go,
    input logic [1:0] nslots,
    input logic [trips_pkg::XFER_BITS-1:0] slot0,
    input logic [trips_pkg::XFER_BITS-1:0] slot1,
    input logic [trips_pkg::XFER_BITS-1:0] slot2,
    input logic [31:0] portFx,
    output logic busy,
    output logic last,
    // the request walk: this cycle's request (a read chain's word), its transfer, DRAM word, values, in bounds
    input logic reqReady,
    output logic req,
    output logic [trips_pkg::XFER_BITS-1:0] reqCur,
    output logic [31:0] reqAddr,
    output logic [7:0] reqLen,
    output logic reqInb,
    // the answer to the oldest request
    input logic rspValid,
    // the write walk: this cycle's word (the answer's, or an output word), where it goes
    output logic [trips_pkg::XFER_BITS-1:0] cur,
    output logic beat,
    output logic [7:0] len,
    output logic [31:0] dAddr,
    output logic inb,
    output logic [31:0] word,
    output logic [$clog2(PE_M+1)-1:0] aBank,
    output logic [$clog2(BJ+1)-1:0] cBank,
    output logic src,
    output logic [31:0] segWord,
    output logic [31:0] posA,
    output logic [31:0] posB,
    output logic posS,
    output logic [31:0] posC
);
  /* verilator lint_off UNUSEDSIGNAL */
  trips_pkg::xfer_t first;  // of the chain's first transfer, only whether it writes
  /* verilator lint_on UNUSEDSIGNAL */
  logic writeChain, rBusy, rBeat, rLast, wBusy, wLast;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0] rWord, rSegWord, rPosA, rPosB, rPosC;
  logic [$clog2(PE_M+1)-1:0] rABank;
  logic [$clog2(BJ+1)-1:0] rCBank;
  logic rSrc, rPosS;
  /* verilator lint_on UNUSEDSIGNAL */
  // a chain writes or reads as a whole: the output tile is a chain of its own
  logic writeQ;
  always_ff @(posedge clk) begin
    if (!rst_n) writeQ <= 1'b0;
    else if (go) writeQ <= first.write;
  end
  always_comb begin
    first = slot0;
    writeChain = go ? first.write : writeQ;
  end
  trips_xfer_nest #(.PE_M(PE_M), .BJ(BJ), .CREDIT(1)) u_req (
      .clk, .rst_n, .go, .en(writeChain || reqReady), .nslots, .slot0, .slot1, .slot2, .portFx, .busy(rBusy), .last(rLast),
      .cur(reqCur), .beat(rBeat), .len(reqLen), .dAddr(reqAddr), .inb(reqInb), .word(rWord), .aBank(rABank),
      .cBank(rCBank), .src(rSrc), .segWord(rSegWord), .posA(rPosA), .posB(rPosB), .posS(rPosS), .posC(rPosC)
  );
  trips_xfer_nest #(.PE_M(PE_M), .BJ(BJ), .CREDIT(0)) u_write (
      .clk, .rst_n, .go, .en(writeChain ? rBeat : rspValid), .nslots, .slot0, .slot1, .slot2, .portFx, .busy(wBusy),
      .last(wLast), .cur, .beat, .len, .dAddr, .inb, .word, .aBank, .cBank, .src, .segWord, .posA, .posB, .posS, .posC
  );
  always_comb begin
    req = rBeat && !writeChain;
    // the chain is over when its last word has landed
    last = wLast;
    busy = wBusy;
  end
  /* verilator lint_off UNUSEDSIGNAL */
  logic unusedR;
  assign unusedR = rBusy ^ rLast;
  /* verilator lint_on UNUSEDSIGNAL */
endmodule

// trips_axi_copy.sv — test top for the AXI masters (test/rtl/axi.test.ts): trips_axi_rd's word
// stream feeds trips_axi_wr's, so each pair of commands copies a region of the memory on one
// AXI4 port (read and write channels) that hw/sim/axi_copy.cpp serves with its DRAM model.
module trips_axi_copy #(
    parameter int DW = 64,
    parameter int MAX_OUT = 4,
    parameter int MAX_LEN = 256,
    // 0: the read stream feeds the write stream directly; n: through a queue of n words, the
    // read master told its free space (as a DMA tells it its buffer's)
    parameter int BUF = 0
) (
    input logic clk,
    input logic rst_n,
    // 1: the read stream is drained here (the write master idle): reads alone
    input logic sink,
    // 1: the write stream is a count of its beats (the read master idle): writes alone
    input logic source,
    input logic rdValid,
    output logic rdReady,
    input logic [31:0] rdAddr,
    input logic [31:0] rdBeats,
    input logic wrValid,
    output logic wrReady,
    input logic [31:0] wrAddr,
    input logic [31:0] wrBeats,
    output logic idle,
    output logic err,
    output logic lastSeen,
    output logic [31:0] m_axi_araddr,
    output logic [7:0] m_axi_arlen,
    output logic [2:0] m_axi_arsize,
    output logic [1:0] m_axi_arburst,
    output logic [3:0] m_axi_arcache,
    output logic [2:0] m_axi_arprot,
    output logic m_axi_arvalid,
    input logic m_axi_arready,
    input logic [DW-1:0] m_axi_rdata,
    input logic [1:0] m_axi_rresp,
    input logic m_axi_rlast,
    input logic m_axi_rvalid,
    output logic m_axi_rready,
    output logic [31:0] m_axi_awaddr,
    output logic [7:0] m_axi_awlen,
    output logic [2:0] m_axi_awsize,
    output logic [1:0] m_axi_awburst,
    output logic [3:0] m_axi_awcache,
    output logic [2:0] m_axi_awprot,
    output logic m_axi_awvalid,
    input logic m_axi_awready,
    output logic [DW-1:0] m_axi_wdata,
    output logic [DW/8-1:0] m_axi_wstrb,
    output logic m_axi_wlast,
    output logic m_axi_wvalid,
    input logic m_axi_wready,
    input logic [1:0] m_axi_bresp,
    input logic m_axi_bvalid,
    output logic m_axi_bready
);
  logic dValid, dLast, rdIdle, wrIdle, rdErr, wrErr, rdReadyStream;
  logic [DW-1:0] dData, qData;
  logic [31:0] room;
  // the write master's side of the queue (or of the direct stream)
  logic qValid, qReady;
  if (BUF == 0) begin : g_direct
    assign rdReadyStream = sink || qReady;
    assign qValid = dValid && !sink;
    assign qData = dData;
    assign room = 32'hffff_ffff;
  end else begin : g_queue
    logic full, empty;
    logic [(BUF > 1 ? $clog2(BUF) : 1):0] level;
    trips_fifo #(
        .W(DW),
        .DEPTH(BUF)
    ) u_queue (
        .clk,
        .rst_n,
        .push(dValid && !full && !sink),
        .din(dData),
        .pop(qReady),
        .dout(qData),
        .full,
        .empty,
        .level
    );
    assign rdReadyStream = sink || !full;
    assign qValid = !empty;
    assign room = sink ? 32'hffff_ffff : 32'(BUF) - 32'(level);
  end
  trips_axi_rd #(
      .AW(32),
      .DW(DW),
      .MAX_OUT(MAX_OUT),
      .MAX_LEN(MAX_LEN)
  ) u_rd (
      .clk,
      .rst_n,
      .cmdValid(rdValid),
      .cmdReady(rdReady),
      .cmdAddr(rdAddr),
      .cmdBeats(rdBeats),
      .room,
      .dValid,
      .dReady(rdReadyStream),
      .dData,
      .dLast,
      .idle(rdIdle),
      .err(rdErr),
      .m_axi_araddr,
      .m_axi_arlen,
      .m_axi_arsize,
      .m_axi_arburst,
      .m_axi_arcache,
      .m_axi_arprot,
      .m_axi_arvalid,
      .m_axi_arready,
      .m_axi_rdata,
      .m_axi_rresp,
      .m_axi_rlast,
      .m_axi_rvalid,
      .m_axi_rready
  );
  trips_axi_wr #(
      .AW(32),
      .DW(DW),
      .MAX_OUT(MAX_OUT),
      .MAX_LEN(MAX_LEN)
  ) u_wr (
      .clk,
      .rst_n,
      .cmdValid(wrValid),
      .cmdReady(wrReady),
      .cmdAddr(wrAddr),
      .cmdBeats(wrBeats),
      .sValid(source || qValid),
      .sReady(qReady),
      .sData(source ? DW'({((DW + 63) / 64) {count}}) : qData),
      .sStrb({(DW / 8) {1'b1}}),
      .idle(wrIdle),
      .err(wrErr),
      .m_axi_awaddr,
      .m_axi_awlen,
      .m_axi_awsize,
      .m_axi_awburst,
      .m_axi_awcache,
      .m_axi_awprot,
      .m_axi_awvalid,
      .m_axi_awready,
      .m_axi_wdata,
      .m_axi_wstrb,
      .m_axi_wlast,
      .m_axi_wvalid,
      .m_axi_wready,
      .m_axi_bresp,
      .m_axi_bvalid,
      .m_axi_bready
  );
  assign idle = rdIdle && wrIdle;
  assign err = rdErr || wrErr;
  // a command's last word went by (the driver counts them)
  assign lastSeen = dValid && rdReadyStream && dLast;
  // the beats the write master took, as the source's data
  logic [63:0] count;
  always_ff @(posedge clk)
    if (!rst_n) count <= '0;
    else if (source && qReady) count <= count + 64'd1;
endmodule

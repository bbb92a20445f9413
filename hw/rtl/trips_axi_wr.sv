// trips_axi_wr.sv — an AXI4 write master: commands of `beats` port words to a byte address
// become INCR bursts (trips_axi_burst), up to MAX_OUT of them awaiting their response, and the
// words of a stream (valid/ready, with byte strobes) go out as their W beats, WLAST on each
// burst's last. A burst's W beats may start before its address is accepted: its length is queued
// when the address is presented, so a slave that waits for WVALID before AWREADY (as AXI4
// allows) cannot deadlock it. err is sticky on a response other than OKAY (no exclusive access is issued).
module trips_axi_wr #(
    parameter int AW = 32,
    parameter int DW = 64,
    parameter int MAX_OUT = 4,
    parameter int MAX_LEN = 256
) (
    input logic clk,
    input logic rst_n,
    input logic cmdValid,
    output logic cmdReady,
    input logic [AW-1:0] cmdAddr,
    input logic [31:0] cmdBeats,
    input logic sValid,
    output logic sReady,
    input logic [DW-1:0] sData,
    input logic [DW/8-1:0] sStrb,
    // no command being cut, every burst written and answered
    output logic idle,
    output logic err,
    output logic [AW-1:0] m_axi_awaddr,
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
  localparam int OW = $clog2(MAX_OUT + 1);
  localparam int SB = $clog2(DW / 8);
  logic bValid, bReady, burstIdle, take, wHs, lenEmpty;
  logic [AW-1:0] bAddr;
  logic [7:0] bLen, headLen, wCnt;
  logic [OW-1:0] outQ;
  /* verilator lint_off PINCONNECTEMPTY */
  trips_axi_burst #(
      .AW(AW),
      .DW(DW),
      .MAX_LEN(MAX_LEN)
  ) u_burst (
      .clk,
      .rst_n,
      .cmdValid,
      .cmdReady,
      .cmdAddr,
      .cmdBeats,
      .bValid,
      .bReady,
      .bAddr,
      .bLen,
      .bLast(),
      .idle(burstIdle)
  );
  // the length of every burst presented and not yet written, for WLAST
  trips_fifo #(
      .W(8),
      .DEPTH(MAX_OUT)
  ) u_len (
      .clk,
      .rst_n,
      .push(take),
      .din(bLen),
      .pop(wHs && m_axi_wlast),
      .dout(headLen),
      .full(),
      .empty(lenEmpty),
      .level()
  );
  /* verilator lint_on PINCONNECTEMPTY */
  always_comb begin
    // a burst is presented on AW when the register is free and fewer than MAX_OUT await a response
    take = bValid && (!m_axi_awvalid || m_axi_awready) && outQ < OW'(MAX_OUT);
    bReady = take;
    m_axi_awsize = 3'(SB);
    m_axi_awburst = 2'b01;
    m_axi_awcache = 4'b0011;
    m_axi_awprot = 3'b000;
    m_axi_wvalid = sValid && !lenEmpty;
    sReady = m_axi_wready && !lenEmpty;
    m_axi_wdata = sData;
    m_axi_wstrb = sStrb;
    m_axi_wlast = wCnt == headLen;
    wHs = m_axi_wvalid && m_axi_wready;
    m_axi_bready = 1'b1;
    idle = burstIdle && !m_axi_awvalid && outQ == '0;
  end
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      m_axi_awvalid <= 1'b0;
      m_axi_awaddr <= '0;
      m_axi_awlen <= '0;
      wCnt <= '0;
      outQ <= '0;
      err <= 1'b0;
    end else begin
      if (take) begin
        m_axi_awvalid <= 1'b1;
        m_axi_awaddr <= bAddr;
        m_axi_awlen <= bLen;
      end else if (m_axi_awready) m_axi_awvalid <= 1'b0;
      if (wHs) wCnt <= m_axi_wlast ? 8'd0 : wCnt + 8'd1;
      if (take && !m_axi_bvalid) outQ <= outQ + 1'b1;
      else if (!take && m_axi_bvalid) outQ <= outQ - 1'b1;
      if (m_axi_bvalid && m_axi_bresp != 2'b00) err <= 1'b1;
    end
  end
endmodule

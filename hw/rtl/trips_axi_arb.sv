// trips_axi_arb.sv — N AXI4 masters onto one AXI4 port (the system top's way to a board's DRAM
// port): the master's index becomes the transaction ID, so read data and write responses go
// back by RID and BID. Read and write addresses are granted round-robin, a grant held until its
// handshake (VALID and payload stay stable downstream; trips_axi_grant). Write data follows the order of the
// write addresses granted: the index is queued when an address is granted — not when it is
// accepted — so a slave that waits for WVALID before AWREADY (as AXI4 allows) cannot deadlock
// it. WQ bounds the write bursts granted and not yet written (N · the masters' MAX_OUT covers
// every master's). Packed arrays of the masters' signals, master i in slice i.
module trips_axi_arb #(
    parameter int N = 2,
    parameter int AW = 32,
    parameter int DW = 64,
    parameter int WQ = 8,
    // ID bits: the masters' index
    parameter int IW = N > 1 ? $clog2(N) : 1
) (
    input logic clk,
    input logic rst_n,
    // the masters
    input logic [N-1:0][AW-1:0] s_araddr,
    input logic [N-1:0][7:0] s_arlen,
    input logic [N-1:0][2:0] s_arsize,
    input logic [N-1:0][1:0] s_arburst,
    input logic [N-1:0][3:0] s_arcache,
    input logic [N-1:0][2:0] s_arprot,
    input logic [N-1:0] s_arvalid,
    output logic [N-1:0] s_arready,
    output logic [DW-1:0] s_rdata,
    output logic [1:0] s_rresp,
    output logic s_rlast,
    output logic [N-1:0] s_rvalid,
    input logic [N-1:0] s_rready,
    input logic [N-1:0][AW-1:0] s_awaddr,
    input logic [N-1:0][7:0] s_awlen,
    input logic [N-1:0][2:0] s_awsize,
    input logic [N-1:0][1:0] s_awburst,
    input logic [N-1:0][3:0] s_awcache,
    input logic [N-1:0][2:0] s_awprot,
    input logic [N-1:0] s_awvalid,
    output logic [N-1:0] s_awready,
    input logic [N-1:0][DW-1:0] s_wdata,
    input logic [N-1:0][DW/8-1:0] s_wstrb,
    input logic [N-1:0] s_wlast,
    input logic [N-1:0] s_wvalid,
    output logic [N-1:0] s_wready,
    output logic [1:0] s_bresp,
    output logic [N-1:0] s_bvalid,
    input logic [N-1:0] s_bready,
    // the port
    output logic [IW-1:0] m_axi_arid,
    output logic [AW-1:0] m_axi_araddr,
    output logic [7:0] m_axi_arlen,
    output logic [2:0] m_axi_arsize,
    output logic [1:0] m_axi_arburst,
    output logic [3:0] m_axi_arcache,
    output logic [2:0] m_axi_arprot,
    output logic m_axi_arvalid,
    input logic m_axi_arready,
    input logic [IW-1:0] m_axi_rid,
    input logic [DW-1:0] m_axi_rdata,
    input logic [1:0] m_axi_rresp,
    input logic m_axi_rlast,
    input logic m_axi_rvalid,
    output logic m_axi_rready,
    output logic [IW-1:0] m_axi_awid,
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
    input logic [IW-1:0] m_axi_bid,
    input logic [1:0] m_axi_bresp,
    input logic m_axi_bvalid,
    output logic m_axi_bready
);
  // ---- round-robin grants, each held from its first cycle to its handshake
  logic [IW-1:0] arSel, awSel, wHead;
  logic awStart, wqFull, wqEmpty;
  /* verilator lint_off PINCONNECTEMPTY */
  trips_axi_grant #(
      .N (N),
      .IW(IW)
  ) u_ar (
      .clk,
      .rst_n,
      .req(s_arvalid),
      .allow(1'b1),
      .done(m_axi_arvalid && m_axi_arready),
      .sel(arSel),
      .active(m_axi_arvalid),
      .start()
  );
  /* verilator lint_on PINCONNECTEMPTY */
  // a new write grant needs room to queue its index for the data
  trips_axi_grant #(
      .N (N),
      .IW(IW)
  ) u_aw (
      .clk,
      .rst_n,
      .req(s_awvalid),
      .allow(!wqFull),
      .done(m_axi_awvalid && m_axi_awready),
      .sel(awSel),
      .active(m_axi_awvalid),
      .start(awStart)
  );
  // one block per channel: the channels meet in the masters (a read stream feeding a write),
  // so one block for all would be a false combinational loop for a simulator
  always_comb begin
    m_axi_arid = arSel;
    m_axi_araddr = s_araddr[arSel];
    m_axi_arlen = s_arlen[arSel];
    m_axi_arsize = s_arsize[arSel];
    m_axi_arburst = s_arburst[arSel];
    m_axi_arcache = s_arcache[arSel];
    m_axi_arprot = s_arprot[arSel];
    s_arready = '0;
    s_arready[arSel] = m_axi_arvalid && m_axi_arready;
  end
  always_comb begin
    m_axi_awid = awSel;
    m_axi_awaddr = s_awaddr[awSel];
    m_axi_awlen = s_awlen[awSel];
    m_axi_awsize = s_awsize[awSel];
    m_axi_awburst = s_awburst[awSel];
    m_axi_awcache = s_awcache[awSel];
    m_axi_awprot = s_awprot[awSel];
    s_awready = '0;
    s_awready[awSel] = m_axi_awvalid && m_axi_awready;
  end
  // read data and write responses back by ID
  always_comb begin
    s_rdata = m_axi_rdata;
    s_rresp = m_axi_rresp;
    s_rlast = m_axi_rlast;
    s_rvalid = '0;
    s_rvalid[m_axi_rid] = m_axi_rvalid;
  end
  assign m_axi_rready = s_rready[m_axi_rid];
  always_comb begin
    s_bresp = m_axi_bresp;
    s_bvalid = '0;
    s_bvalid[m_axi_bid] = m_axi_bvalid;
  end
  assign m_axi_bready = s_bready[m_axi_bid];
  // write data from the master whose address was granted first
  always_comb begin
    m_axi_wvalid = !wqEmpty && s_wvalid[wHead];
    m_axi_wdata = s_wdata[wHead];
    m_axi_wstrb = s_wstrb[wHead];
    m_axi_wlast = s_wlast[wHead];
  end
  always_comb begin
    s_wready = '0;
    s_wready[wHead] = !wqEmpty && m_axi_wready;
  end
  /* verilator lint_off PINCONNECTEMPTY */
  trips_fifo #(
      .W(IW),
      .DEPTH(WQ)
  ) u_order (
      .clk,
      .rst_n,
      .push(awStart),
      .din(awSel),
      .pop(m_axi_wvalid && m_axi_wready && m_axi_wlast),
      .dout(wHead),
      .full(wqFull),
      .empty(wqEmpty),
      .level()
  );
  /* verilator lint_on PINCONNECTEMPTY */
endmodule

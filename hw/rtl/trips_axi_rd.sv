// trips_axi_rd.sv — an AXI4 read master: commands of `beats` port words from a byte address
// become INCR bursts (trips_axi_burst), up to MAX_OUT of them in flight, and the words come back
// in order as a stream with valid/ready (the stream's ready is RREADY: a consumer that stalls
// stalls the bus). One ID: AXI4 returns one ID's bursts in order. dLast marks a command's last
// word; err is sticky on a response other than OKAY (no exclusive access is issued). Signal names as the AXI specification's.
module trips_axi_rd #(
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
    // beats the consumer will take from here on without stalling (its free space): a burst goes
    // out only when every beat in flight and its own fit, so the shared, in-order R channel never
    // waits on this master's consumer; all ones for a consumer that never stalls
    input logic [31:0] room,
    output logic dValid,
    input logic dReady,
    output logic [DW-1:0] dData,
    output logic dLast,
    // no command being cut and no burst in flight
    output logic idle,
    output logic err,
    output logic [AW-1:0] m_axi_araddr,
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
    output logic m_axi_rready
);
  localparam int SB = $clog2(DW / 8);
  logic bValid, bReady, bLast, burstIdle, arHs, rHs, endsCmd, lastFull, lastEmpty;
  logic [AW-1:0] bAddr;
  logic [7:0] bLen;
  logic [31:0] flightQ;
  logic fits;
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
      .bLast,
      .idle(burstIdle)
  );
  // (the address, the handshake and the data in blocks of their own: a simulator sees no false
  // loop when ARREADY comes from logic that reads ARVALID, as an arbiter's does)
  always_comb begin
    // the bursts in flight (u_last's entries) only fall while a burst waits, so ARVALID, once
    // high, stays high until ARREADY; room − flightQ only grows while a burst waits (each beat
    // that lands leaves flight), so the burst, once shown, still fits
    fits = {1'b0, flightQ} + {24'd0, bLen} + 33'd1 <= {1'b0, room};
    m_axi_arvalid = bValid && !lastFull && fits;
    m_axi_araddr = bAddr;
    m_axi_arlen = bLen;
    m_axi_arsize = 3'(SB);
    m_axi_arburst = 2'b01;
    m_axi_arcache = 4'b0011;
    m_axi_arprot = 3'b000;
  end
  always_comb begin
    bReady = m_axi_arready && !lastFull && fits;
    arHs = m_axi_arvalid && m_axi_arready;
  end
  always_comb begin
    m_axi_rready = dReady;
    rHs = m_axi_rvalid && m_axi_rready;
    dValid = m_axi_rvalid;
    dData = m_axi_rdata;
    dLast = m_axi_rlast && endsCmd && !lastEmpty;
    idle = burstIdle && lastEmpty;
  end
  // per burst in flight (MAX_OUT at most), whether it ends its command
  /* verilator lint_off PINCONNECTEMPTY */
  trips_fifo #(
      .W(1),
      .DEPTH(MAX_OUT)
  ) u_last (
      .clk,
      .rst_n,
      .push(arHs),
      .din(bLast),
      .pop(rHs && m_axi_rlast),
      .dout(endsCmd),
      .full(lastFull),
      .empty(lastEmpty),
      .level()
  );
  /* verilator lint_on PINCONNECTEMPTY */
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      flightQ <= '0;
      err <= 1'b0;
    end else begin
      flightQ <= flightQ + (arHs ? 32'(bLen) + 32'd1 : 32'd0) - (rHs ? 32'd1 : 32'd0);
      if (rHs && m_axi_rresp != 2'b00) err <= 1'b1;
    end
  end
endmodule

// trips_axi_burst.sv — cuts a command (`beats` words of DW bits from byte address `addr`) into
// AXI4 INCR bursts: at most MAX_LEN beats each and none across a 4 KB boundary (AXI4 A3.4.1),
// one burst per cycle into a registered output that holds until taken. The address is
// DW/8-aligned (the DRAM layout aligns every segment to a port word); a command of 0 beats is
// accepted and issues nothing. The AXI read and write masters both use it.
module trips_axi_burst #(
    parameter int AW = 32,
    parameter int DW = 64,
    parameter int MAX_LEN = 256
) (
    input logic clk,
    input logic rst_n,
    input logic cmdValid,
    output logic cmdReady,
    input logic [AW-1:0] cmdAddr,
    input logic [31:0] cmdBeats,
    // the next burst: its address, AXI length (beats − 1), whether it ends its command
    output logic bValid,
    input logic bReady,
    output logic [AW-1:0] bAddr,
    output logic [7:0] bLen,
    output logic bLast,
    output logic idle
);
  localparam int SB = $clog2(DW / 8);
  logic active;
  logic [AW-1:0] addrQ;
  logic [31:0] remQ, len;
  logic [12:0] toPage;
  always_comb begin
    // beats left before the next 4 KB boundary: 1 … 4096 / (DW/8)
    toPage = (13'd4096 - {1'b0, addrQ[11:0]}) >> SB;
    len = remQ;
    if (len > 32'(MAX_LEN)) len = 32'(MAX_LEN);
    if (len > 32'(toPage)) len = 32'(toPage);
    cmdReady = !active;
    idle = !active && !bValid;
  end
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      active <= 1'b0;
      bValid <= 1'b0;
      addrQ <= '0;
      remQ <= '0;
      bAddr <= '0;
      bLen <= '0;
      bLast <= 1'b0;
    end else begin
      if (!bValid || bReady) begin
        bValid <= active;
        if (active) begin
          bAddr <= addrQ;
          bLen <= 8'(len - 32'd1);
          bLast <= remQ == len;
          addrQ <= addrQ + AW'(len << SB);
          remQ <= remQ - len;
          if (remQ == len) active <= 1'b0;
        end
      end
      if (cmdValid && !active && cmdBeats != 32'd0) begin
        active <= 1'b1;
        addrQ <= cmdAddr;
        remQ <= cmdBeats;
      end
    end
  end
endmodule

// trips_fifo.sv — a small first-in first-out queue: DEPTH entries of W bits in registers (the
// AXI masters keep one entry per burst in flight, so DEPTH is a handful and the read may be
// combinational), a push and a pop in the same cycle allowed. A push when full and a pop when
// empty are ignored; the users never ask for either.
module trips_fifo #(
    parameter int W = 8,
    parameter int DEPTH = 4
) (
    input logic clk,
    input logic rst_n,
    input logic push,
    input logic [W-1:0] din,
    input logic pop,
    output logic [W-1:0] dout,
    output logic full,
    output logic empty,
    // entries held
    output logic [(DEPTH > 1 ? $clog2(DEPTH) : 1):0] level
);
  localparam int A = DEPTH > 1 ? $clog2(DEPTH) : 1;
  logic [W-1:0] mem[DEPTH];
  logic [A-1:0] rp, wp;
  logic [A:0] n;
  logic doPush, doPop;
  assign full = n == (A + 1)'(DEPTH);
  assign empty = n == '0;
  assign dout = mem[rp];
  assign level = n;
  assign doPush = push && !full;
  assign doPop = pop && !empty;
  always_ff @(posedge clk) if (doPush) mem[wp] <= din;
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      rp <= '0;
      wp <= '0;
      n <= '0;
    end else begin
      if (doPush) wp <= wp == A'(DEPTH - 1) ? '0 : wp + 1'b1;
      if (doPop) rp <= rp == A'(DEPTH - 1) ? '0 : rp + 1'b1;
      if (doPush && !doPop) n <= n + 1'b1;
      else if (doPop && !doPush) n <= n - 1'b1;
    end
  end
endmodule

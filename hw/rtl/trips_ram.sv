// trips_ram.sv — one bank of on-chip memory: a simple dual-port RAM, one write port and one
// read port whose data is registered (read address in cycle t, data in cycle t + 1), the
// template that Yosys, Vivado and Quartus all infer as block RAM. BLOCK selects block RAM
// (1) or distributed LUT RAM (0); the lowering chooses it with the resource model's rule
// (src/accel/resources.ts), so the memory the model counts is the memory synthesis builds.
module trips_ram #(
    parameter int WIDTH = 9,
    parameter int DEPTH = 512,
    parameter int BLOCK = 1,
    // a $readmemh image to preload (block RAM only: the program)
    parameter INIT = ""
) (
    input logic clk,
    input logic we,
    input logic [$clog2(DEPTH)-1:0] wa,
    input logic [WIDTH-1:0] wd,
    input logic [$clog2(DEPTH)-1:0] ra,
    output logic [WIDTH-1:0] rd
);
  // words wider than a block RAM's widest port (72 bits) are slices of independent memories,
  // so each maps alone and the resource model can count them as it counts one memory
  localparam int SLICE = 72;
  localparam int SLICES = (WIDTH + SLICE - 1) / SLICE;
  for (genvar k = 0; k < SLICES; k++) begin : g_slice
    localparam int LO = k * SLICE;
    localparam int W = WIDTH - LO < SLICE ? WIDTH - LO : SLICE;
    if (BLOCK != 0) begin : g_block
      (* ram_style = "block" *) logic [W-1:0] mem[DEPTH];
      if (k == 0) begin : g_init
        initial if (INIT != "") $readmemh(INIT, mem);
      end
      always_ff @(posedge clk) begin
        if (we) mem[wa] <= wd[LO+:W];
        rd[LO+:W] <= mem[ra];
      end
    end else begin : g_lut
      (* ram_style = "distributed" *) logic [W-1:0] mem[DEPTH];
      always_ff @(posedge clk) begin
        if (we) mem[wa] <= wd[LO+:W];
        rd[LO+:W] <= mem[ra];
      end
    end
  end
endmodule

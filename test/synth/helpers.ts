/**
 * Shared pieces of the synthesis tests: a tiny module whose mapping is known (a registered 8×8
 * signed multiply-accumulate: one DSP48; a 36×512 RAM with a registered read: one RAMB18), its
 * job through the engines' own script template, and whether a system yosys is there.
 */
import { execa } from 'execa';
import type { YosysFamily } from '../../src/backend/rtl/synth.js';
import { yosysScript } from '../../src/backend/rtl/synth.js';
import type { SynthJob } from '../../src/synth/index.js';

/** `tiny_top`: the MAC (its accumulator fits the DSP's P register) next to the RAM; W and D are parameters. */
export const TINY_SV = `module tiny_mac (
    input logic clk,
    input logic signed [7:0] a,
    input logic signed [7:0] b,
    output logic signed [31:0] acc
);
  logic signed [7:0] ar, br;
  logic signed [15:0] p;
  always_ff @(posedge clk) begin
    ar <= a;
    br <= b;
    p <= ar * br;
    acc <= acc + 32'(p);
  end
endmodule

module tiny_ram #(
    parameter int W = 8,
    parameter int D = 16
) (
    input logic clk,
    input logic we,
    input logic [$clog2(D)-1:0] wa,
    input logic [W-1:0] wd,
    input logic [$clog2(D)-1:0] ra,
    output logic [W-1:0] rd
);
  logic [W-1:0] mem[D];
  always_ff @(posedge clk) begin
    if (we) mem[wa] <= wd;
    rd <= mem[ra];
  end
endmodule

module tiny_top #(
    parameter int W = 8,
    parameter int D = 16
) (
    input logic clk,
    input logic signed [7:0] a,
    input logic signed [7:0] b,
    output logic signed [31:0] acc,
    input logic we,
    input logic [$clog2(D)-1:0] wa,
    input logic [W-1:0] wd,
    input logic [$clog2(D)-1:0] ra,
    output logic [W-1:0] rd
);
  tiny_mac u_mac (.*);
  tiny_ram #(.W(W), .D(D)) u_ram (.*);
endmodule
`;

/** The tiny module as a synthesis job: 36 × 512 words, through templates/rtl/synth-script.hbs. */
export function tinyJob(family: YosysFamily, source = TINY_SV): SynthJob {
  const outputs = { stat: 'stat.json', ltp: 'ltp.txt' };
  const params = [
    { name: 'W', value: 36 },
    { name: 'D', value: 512 },
  ];
  return {
    family,
    key: params,
    inputs: { 'src/tiny.sv': source },
    script: yosysScript({ includeDir: 'src', sources: ['src/tiny.sv'], params, top: 'tiny_top', family, ...outputs }),
    outputs,
  };
}

/** Why the system-yosys tests skip, or undefined when `yosys` is on PATH. */
export async function systemYosysMissing(): Promise<string | undefined> {
  try {
    await execa('yosys', ['-V']);
    return undefined;
  } catch {
    return '(skipped: no yosys on PATH — apt-get install yosys)';
  }
}

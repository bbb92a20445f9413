/**
 * Analytical timing of the AXI4 read master (hw/rtl/trips_axi_rd.sv) against a DRAM with a
 * latency and a bandwidth — the terms the system model (issue 17) charges a transfer, held
 * against the Verilator copy top and its DRAM model (test/rtl/axi.test.ts, docs/rtl.md §8).
 *
 * A command of contiguous port words is cut into bursts of at most MAX_LEN beats, none across a
 * 4 KB boundary (`axiBursts`). One burst slot (of `inFlight`) is busy from its address to its
 * last beat: max(latency, 1) cycles, then its beats at the DRAM's rate (the first at once, the
 * DRAM having banked one), and the slot is free to issue again the cycle after; so with bursts
 * of B beats the port moves
 *   min(rate, inFlight · B / (max(L, 1) + 1 + (B − 1) / rate))   beats per cycle,
 * and a finite stream takes the longer of its rate-bound and slot-bound times (axiReadCycles).
 * Pure functions.
 */

/** AXI4 INCR bursts of at most `maxLen` beats (≤ 256) a command of `beats` port words from byte address `addr` needs. */
export function axiBursts(addr: number, beats: number, portBytes: number, maxLen = 256): number {
  if (beats <= 0) return 0;
  let bursts = 0;
  let a = addr;
  let left = beats;
  while (left > 0) {
    const toPage = (4096 - (a % 4096)) / portBytes;
    const len = Math.min(left, maxLen, toPage);
    a += len * portBytes;
    left -= len;
    bursts++;
  }
  return bursts;
}

export interface AxiReadStream {
  /** Bursts in the stream, alike. */
  readonly bursts: number;
  /** Beats of each. */
  readonly beatsPerBurst: number;
  /** Cycles from a burst's address accepted to its first beat. */
  readonly latency: number;
  /** Bursts the master keeps in flight (MAX_OUT). */
  readonly inFlight: number;
  /** Beats per cycle the DRAM gives this port (≤ 1: one beat a cycle on the R channel at most). */
  readonly rate: number;
}

/** Beats per cycle a stream of alike bursts moves once it is going. */
export function axiReadThroughput(s: AxiReadStream): number {
  const rate = Math.min(1, s.rate);
  // a burst's first beat on the latency, each next one 1 / rate later (the DRAM banks no more
  // than a beat of bandwidth while the port waits), the slot free the cycle after its last
  const period = Math.max(1, s.latency) + 1 + (s.beatsPerBurst - 1) / rate;
  return Math.min(rate, (s.inFlight * s.beatsPerBurst) / period);
}

/**
 * Cycles from the command to the stream's last beat: 2 to cut the first burst and present its
 * address, then the longer of what the DRAM's rate allows (the first beat after the latency, the
 * rest at the rate) and what the slots allow (⌈n / inFlight⌉ slot periods, the slots staggered by
 * one burst's beats each, since bursts issued together share the one R channel).
 */
export function axiReadCycles(s: AxiReadStream): number {
  if (s.bursts <= 0) return 0;
  const rate = Math.min(1, s.rate);
  const latency = Math.max(1, s.latency);
  const beatsAfterFirst = (s.beatsPerBurst - 1) / rate;
  const period = latency + 1 + beatsAfterFirst;
  const rateBound = latency + 1 + (s.bursts * s.beatsPerBurst - 1) / rate;
  const slotBound = Math.ceil(s.bursts / s.inFlight) * period + (Math.min(s.bursts, s.inFlight) - 1) * beatsAfterFirst;
  return 2 + Math.max(rateBound, slotBound);
}

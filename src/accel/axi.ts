/**
 * Analytical timing of the AXI4 read and write masters (hw/rtl/trips_axi_rd.sv, trips_axi_wr.sv)
 * against a DRAM with a latency and a bandwidth — the terms the system model (issue 17) will
 * charge a transfer, held against the Verilator copy top and its DRAM model (test/rtl/axi.test.ts,
 * docs/rtl.md §8).
 *
 * A command of contiguous port words is cut into bursts of at most MAX_LEN beats, none across a
 * 4 KB boundary (`axiBursts`). One burst slot (of `inFlight`) is busy for its latency (a read's
 * to its first beat, a write's from its last beat to its response), its beats at the DRAM's rate
 * (the first at once, the DRAM having banked one) and the master's constant cycles; so with
 * bursts of B beats the port moves min(rate, inFlight · B / period) beats per cycle, and a finite
 * stream takes the longer of its rate-bound and slot-bound times (axiStreamCycles). Pure functions.
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

export interface AxiStream {
  /** Bursts in the stream, alike. */
  readonly bursts: number;
  /** Beats of each. */
  readonly beatsPerBurst: number;
  /** Read: cycles from a burst's address accepted to its first beat; write: from its last beat to its response. */
  readonly latency: number;
  /** Bursts the master keeps in flight (MAX_OUT). */
  readonly inFlight: number;
  /** Beats per cycle the DRAM gives this stream (≤ 1: one beat a cycle on a data channel at most). */
  readonly rate: number;
}

/**
 * The cycles each master adds to a burst slot beyond its latency and beats — a read's slot frees
 * the cycle after its last beat (1); a write's first beat comes a cycle after its burst is formed,
 * once the DRAM has its address, and its slot frees two cycles after the response (3: shown,
 * taken, counted) — and, alike, to the end of a rate-bound stream.
 */
const OVERHEAD = { read: 1, write: 3 } as const;
export type AxiDirection = keyof typeof OVERHEAD;

/** A burst slot's period: its latency, its beats at the rate, and the master's constant. */
function slotPeriod(s: AxiStream, direction: AxiDirection): number {
  return Math.max(1, s.latency) + OVERHEAD[direction] + (s.beatsPerBurst - 1) / Math.min(1, s.rate);
}

/** Beats per cycle a stream of alike bursts moves once it is going (`latency`: a write's response latency). */
export function axiThroughput(s: AxiStream, direction: AxiDirection = 'read'): number {
  return Math.min(Math.min(1, s.rate), (s.inFlight * s.beatsPerBurst) / slotPeriod(s, direction));
}

/**
 * Cycles from the command to the stream's end (a read's last beat, a write's last response): 2
 * to cut the first burst and present its address, then the longer of what the DRAM's rate
 * allows (the latency, then every beat at the rate) and what the slots allow (⌈n / inFlight⌉ slot
 * periods, the slots staggered by one burst's beats each, since bursts issued together share one
 * data channel).
 */
export function axiStreamCycles(s: AxiStream, direction: AxiDirection): number {
  if (s.bursts <= 0) return 0;
  const rate = Math.min(1, s.rate);
  const beatsAfterFirst = (s.beatsPerBurst - 1) / rate;
  const rateBound = Math.max(1, s.latency) + OVERHEAD[direction] + (s.bursts * s.beatsPerBurst - 1) / rate;
  const slotBound = Math.ceil(s.bursts / s.inFlight) * slotPeriod(s, direction) + (Math.min(s.bursts, s.inFlight) - 1) * beatsAfterFirst;
  return 2 + Math.max(rateBound, slotBound);
}

/** Cycles from the command to the read stream's last beat. */
export function axiReadCycles(s: AxiStream): number {
  return axiStreamCycles(s, 'read');
}

/** Cycles from the command to the write stream's last response (`latency`: the response's). */
export function axiWriteCycles(s: AxiStream): number {
  return axiStreamCycles(s, 'write');
}

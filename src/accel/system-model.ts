/**
 * The system model: how the chunks of a design share images (docs/cost-model.md §system). The
 * per-layer cost model gives each layer's cycles; the system top (docs/rtl.md §9) runs every
 * chunk's program once per pass, a layer of stage s on image t − s in pass t, waiting until its
 * inputs are done for that image, and the host gives image j its DRAM slot once image j − slots
 * is done. `predictSystem` plays that protocol with the model's layer cycles — an event
 * computation over the passes, no lookup of measured figures — and so charges what
 * `clock / slowest chunk` leaves out: the pass overheads, the skipped layers of the first and
 * last passes, and every cycle a layer waits for an input from another chunk or an image for a
 * slot.
 */

/** Cycles of the engine's protocol around the layers (trips_chunk, trips_sync). */
export const SYSTEM_CYCLES = {
  /** Per pass: two idle cycles between programs (the pass ends, the next start) and the header (10). */
  pass: 12,
  /** A layer skipped in a pass (no image for it): its descriptor fetch (61) and done cycle. */
  skip: 62,
  /** Of a layer's cycles, those before it can wait: the descriptor fetch up to its request. */
  fetch: 60,
} as const;

export interface SystemModelLayer {
  readonly chunk: number;
  readonly stage: number;
  /** Producer layer indices (earlier layers); −1 for the input image. */
  readonly deps: readonly number[];
  /** The layer's cycles alone (the cost model's prediction, its fetch and done cycle included). */
  readonly cycles: number;
}

export interface SystemPrediction {
  /** Cycle each image's last layer is done, and its input was given. */
  readonly doneAt: readonly number[];
  readonly readyAt: readonly number[];
  readonly totalCycles: number;
  /** Cycles per image once the pipeline is full (the last images' spacing). */
  readonly steadyCyclesPerImage: number;
  /** True when enough images ran for a steady state (at least the deepest stage + 3). */
  readonly steady: boolean;
  readonly meanLatency: number;
  /** Per chunk: cycles running a layer, waiting for an input, and its layers' cycles per image. */
  readonly chunks: readonly { readonly busy: number; readonly wait: number; readonly cyclesPerImage: number }[];
}

/**
 * Images whose completions measure the steady state: in pass t ≥ maxStage every layer has an
 * image, and the last layer finishes image t − maxStage, so images 1 … images − 1 − maxStage
 * finish in full passes (image 0 in the first, after the pipeline's fill; the last maxStage
 * images in the drain, whose passes skip layers and so bunch their completions). Fewer images
 * than maxStage + 3: no steady state — the mean spacing of all completions, flagged.
 */
export function steadyWindow(images: number, maxStage: number): { from: number; to: number; steady: boolean } {
  const to = images - 1 - maxStage;
  if (to - 1 >= 1) return { from: 1, to, steady: true };
  return { from: 0, to: images - 1, steady: false };
}

/** Mean spacing of the done times from image `from` to image `to`. */
export function spacing(doneAt: readonly number[], from: number, to: number): number {
  if (to <= from) return doneAt.length > 0 ? doneAt[doneAt.length - 1] / doneAt.length : 0;
  return (doneAt[to] - doneAt[from]) / (to - from);
}

export function predictSystem(layers: readonly SystemModelLayer[], images: number, slots: number): SystemPrediction {
  const nChunks = Math.max(0, ...layers.map((l) => l.chunk + 1));
  const maxStage = Math.max(0, ...layers.map((l) => l.stage));
  const passes = images + maxStage;
  const order = Array.from({ length: nChunks }, (_, c) => layers.map((l, i) => (l.chunk === c ? i : -1)).filter((i) => i >= 0));
  // done[l][j]: the cycle layer l is done for image j (its done cycle); NaN until known
  const done = layers.map(() => new Array<number>(images).fill(Number.NaN));
  const last = layers.length - 1;
  const readyAt = new Array<number>(images).fill(Number.NaN);
  const readyOf = (j: number): number => {
    if (!Number.isNaN(readyAt[j])) return readyAt[j];
    if (j >= slots) {
      const freed = done[last][j - slots];
      if (Number.isNaN(freed)) return Number.NaN;
      readyAt[j] = freed + 1;
    } else readyAt[j] = 0;
    return readyAt[j];
  };
  const state = order.map(() => ({ pass: 0, pos: 0, time: 0, started: false, busy: 0, wait: 0 }));
  let progress = true;
  while (progress) {
    progress = false;
    for (let c = 0; c < nChunks; c++) {
      const s = state[c];
      while (s.pass < passes) {
        if (!s.started) {
          s.time += SYSTEM_CYCLES.pass;
          s.started = true;
        }
        if (s.pos === order[c].length) {
          s.pass++;
          s.pos = 0;
          s.started = false;
          continue;
        }
        const l = order[c][s.pos];
        const layer = layers[l];
        const j = s.pass - layer.stage;
        if (j < 0 || j >= images) {
          s.time += SYSTEM_CYCLES.skip;
          s.pos++;
          continue;
        }
        // the cycle each input is there: a producer's done cycle + 1, or the host's write
        let inputs = 0;
        let known = true;
        for (const p of layer.deps) {
          const at = p < 0 ? readyOf(j) : done[p][j] + 1;
          if (Number.isNaN(at)) known = false;
          else inputs = Math.max(inputs, at);
        }
        if (!known) break;
        const request = s.time + SYSTEM_CYCLES.fetch;
        const go = Math.max(request, inputs);
        s.wait += go - request;
        s.busy += layer.cycles;
        done[l][j] = go + layer.cycles - SYSTEM_CYCLES.fetch - 1;
        s.time = done[l][j] + 1;
        s.pos++;
        progress = true;
      }
    }
  }
  const doneAt = done[last];
  if (doneAt.some((t) => Number.isNaN(t)))
    throw new Error(`the schedule deadlocks: ${slots} image slot(s) for ${maxStage + 1} stage(s), or a layer waits for a later one`);
  const { from, to, steady } = steadyWindow(images, maxStage);
  const latencies = doneAt.map((t, j) => t - readyAt[j]);
  return {
    doneAt,
    readyAt,
    totalCycles: Math.max(...state.map((s) => s.time)),
    steadyCyclesPerImage: spacing(doneAt, from, to),
    steady,
    meanLatency: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    chunks: state.map((s, c) => ({
      busy: s.busy,
      wait: s.wait,
      cyclesPerImage: order[c].reduce((sum, l) => sum + layers[l].cycles, 0) + SYSTEM_CYCLES.pass,
    })),
  };
}

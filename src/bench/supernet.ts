/**
 * bench:supernet — the `quick` search supernet at batch 64 on one thread: time and memory of a
 * weight step (heterogeneous sampling: every bitwidth mixed before one convolution) and of an
 * arch step (top-2 ops and bitwidths, gradient to α and β), and the constant-memory claim of
 * method.md §4: the peak TF.js memory of a weight step with 3 bitwidths against the same
 * supernet with 6.
 *
 * Environment: TRIPS_HW_BACKEND (default: the first that works), BENCH_BATCH (64), BENCH_STEPS
 * (timed steps of each kind, default 5). Last line: {"backend", "batch", "weightStepMs",
 * "archStepMs", "peakMB": {"weight3", "weight6", "arch3"}, "ratio6to3", "wasmHeapMB",
 * "wasmLimitMB", "peakRssMB", "machine"}.
 */
import { Rng } from '../core/random.js';
import { machineLine } from './machine.js';

const envInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a positive integer, found "${raw}"`);
  return n;
};
const round = (x: number, d = 1): number => Number(x.toFixed(d));
const MB = 2 ** 20;

async function main(): Promise<void> {
  const batch = envInt('BENCH_BATCH', 64);
  const steps = envInt('BENCH_STEPS', 5);
  const tf = await import('../nn/tf.js');
  const { selectBackend } = await import('../nn/backend.js');
  const { crossEntropy } = await import('../nn/optimizer.js');
  const { QUICK_SPACE } = await import('../search/spaces.js');
  const sn = await import('../search/supernet.js');
  const paths = await import('../search/paths.js');
  tf.env().set('PROD', true);
  const backend = (await selectBackend((process.env.TRIPS_HW_BACKEND || undefined) as 'wasm' | undefined)).name;
  console.log(`bench:supernet on ${JSON.stringify(machineLine())}`);
  console.log(
    `space ${QUICK_SPACE.name}: ${QUICK_SPACE.stages.reduce((n, s) => n + s.cells, 0)} cells × ops ${QUICK_SPACE.ops.join(' ')}; batch ${batch}; backend ${backend}, one thread`,
  );

  const x = tf.randomNormal(
    [batch, QUICK_SPACE.input.height, QUICK_SPACE.input.width, QUICK_SPACE.input.channels],
    0,
    1,
    'float32',
    1,
  ) as import('../nn/tf.js').Tensor4D;
  const y = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % QUICK_SPACE.classes),
    'int32',
  );

  /** One step's gradient computation (no update), its time and TF.js peak memory. */
  const measure = async (net: ReturnType<typeof sn.createSupernet>, kind: 'weight' | 'arch', seed: number) => {
    const logits = paths.readLogits(net);
    const rng = new Rng(seed);
    const path = kind === 'weight' ? paths.sampleWeightPath(logits, 5, rng) : paths.sampleArchPath(logits, rng);
    // every cell on its largest MBConv, so the figure is the supernet's worst single path
    const op = net.ops.indexOf('k5_e3') >= 0 ? net.ops.indexOf('k5_e3') : 0;
    const fixed =
      kind === 'weight'
        ? {
            ...(path as ReturnType<typeof paths.sampleWeightPath>),
            cells: (path as ReturnType<typeof paths.sampleWeightPath>).cells.map((c) => ({ ...c, op })),
          }
        : path;
    const vars = kind === 'weight' ? undefined : [net.alpha, net.beta];
    const run = () => {
      const { value, grads } = tf.variableGrads(() => {
        const pass =
          kind === 'weight'
            ? sn.weightForward(net, x, fixed as ReturnType<typeof paths.sampleWeightPath>)
            : sn.archForward(net, x, fixed as ReturnType<typeof paths.sampleArchPath>, 5);
        tf.dispose(pass.updates.map(([, t]) => t));
        return crossEntropy(pass.logits, y, QUICK_SPACE.classes);
      }, vars);
      tf.dispose([value, ...Object.values(grads)]);
    };
    const info = await tf.profile(run);
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      run();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { ms: round(times[times.length >> 1]), peakMB: round(info.peakBytes / MB) };
  };

  const three = sn.createSupernet(QUICK_SPACE, 1);
  const weight3 = await measure(three, 'weight', 2);
  console.log(`weight step, bitwidths ${QUICK_SPACE.bitwidths.join('/')}: ${weight3.ms} ms, peak ${weight3.peakMB} MB`);
  const arch3 = await measure(three, 'arch', 3);
  console.log(`arch step: ${arch3.ms} ms, peak ${arch3.peakMB} MB`);
  sn.disposeSupernet(three);
  const sixBits = [3, 4, 5, 6, 7, 8];
  const six = sn.createSupernet({ ...QUICK_SPACE, name: `${QUICK_SPACE.name}-6bit`, bitwidths: sixBits }, 1);
  const weight6 = await measure(six, 'weight', 2);
  console.log(`weight step, bitwidths ${sixBits.join('/')}: ${weight6.ms} ms, peak ${weight6.peakMB} MB`);
  sn.disposeSupernet(six);
  const heap = backend === 'wasm' ? (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength / MB : null;
  const ratio = round(weight6.peakMB / weight3.peakMB, 3);
  console.log(`peak memory 6 vs 3 bitwidths: ×${ratio}; wasm heap ${heap === null ? '—' : round(heap)} MB of 4096`);
  tf.dispose([x, y]);
  console.log(
    JSON.stringify({
      backend,
      batch,
      weightStepMs: weight3.ms,
      archStepMs: arch3.ms,
      peakMB: { weight3: weight3.peakMB, weight6: weight6.peakMB, arch3: arch3.peakMB },
      ratio6to3: ratio,
      wasmHeapMB: heap === null ? null : round(heap),
      wasmLimitMB: 4096,
      peakRssMB: round(process.resourceUsage().maxRSS / 1024),
      machine: machineLine(),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

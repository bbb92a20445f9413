/**
 * bench:step — one quantisation-aware training step (forward, backward, SGD update) of a
 * supernet-style network, TF.js against PyTorch CPU on the identical model, in the same run.
 *
 * The network: the `fmnist` space (28×28×1, 8 cells) with a fixed genotype of eight MBConv
 * cells (no skip) mixing kernels 3/5, expansions 1/3/6, groups 1/2 and bitwidths 4/6/8, so every
 * cell is a quantised MBConv as in a search supernet. Its JSON goes to a temp folder, together
 * with the TF.js model's initial weights and the batch (raw float32 + a manifest), so the
 * PyTorch twin (src/bench/torch_step.py) starts from the same weights and trains on the same
 * batch; the loss of each step is printed by both sides as a check that the models agree.
 *
 * Environment: TRIPS_HW_BACKEND (tensorflow | wasm | cpu; default: the first that works),
 * BENCH_STEPS (timed steps, default 5), BENCH_BATCH (default 64), BENCH_WARMUP (default 2),
 * BENCH_TORCH_THREADS (default 2), BENCH_REPLICAS (TF.js data-parallel replicas; default one per
 * core on wasm and cpu, 1 on tensorflow). Median ms per step after the warm-up steps. With
 * replicas the engine is also timed on one thread (`tfjsOneThreadMs`), which is what one core
 * gives.
 * Last line: {"backend", "tfjsMs", "torchMs", "ratio", "replicas", "tfjsOneThreadMs", "peakRssMB", "wasmHeapMB",
 * "torchPeakRssMB", "batch", "steps", "params", "machine", "busyCores", "losses"}. How many cores
 * other processes keep busy just before each side runs is recorded, with a warning when the
 * machine is not idle: timings taken beside other work mean little (see busyCheck).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { macsOf, weightCountOf } from '../core/network.js';
import { machineLine } from './machine.js';
import { BENCH_GENOTYPE, benchNetwork, envInt, median, PYTHON, round, runTfjs, runTorch, TORCH_SCRIPT, torchArgs } from './step-twin.js';

/** CPU time counters of /proc/stat (Linux): [busy, total] jiffies over all cores. */
function cpuTimes(): [number, number] | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = fields[3] + (fields[4] ?? 0);
    return [total - idle, total];
  } catch {
    return undefined;
  }
}

/**
 * How many cores other processes keep busy, sampled over one second while this process sleeps
 * (Linux; elsewhere the 1-minute load average), with a warning when it is above ~0.3 of a core:
 * the figures are then unreliable, PyTorch's most of all (its OpenMP threads spin-wait: with one
 * core taken by another process, a 2-thread step was measured ~10× slower than a 1-thread one).
 */
async function busyCheck(side: string): Promise<number> {
  const before = cpuTimes();
  const own = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((done) => setTimeout(done, 1000));
  const after = cpuTimes();
  const ownUsage = process.cpuUsage(own);
  // this process's own threads (garbage collection, say) are not "other processes"
  const ownCores = (ownUsage.user + ownUsage.system) / 1000 / (performance.now() - t0);
  const busy =
    before && after && after[1] > before[1]
      ? round(Math.max(0, ((after[0] - before[0]) / (after[1] - before[1])) * cpus().length - ownCores))
      : round(loadavg()[0]);
  if (busy > 0.3) {
    console.log(
      `warning: other processes keep ${busy} cores busy before the ${side} run: timings are unreliable` +
        (side === 'PyTorch' ? " (OMP_WAIT_POLICY=PASSIVE limits the damage to PyTorch's threads)" : ''),
    );
  }
  return busy;
}

async function main(): Promise<void> {
  const steps = Math.max(1, envInt('BENCH_STEPS', 5));
  const warmup = envInt('BENCH_WARMUP', 2);
  const batch = Math.max(1, envInt('BENCH_BATCH', 64));
  const threads = Math.max(1, envInt('BENCH_TORCH_THREADS', 2));
  const requested = process.env.TRIPS_HW_BACKEND || undefined;

  const tf = await import('../nn/tf.js');
  const { BACKENDS, selectBackend } = await import('../nn/backend.js');
  const { DEFAULT_SGD } = await import('../nn/optimizer.js');
  if (requested !== undefined && !(BACKENDS as readonly string[]).includes(requested)) {
    throw new Error(`TRIPS_HW_BACKEND: expected one of ${BACKENDS.join(', ')}, found "${requested}"`);
  }
  tf.env().set('PROD', true);
  const info = await selectBackend(requested as (typeof BACKENDS)[number] | undefined);
  const backend = info.name;
  const { defaultReplicas } = await import('../nn/replicas.js');
  const replicas = Math.max(1, envInt('BENCH_REPLICAS', backend === 'tensorflow' ? 1 : defaultReplicas()));

  const network = benchNetwork();
  const params = network.layers.reduce(
    (n, l) => n + weightCountOf(l) + (l.kind === 'fc' ? l.outC : l.kind === 'add' || l.kind === 'pool' ? 0 : 2 * l.outC),
    0,
  );
  const macs = network.layers.reduce((n, l) => n + macsOf(l), 0);
  const { height, width, channels } = network.input;
  console.log(`bench:step on ${JSON.stringify(machineLine())}`);
  console.log(`model: ${network.name} (fmnist space, cells ${BENCH_GENOTYPE.cells.map((c) => `${c.op}@${c.bits}`).join(' ')})`);
  console.log(`       ${network.layers.length} layers, ${params} parameters, ${round(macs / 1e6)} M MACs per image`);
  console.log(
    `TF.js backend: ${backend}${info.notes.length ? ` (${info.notes.join('; ')})` : ''}, ${replicas} data-parallel replica${replicas > 1 ? 's (worker threads)' : ''}`,
  );
  console.log(`batch ${batch} × ${height}×${width}×${channels}, ${warmup} warm-up + ${steps} timed steps, lr ${DEFAULT_SGD.learningRate}`);

  const dir = mkdtempSync(join(tmpdir(), 'trips-hw-bench-step-'));
  try {
    const loadTfjs = await busyCheck('TF.js');
    const run = await runTfjs(network, { batch, steps, warmup, dir, replicas, backend, log: (line) => console.log(line) });
    if (run.params !== params) throw new Error(`internal: the TF.js model has ${run.params} parameters, the network ${params}`);
    const tfjsMs = round(median(run.times), 1);
    let tfjsOneThreadMs = tfjsMs;
    if (replicas > 1) {
      console.log('the same on one thread:');
      tfjsOneThreadMs = round(median((await runTfjs(network, { batch, steps, warmup, dir, log: (line) => console.log(line) })).times), 1);
    }
    const peakRssMB = round(process.resourceUsage().maxRSS / 1024, 1);

    console.log(`running the PyTorch twin: ${PYTHON} ${TORCH_SCRIPT} (${threads} threads)`);
    const loadTorch = await busyCheck('PyTorch');
    const torch = await runTorch(torchArgs(run, { batch, steps, warmup, threads, lr: DEFAULT_SGD.learningRate }));
    if (torch.torchMs === null) console.log(`PyTorch twin not run: ${torch.error ?? 'unknown reason'}`);
    const torchMs = torch.torchMs === null ? null : round(torch.torchMs, 1);
    const ratio = torchMs === null ? null : round(tfjsMs / torchMs, 3);

    const tfLosses = run.losses;
    const row = (k: string, tfjs: string, pt: string) => console.log(`${k.padEnd(22)}${tfjs.padStart(16)}${pt.padStart(22)}`);
    console.log('');
    row('', `TF.js (${backend} ×${replicas})`, torch.torch ? `PyTorch ${torch.torch} ×${torch.threads}` : 'PyTorch');
    row('ms / step (median)', String(tfjsMs), torchMs === null ? '—' : String(torchMs));
    if (replicas > 1) row('  on one thread', String(tfjsOneThreadMs), '');
    row('peak RSS MB', String(peakRssMB), torch.peakRssMB == null ? '—' : String(torch.peakRssMB));
    if (run.wasmHeapMB !== null) row('wasm heap MB', String(run.wasmHeapMB), '');
    row('loss, step 1', tfLosses[0].toFixed(5), torch.losses?.[0] === undefined ? '—' : torch.losses[0].toFixed(5));
    if (tfLosses.length > 1)
      row(
        `loss, step ${tfLosses.length}`,
        tfLosses[tfLosses.length - 1].toFixed(5),
        torch.losses?.length ? torch.losses[torch.losses.length - 1].toFixed(5) : '—',
      );
    console.log(
      `ratio tfjs / torch: ${ratio ?? '— (no PyTorch figure)'}${run.leaked ? `; ${run.leaked} TF.js tensors leaked over the run` : ''}`,
    );
    console.log(
      JSON.stringify({
        backend,
        tfjsMs,
        torchMs,
        ratio,
        replicas,
        tfjsOneThreadMs,
        peakRssMB,
        wasmHeapMB: run.wasmHeapMB,
        torchPeakRssMB: torch.peakRssMB ?? null,
        batch,
        steps,
        params,
        machine: machineLine(),
        busyCores: { tfjs: loadTfjs, torch: loadTorch },
        losses: { tfjs: tfLosses.map((l) => round(l, 5)), torch: torch.losses?.map((l) => round(l, 5)) ?? null },
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('step.js')) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}

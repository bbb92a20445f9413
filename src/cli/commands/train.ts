/**
 * `trips-hw train` — stage: cli. In: a design file (its network), a dataset and the training
 * flags. Out: the run folder of quantisation-aware training (checkpoints, OUT/weights) and a
 * TrainSummary with the fake-quantised and integer-model test accuracy. The training is
 * quant/retrain.ts; Ctrl-C stops between steps and --resume continues from the last epoch.
 */
import { Flags } from '@oclif/core';
import { EXIT_FAILED } from '../../core/diagnostics.js';
import { checkOutputDir } from '../../core/files.js';
import { startProgress } from '../../core/progress.js';
import { DATASET_NAMES, type DatasetName } from '../../data/index.js';
import { BACKENDS, type BackendName } from '../../nn/backend.js';
import { DEFAULT_SGD } from '../../nn/optimizer.js';
import { retrainDesign, type RetrainOutcome, type TrainSummary } from '../../quant/retrain.js';
import { BaseCommand } from '../base-command.js';
import { stopOnSigint } from '../interrupt.js';
import { loadDesign } from '../../accel/load.js';

export default class Train extends BaseCommand {
  static override summary = 'Train the network of a design from scratch, quantisation-aware.';

  static override description =
    `Trains every weight and activation of the design's network with fake quantisation that mirrors the deployed integer arithmetic (per-channel symmetric weights, per-tensor activations, round half to even), with SGD + momentum, weight decay, gradient clipping and a cosine learning rate. Evaluates on the test split after every epoch, writes a checkpoint after every epoch and the final weights as a TF.js weights manifest in OUT/weights. On the wasm backend the batch is split over data-parallel worker threads, one per core (synchronised batch norm, combined gradients: the same training as one thread, faster). Ctrl-C stops between steps; --resume continues from the last finished epoch.`;

  static override examples = [
    {
      description: 'Train a searched Fashion-MNIST design for 10 epochs',
      command:
        '<%= config.bin %> <%= command.id %> --design runs/fmnist/design.json --dataset fashion-mnist --epochs 10 --out runs/fmnist/train',
    },
    {
      description: 'Continue the same run after an interruption',
      command:
        '<%= config.bin %> <%= command.id %> --design runs/fmnist/design.json --dataset fashion-mnist --epochs 10 --out runs/fmnist/train --resume',
    },
  ];

  static override flags = {
    design: Flags.string({ required: true, description: 'design file (its network is trained)', helpValue: 'FILE' }),
    dataset: Flags.option({ options: DATASET_NAMES, default: 'fashion-mnist' as DatasetName, description: 'dataset' })(),
    data: Flags.string({ description: 'dataset folder (CIFAR-10; Fashion-MNIST defaults to the Debian package)', helpValue: 'DIR' }),
    epochs: Flags.integer({ default: 10, min: 1, description: 'epochs' }),
    'batch-size': Flags.integer({ default: 64, min: 1, description: 'batch size' }),
    lr: Flags.string({
      default: String(DEFAULT_SGD.learningRate),
      description: 'initial learning rate (cosine decay to 1e-3 over the run)',
      helpValue: 'RATE',
    }),
    seed: Flags.integer({ default: 1, description: 'random seed (initial weights, batch order)' }),
    backend: Flags.option({ options: BACKENDS, description: 'TF.js backend (default: tensorflow if it loads, else wasm, else cpu)' })(),
    replicas: Flags.integer({
      min: 1,
      description: 'data-parallel replicas, one worker thread each (wasm and cpu backends; default: one per core on wasm)',
    }),
    'limit-train': Flags.integer({ min: 1, description: 'train on the first N training samples only (quick checks)' }),
    out: Flags.string({ required: true, description: 'run folder', helpValue: 'DIR' }),
    resume: Flags.boolean({ default: false, description: 'continue from the checkpoint in --out' }),
  };

  async run(): Promise<TrainSummary> {
    const { flags } = await this.parse(Train);
    checkOutputDir(flags.out);
    const design = loadDesign(flags.design);
    const learningRate = Number(flags.lr);
    if (!(learningRate > 0)) this.error(`--lr: expected a positive number, found "${flags.lr}"`, { exit: 2 });
    const stop = stopOnSigint();
    const progress = startProgress();
    let outcome: RetrainOutcome;
    try {
      outcome = await retrainDesign(
        {
          network: design.network,
          dataset: flags.dataset as DatasetName,
          dataDir: flags.data,
          epochs: flags.epochs,
          batchSize: flags['batch-size'],
          sgd: { ...DEFAULT_SGD, learningRate },
          seed: flags.seed,
          outDir: flags.out,
          resume: flags.resume,
          backend: flags.backend as BackendName | undefined,
          limitTrain: flags['limit-train'],
          replicas: flags.replicas,
          shouldStop: stop.requested,
          onProgress: ({ epoch, step, steps, loss }) =>
            progress.tick(() => `epoch ${epoch + 1}/${flags.epochs} step ${step}/${steps} loss ${loss.toFixed(3)}`),
          onEpoch: (r) => {
            progress.end();
            process.stderr.write(
              `epoch ${r.epoch + 1}/${flags.epochs}: loss ${r.trainLoss.toFixed(4)}, train ${(100 * r.trainAccuracy).toFixed(2)}%, test ${(100 * r.testAccuracy).toFixed(2)}%, ${r.seconds.toFixed(0)} s\n`,
            );
          },
        },
        flags.design,
      );
    } finally {
      progress.end();
      stop.release();
    }
    if (outcome.interrupted)
      this.error(`interrupted after ${outcome.epochs} finished epochs; continue with --resume`, { exit: EXIT_FAILED });
    const { history: _, interrupted: __, ...summary } = outcome;
    this.log(
      `backend   ${summary.backend}${summary.replicas > 1 ? ` × ${summary.replicas} replicas` : ''}\nepochs    ${summary.epochs}\naccuracy  ${(100 * summary.accuracy).toFixed(2)} % (test, fake-quantised)\ninteger   ${(100 * summary.integerAccuracy).toFixed(2)} % (test, the integer model; same prediction on ${(100 * summary.agreement).toFixed(2)} % of images)\nweights   ${summary.weights}\ntime      ${summary.seconds.toFixed(0)} s`,
    );
    return summary;
  }
}

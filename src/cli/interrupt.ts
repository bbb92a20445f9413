/**
 * Ctrl-C for the long commands (train, search): the first SIGINT asks the run to stop after
 * the current step, keeping the last finished epoch checkpointed; `release` restores the
 * default handler.
 */
interface StopRequest {
  readonly requested: () => boolean;
  release(): void;
}

export function stopOnSigint(): StopRequest {
  let stop = false;
  const onSignal = () => {
    stop = true;
    process.stderr.write('\ntrips-hw: stopping after this step (the last finished epoch stays checkpointed)\n');
  };
  process.once('SIGINT', onSignal);
  return { requested: () => stop, release: () => process.off('SIGINT', onSignal) };
}

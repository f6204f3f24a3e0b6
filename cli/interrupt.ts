// Ctrl-C during a long run: the first one asks the run to stop after its current batch (so
// the log stays whole and resumable); the run polls `requested`.
import { message } from './output.js';

export interface Interrupt {
  readonly requested: () => boolean;
  /** Stops listening; call when the run is over. */
  release(): void;
}

export function listenForInterrupt(): Interrupt {
  let requested = false;
  const onSigint = (): void => {
    requested = true;
    message('stopping after the current batch; continue with --resume');
  };
  process.once('SIGINT', onSigint);
  return { requested: () => requested, release: () => process.off('SIGINT', onSigint) };
}

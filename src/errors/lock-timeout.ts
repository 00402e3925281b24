import { SedimentError, type ErrorDetails } from './index.js';
import type { LockHolder, LockKind } from '../backends/base/lock-holder.js';

/**
 * Another process held a lock longer than --lock-timeout (or the config's `lockTimeout`) allowed:
 * the PGlite data folder's lock, or the migrate lock on a server. Nothing was run.
 */
export class LockTimeoutError extends SedimentError {
  readonly lock: LockKind;
  readonly holder: LockHolder | undefined;

  constructor(message: string, details: ErrorDetails & { lock: LockKind; holder: LockHolder | undefined }) {
    super('LockTimeout', message, details);
    this.lock = details.lock;
    this.holder = details.holder;
  }
}

/**
 * Why the executor was asked to stop, as the `reason` of the AbortSignal it is given (the CLI's
 * src/cli/interrupt.ts makes these; a test can make them by hand). The executor never exits the
 * process: it cancels, rolls back and throws, and the caller decides the exit code.
 */
export type Interruption =
  /** SIGINT (Ctrl-C) or SIGTERM: cancel the running statement and roll the migration back. */
  | { readonly kind: 'signal'; readonly signal: 'SIGINT' | 'SIGTERM' }
  /**
   * Node is about to exit while a migration runs ('beforeExit'): nothing can wake the migration any
   * more, so it will never finish (issue 8, item 3). Roll back at once.
   */
  | { readonly kind: 'stalled' };

/** The interruption an aborted signal carries; a signal aborted without one counts as SIGINT. */
export function interruptionOf(signal: AbortSignal): Interruption {
  const reason = signal.reason as Partial<Interruption> | undefined;
  if (reason?.kind === 'stalled') return { kind: 'stalled' };
  if (reason?.kind === 'signal' && (reason.signal === 'SIGINT' || reason.signal === 'SIGTERM')) return { kind: 'signal', signal: reason.signal };
  return { kind: 'signal', signal: 'SIGINT' };
}

/** Thrown by the executor's connection wrapper for a statement issued after the run was interrupted. */
export class StatementRefusedError extends Error {
  constructor() {
    super('canceling statement: migrate was interrupted');
  }
}

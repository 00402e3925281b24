import { InterruptedError } from '../errors/index.js';
import type { Interruption } from '../executor/interruption.js';

/**
 * The process-level half of interrupting `migrate` and `doctor --fix` (SPEC §5, issue 8 item 9): turns
 * SIGINT, SIGTERM and Node's 'beforeExit' into an AbortSignal the executor obeys (it cancels the
 * running statement, rolls back and throws), and guards the exit code. Without it, Node's default
 * exited at once with 130/143 and no message, while a server went on running the statement and holding
 * the migrate lock for a session nobody would end.
 *
 * - first SIGINT/SIGTERM: abort with `{ kind: 'signal' }`; the command unwinds and prints its error;
 * - a second one while unwinding: exit at once (still 130/143), saying what the database does;
 * - unwinding that takes longer than `forceAfterMs`: the same;
 * - 'beforeExit' while guarded: nothing is left that could wake the command (PGlite holds no socket,
 *   so a data migration awaiting a promise that never settles ended the process with exit 0 and lost
 *   what it had printed as OK — item 3): abort with `{ kind: 'stalled' }`;
 * - an exit with code 0 while guarded (someone called process.exit(0) mid-run, as @clack/core does on
 *   Ctrl-C): exit 1, or 130/143 after a signal, never 0.
 *
 * The only module that touches process signals; the executor only sees the AbortSignal.
 */
export interface InterruptGuard {
  readonly signal: AbortSignal;
  /**
   * Resolves as `work` does, unless the run is interrupted first: then rejects with an
   * InterruptedError saying it stopped `where` and `databaseState` (for waits nothing else watches,
   * such as the migrate lock).
   */
  race<T>(work: Promise<T>, where: string, databaseState: string): Promise<T>;
  /** Throws an InterruptedError if a signal came (checks between the phases of a command). */
  throwIfInterrupted(where: string, databaseState: string): void;
  /** Removes every handler: the command is over. */
  dispose(): void;
}

export interface GuardOptions {
  /** Writes one line to stderr. */
  readonly warn: (line: string) => void;
  /** After the first signal, exit anyway after this long (default 15 s). */
  readonly forceAfterMs?: number;
  /** What the database does with the open transaction when this process dies, for the forced-exit line. */
  readonly onForcedExit?: string;
}

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type Signal = keyof typeof EXIT_CODES;

export function guardInterrupts(options: GuardOptions): InterruptGuard {
  const controller = new AbortController();
  const forceAfterMs = options.forceAfterMs ?? 15_000;
  const dies = options.onForcedExit ?? 'the database rolls back the open transaction when the connection closes';
  let received: Signal | undefined;
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  const forceExit = (why: string) => {
    options.warn(`${why}: exiting now. ${dies.charAt(0).toUpperCase()}${dies.slice(1)}; migrations reported OK stay applied. 'sediment showmigrations' shows what is applied.`);
    process.exit(EXIT_CODES[received ?? 'SIGINT']);
  };
  const onSignal = (signal: Signal) => {
    if (received) {
      forceExit(`Interrupted again (${signal})`);
      return;
    }
    received = signal;
    options.warn(`Interrupted (${signal}): cancelling the running statement and rolling back… (press Ctrl-C again to exit at once)`);
    const reason: Interruption = { kind: 'signal', signal };
    controller.abort(reason);
    watchdog = setTimeout(() => forceExit(`Still not stopped ${Math.round(forceAfterMs / 1000)} s after ${signal}`), forceAfterMs);
    watchdog.unref();
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  const onBeforeExit = () => {
    if (controller.signal.aborted) return;
    const reason: Interruption = { kind: 'stalled' };
    controller.abort(reason);
  };
  const onExit = (code: number) => {
    if (disposed) return;
    if (received) process.exitCode = EXIT_CODES[received];
    else if (code === 0) {
      options.warn('error: the process was ending in the middle of the command with exit code 0; exiting 1 instead. Run \'sediment showmigrations\' to see what is applied.');
      process.exitCode = 1;
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);

  const interruptedError = (where: string, databaseState: string) =>
    new InterruptedError(received ?? 'SIGINT', `Interrupted by ${received ?? 'SIGINT'} ${where}.`, {
      databaseState,
      hint: 'Run the command again when you are ready.',
    });

  return {
    signal: controller.signal,
    race(work, where, databaseState) {
      if (received) return Promise.reject(interruptedError(where, databaseState));
      return new Promise((resolve, reject) => {
        const onAbort = () => {
          if (received) reject(interruptedError(where, databaseState));
        };
        controller.signal.addEventListener('abort', onAbort, { once: true });
        work.then(resolve, reject).finally(() => controller.signal.removeEventListener('abort', onAbort));
      });
    },
    throwIfInterrupted(where, databaseState) {
      if (received) throw interruptedError(where, databaseState);
    },
    dispose() {
      disposed = true;
      clearTimeout(watchdog);
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigterm);
      process.removeListener('beforeExit', onBeforeExit);
      process.removeListener('exit', onExit);
    },
  };
}

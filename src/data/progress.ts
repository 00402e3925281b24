import type { Writable } from 'node:stream';

/**
 * Progress of long data migrations. The data API measures (rows done, rate, time left) and reports to
 * an injected ProgressReporter; the executor's default is silent, the CLI wires a TTY display or JSON
 * events. One method, so a reporter is a one-liner to write or to fake in a test.
 */
export interface ProgressEvent {
  /** The migration running the code: `shop.0004_prepopulate_bought`. */
  readonly migration: string;
  /** The model being read: `shop.Client`. */
  readonly model: string;
  /** Rows handed to the code so far. */
  readonly done: number;
  /** The planner's estimate of all rows (EXPLAIN), or null when unknown. Never below `done`. */
  readonly total: number | null;
  readonly rowsPerSecond: number;
  /** Seconds left at the current rate, or null without an estimate. */
  readonly secondsLeft: number | null;
  readonly finished: boolean;
}

export interface ProgressReporter {
  /** false: the data API skips the work of measuring (no estimate query). */
  readonly enabled: boolean;
  report(event: ProgressEvent): void;
}

/** Reports nothing: the executor's default, and what a non-TTY without --json gets. */
export const silentProgress: ProgressReporter = Object.freeze({ enabled: false, report() {} });

/** One JSON object per line: `{"event":"progress","migration":...,"done":...}` (for `migrate --json`). */
export function jsonProgress(write: (line: string) => void, intervalMs = 1000): ProgressReporter {
  let last = 0;
  return {
    enabled: true,
    report(event) {
      const now = Date.now();
      if (!event.finished && now - last < intervalMs) return;
      last = now;
      write(JSON.stringify({ event: 'progress', ...event, rowsPerSecond: Math.round(event.rowsPerSecond) }));
    },
  };
}

/**
 * A live progress bar on a terminal, shown only once an iteration has run for `delayMs`, so short data
 * migrations print nothing. Silent when `output` is not a TTY.
 *
 * Drawn here with a carriage return rather than with @clack/prompts' progress: that one puts stdin in
 * raw mode, where Ctrl-C is a keypress that @clack/core answers with `process.exit(0)` — migrate
 * interrupted in the middle of a migration then exited 0 — and it installs SIGINT/SIGTERM handlers of
 * its own (issue 8, item 9). This bar reads nothing and handles no signal: Ctrl-C stays a SIGINT for
 * src/cli/interrupt.ts.
 */
export function ttyProgress(output: Writable & { isTTY?: boolean; columns?: number } = process.stderr, delayMs = 1000): ProgressReporter {
  if (!output.isTTY) return silentProgress;
  let barKey = '';
  let started = 0;
  let drawn = false;
  const draw = (event: ProgressEvent, text: string) => {
    const width = 24;
    const fraction = event.total ? Math.min(1, event.done / Math.max(1, event.total)) : 0;
    const filled = Math.round(fraction * width);
    const bar = event.total ? `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ` : '';
    const line = `  ${bar}${text}`.slice(0, Math.max(20, (output.columns ?? 100) - 1));
    // \r and "erase to the end of the line" (CSI K): the bar redraws in place.
    output.write(`\r${line}\x1b[K`);
    drawn = true;
  };
  return {
    enabled: true,
    report(event) {
      const key = `${event.migration} ${event.model}`;
      const now = Date.now();
      if (key !== barKey) {
        if (drawn) output.write('\n');
        drawn = false;
        barKey = key;
        started = now;
      }
      if (!drawn && (event.finished || now - started < delayMs)) return;
      draw(event, describeProgress(event));
      if (event.finished) {
        output.write('\n');
        drawn = false;
        barKey = '';
      }
    },
  };
}

/** `shop.Client: 120,000 / 1,000,000 rows · 48,000 rows/s · 18 s left` */
export function describeProgress(event: ProgressEvent): string {
  const n = (value: number) => Math.round(value).toLocaleString('en-US');
  const total = event.total === null ? '' : ` / ${n(event.total)}`;
  const left = event.finished ? 'done' : event.secondsLeft === null ? '' : `${formatSeconds(event.secondsLeft)} left`;
  return [`${event.model}: ${n(event.done)}${total} rows`, `${n(event.rowsPerSecond)} rows/s`, left].filter(Boolean).join(' · ');
}

function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Measures one iteration and reports at most every `intervalMs` (and when it ends). */
export class ProgressTracker {
  private done = 0;
  private readonly started = performance.now();
  private lastReport = 0;

  constructor(
    private readonly reporter: ProgressReporter,
    private readonly migration: string,
    private readonly model: string,
    private total: number | null,
    private readonly intervalMs = 200,
  ) {}

  advance(rows: number): void {
    this.done += rows;
    const now = performance.now();
    if (now - this.lastReport < this.intervalMs) return;
    this.lastReport = now;
    this.reporter.report(this.event(false, now));
  }

  finish(): void {
    this.reporter.report(this.event(true, performance.now()));
  }

  private event(finished: boolean, now: number): ProgressEvent {
    const seconds = Math.max((now - this.started) / 1000, 1e-3);
    const rate = this.done / seconds;
    if (this.total !== null && this.total < this.done) this.total = this.done;
    const total = finished ? this.done : this.total;
    const secondsLeft = total === null || rate === 0 ? null : (total - this.done) / rate;
    return { migration: this.migration, model: this.model, done: this.done, total, rowsPerSecond: rate, secondsLeft, finished };
  }
}

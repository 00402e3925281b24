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
 * A live progress bar (@clack/prompts) on a terminal, shown only once an iteration has run for
 * `delayMs`, so short data migrations print nothing. Silent when `output` is not a TTY.
 */
export function ttyProgress(output: Writable & { isTTY?: boolean } = process.stderr, delayMs = 1000): ProgressReporter {
  if (!output.isTTY) return silentProgress;
  type Bar = { advance(step?: number, message?: string): void; start(message?: string): void; stop(message?: string): void; message(m?: string): void };
  let bar: Bar | undefined;
  let barKey = '';
  let shown = 0;
  let started = 0;
  let loading: Promise<void> | undefined;
  let factory: ((options: { max: number; output: Writable }) => Bar) | undefined;
  const load = () => {
    loading ??= import('@clack/prompts').then((clack) => {
      factory = (options) => clack.progress({ ...options, style: 'heavy' }) as Bar;
    });
    return loading;
  };
  return {
    enabled: true,
    report(event) {
      const key = `${event.migration} ${event.model}`;
      const now = Date.now();
      if (key !== barKey) {
        bar?.stop();
        bar = undefined;
        barKey = key;
        started = now;
        shown = 0;
      }
      const text = describeProgress(event);
      if (!bar) {
        if (event.finished || now - started < delayMs) return;
        if (!factory) {
          void load();
          return;
        }
        const max = Math.max(1, event.total ?? event.done * 2);
        bar = factory({ max, output });
        bar.start(text);
      }
      const step = event.done - shown;
      shown = event.done;
      bar.advance(step, text);
      if (event.finished) {
        bar.stop(text);
        bar = undefined;
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

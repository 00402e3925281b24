import pc from 'picocolors';
import { SedimentError } from '../errors/index.js';

export type Colors = ReturnType<typeof pc.createColors>;

/**
 * The only place that writes to the terminal. Colours only on a TTY and never with NO_COLOR
 * (https://no-color.org); --json output is never coloured.
 *
 * Under --json, stdout carries JSON only, one value per line (JSON lines), so `jq` and a deploy
 * script can always parse it: prose lines (a lock waiter's message, a target line) go to stderr,
 * and an error is also written to stdout as a final `{"event":"error",…}` line.
 */
export class Output {
  readonly color: Colors;
  /** Set by the CLI when the running command has --json. */
  jsonMode = false;
  private stdoutClosed = false;

  constructor(
    readonly stdout: NodeJS.WriteStream = process.stdout,
    readonly stderr: NodeJS.WriteStream = process.stderr,
    colorEnabled = Boolean(stdout.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb',
  ) {
    this.color = pc.createColors(colorEnabled);
    // `sediment doctor | head -1`: once the reader has gone, further output is dropped and the
    // command finishes quietly, as a Unix tool does on SIGPIPE — never a stack trace about EPIPE,
    // and never a migration abandoned halfway because nobody reads its progress.
    for (const stream of [stdout, stderr]) {
      stream.on?.('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
        if (stream === stdout) this.stdoutClosed = true;
      });
    }
  }

  get interactive(): boolean {
    return Boolean(process.stdin.isTTY && this.stdout.isTTY);
  }

  /** Writes raw text to stdout (an unterminated "Applying x..." line); prose, so stderr under --json. */
  write(text: string): void {
    if (this.jsonMode) this.stderr.write(text);
    else this.writeStdout(text);
  }

  line(text = ''): void {
    this.write(`${text}\n`);
  }

  /** One JSON value on one line of stdout. */
  json(value: unknown): void {
    this.jsonLine(JSON.stringify(value));
  }

  /** A line that is already serialized JSON (the progress reporter's events). */
  jsonLine(text: string): void {
    this.writeStdout(`${text}\n`);
  }

  warn(text: string): void {
    this.stderr.write(`${this.color.yellow('warning:')} ${text}\n`);
  }

  /**
   * One block per error: `error[Code]: what failed`, the SQL, the database's state, the hint. The
   * code is stable and searchable (README, "Error codes"). No stack unless asked.
   */
  error(error: unknown, traceback = false): void {
    const c = this.color;
    if (error instanceof SedimentError) {
      this.stderr.write(`${c.red(c.bold(`error[${error.code}]:`))} ${error.message}\n`);
      if (error.sql) this.stderr.write(`${c.dim('  sql:')} ${error.sql.split('\n').join('\n       ')}\n`);
      if (error.databaseState) this.stderr.write(`${c.dim('  database:')} ${error.databaseState}\n`);
      if (error.hint) this.stderr.write(`${c.cyan('  hint:')} ${error.hint}\n`);
      if (traceback) this.stderr.write(`${c.dim(stackOf(error))}\n`);
      if (this.jsonMode) this.json({ event: 'error', error: errorJson(error) });
      return;
    }
    // Not a SedimentError: a bug in Sediment or something unforeseen. Show everything.
    const message = error instanceof Error ? error.message : String(error);
    this.stderr.write(`${c.red(c.bold('internal error:'))} ${message}\n`);
    this.stderr.write(`${c.dim(stackOf(error))}\n`);
    this.stderr.write(`${c.cyan('  hint:')} this is a bug in Sediment; please report it with the output above.\n`);
    if (this.jsonMode) this.json({ event: 'error', error: { code: 'InternalError', message } });
  }

  private writeStdout(text: string): void {
    if (!this.stdoutClosed) this.stdout.write(text);
  }
}

/** The fields of a SedimentError a program reading --json output may rely on. */
export function errorJson(error: SedimentError): Record<string, string> {
  const fields: Record<string, string | undefined> = {
    code: error.code,
    message: error.message,
    hint: error.hint,
    databaseState: error.databaseState,
    sql: error.sql,
  };
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function stackOf(error: unknown): string {
  let text = error instanceof Error ? error.stack ?? error.message : String(error);
  let cause = error instanceof Error ? error.cause : undefined;
  while (cause) {
    text += `\ncaused by: ${cause instanceof Error ? cause.stack ?? cause.message : String(cause)}`;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return text;
}

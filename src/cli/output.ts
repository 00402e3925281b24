import pc from 'picocolors';
import { SedimentError } from '../errors/index.js';

export type Colors = ReturnType<typeof pc.createColors>;

/**
 * The only place that writes to the terminal. Colours only on a TTY and never with NO_COLOR
 * (https://no-color.org); --json output is never coloured.
 */
export class Output {
  readonly color: Colors;

  constructor(
    readonly stdout: NodeJS.WriteStream = process.stdout,
    readonly stderr: NodeJS.WriteStream = process.stderr,
    colorEnabled = Boolean(stdout.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb',
  ) {
    this.color = pc.createColors(colorEnabled);
  }

  get interactive(): boolean {
    return Boolean(process.stdin.isTTY && this.stdout.isTTY);
  }

  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  json(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  warn(text: string): void {
    this.stderr.write(`${this.color.yellow('warning:')} ${text}\n`);
  }

  /** One block per error: what failed, the SQL, the database's state, the hint. No stack unless asked. */
  error(error: unknown, traceback = false): void {
    const c = this.color;
    if (error instanceof SedimentError) {
      this.stderr.write(`${c.red(c.bold('error:'))} ${error.message}\n`);
      if (error.sql) this.stderr.write(`${c.dim('  sql:')} ${error.sql.split('\n').join('\n       ')}\n`);
      if (error.databaseState) this.stderr.write(`${c.dim('  database:')} ${error.databaseState}\n`);
      if (error.hint) this.stderr.write(`${c.cyan('  hint:')} ${error.hint}\n`);
      if (traceback) this.stderr.write(`${c.dim(stackOf(error))}\n`);
      return;
    }
    // Not a SedimentError: a bug in Sediment or something unforeseen. Show everything.
    this.stderr.write(`${c.red(c.bold('internal error:'))} ${error instanceof Error ? error.message : String(error)}\n`);
    this.stderr.write(`${c.dim(stackOf(error))}\n`);
    this.stderr.write(`${c.cyan('  hint:')} this is a bug in Sediment; please report it with the output above.\n`);
  }
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

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after } from 'node:test';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from '../../src/backends/base/connection.js';
import { withServerDatabase } from './databases.js';

/**
 * End-to-end helpers: a user's project in a temporary folder, driven through the real `sediment`
 * binary (bin/sediment.js, which runs the bundle in dist/: build it first with
 * `node scripts/build.mjs`). The project imports 'sediment-migrations' through node_modules/sediment-migrations, a link to
 * this repository, exactly as the store demo does.
 *
 * Each project runs against one target:
 * - `pglite`: the embedded database in `<project>/db` (the config says `pglite:./db`); every CLI call
 *   opens and closes it, so the test may read it only between calls;
 * - `postgres` (when SEDIMENT_TEST_POSTGRES_URL is set): a server database created and dropped for
 *   the test, passed to every call as `--database URL`.
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * The Sediment package the projects run and import: this repository, unless SEDIMENT_TEST_CLI_ROOT
 * names another copy of the package (a folder with bin/, dist/, package.json and node_modules/),
 * e.g. an installed package, or a snapshot of the build while someone else rebuilds dist/.
 */
const packageRoot = process.env.SEDIMENT_TEST_CLI_ROOT ? resolve(process.env.SEDIMENT_TEST_CLI_ROOT) : repo;
const bin = join(packageRoot, 'bin', 'sediment.js');

/** A spawned process that has not exited after this long is killed, so a hang fails the test. */
const DEFAULT_KILL_AFTER_MS = 120_000;

export type CliTargetName = 'pglite' | 'postgres';

/** PGlite always; the PostgreSQL server too when SEDIMENT_TEST_POSTGRES_URL is set. */
export function cliTargets(): CliTargetName[] {
  return process.env.SEDIMENT_TEST_POSTGRES_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface CliResult {
  /** `sediment …` as typed, for messages. */
  readonly command: string;
  /** The exit code; null when the process was killed (see `signal`). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ProjectOptions {
  /** App label -> source of its models.ts, in config order. */
  readonly apps?: Readonly<Record<string, string>>;
  /** Write no sediment.config.ts (and no app folders): an empty folder with sediment installed. */
  readonly withoutConfig?: boolean;
  /**
   * PGlite: leave the data directory for the first CLI call to create, as a user's first run does
   * (about 3 s). By default the project starts with a copy of an empty data directory made once per
   * test process.
   */
  readonly databaseCreatedByCli?: boolean;
}

export interface RunOptions {
  /** Kill the process after this long (default 120 s). */
  readonly killAfterMs?: number;
  /** Do not add `--database URL` for the postgres target (e.g. to pass another URL). */
  readonly noDatabaseFlag?: boolean;
}

export class CliProject {
  constructor(
    readonly root: string,
    readonly target: CliTargetName,
    /** The server database's URL on the postgres target; undefined on pglite (the config names it). */
    readonly databaseUrl: string | undefined,
    private readonly appDirs: Readonly<Record<string, string>>,
  ) {}

  /** Runs `sediment …args` in the project folder; never throws for a non-zero exit. */
  run(...args: string[]): Promise<CliResult> {
    return this.runWith({}, ...args);
  }

  runWith(options: RunOptions, ...args: string[]): Promise<CliResult> {
    const full = this.databaseUrl && !options.noDatabaseFlag ? [...args, '--database', this.databaseUrl] : args;
    return runSediment(this.root, full, options.killAfterMs);
  }

  /** An absolute path: parts relative to the project root (an absolute path stays as it is). */
  path(...parts: string[]): string {
    return resolve(this.root, ...parts);
  }

  /** The folder of an app, relative to the project root (`src/<app>`). */
  appDir(app: string): string {
    const dir = this.appDirs[app];
    assert.ok(dir, `no app ${app} in this test project (apps: ${Object.keys(this.appDirs).join(', ')})`);
    return dir;
  }

  writeModels(app: string, source: string): void {
    this.write(join(this.appDir(app), 'models.ts'), source);
  }

  /** Writes a migration by hand: `writeMigration('shop', '0002_rows', handWritten(...))`. */
  writeMigration(app: string, name: string, source: string): void {
    this.write(join(this.appDir(app), 'migrations', `${name}.ts`), source);
  }

  /** File names in the app's migrations folder (`0001_initial.ts`, …), sorted; dotfiles left out. */
  migrationFiles(app: string): string[] {
    const dir = this.path(this.appDir(app), 'migrations');
    if (!existsSync(dir)) return [];
    return readdirSync(dir).filter((name) => !name.startsWith('.')).sort();
  }

  /** The source of the one migration file whose name starts with `prefix`. */
  readMigration(app: string, prefix: string): string {
    return readFileSync(this.migrationPath(app, prefix), 'utf8');
  }

  /** The absolute path of the one migration file whose name starts with `prefix`. */
  migrationPath(app: string, prefix: string): string {
    const matches = this.migrationFiles(app).filter((name) => name.startsWith(prefix));
    assert.equal(matches.length, 1, `expected one migration of ${app} starting with ${prefix}; files: ${this.migrationFiles(app).join(', ')}`);
    return this.path(this.appDir(app), 'migrations', matches[0]);
  }

  write(path: string, text: string): void {
    mkdirSync(dirname(this.path(path)), { recursive: true });
    writeFileSync(this.path(path), text);
  }

  read(path: string): string {
    return readFileSync(this.path(path), 'utf8');
  }

  /** Removes a file (a path relative to the project, or absolute). */
  remove(path: string): void {
    rmSync(this.path(path));
  }

  /**
   * Runs SQL on the project's database and returns the rows. On PGlite this opens the data
   * directory, so call it only between CLI runs.
   */
  async sql<Row = Record<string, unknown>>(query: string, params?: readonly unknown[]): Promise<Row[]> {
    return this.withDatabase(async (connection) => (await connection.query<Row>(query, params)).rows);
  }

  /** Runs `fn` on one connection to the project's database (on PGlite: only between CLI runs). */
  async withDatabase<T>(fn: (connection: Connection) => Promise<T>): Promise<T> {
    const connection = await this.connect();
    try {
      return await fn(connection);
    } finally {
      await connection.close();
    }
  }

  /** The recorded history as `app.name`, sorted; empty when the history table does not exist. */
  history(): Promise<string[]> {
    return this.withDatabase(async (connection) => {
      const { rows: [{ found }] } = await connection.query<{ found: string | null }>(`SELECT to_regclass('sediment_migrations')::text AS found`);
      if (!found) return [];
      const { rows } = await connection.query<{ app: string; name: string }>('SELECT app, name FROM sediment_migrations ORDER BY app, name');
      return rows.map((row) => `${row.app}.${row.name}`);
    });
  }

  /** Tables of the current schema, sorted. */
  async tables(): Promise<string[]> {
    const rows = await this.sql<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`,
    );
    return rows.map((row) => row.table_name);
  }

  /** Columns of a table of the current schema, in table order. */
  async columns(table: string): Promise<string[]> {
    const rows = await this.sql<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    return rows.map((row) => row.column_name);
  }

  private async connect(): Promise<Connection> {
    if (this.databaseUrl) {
      const { connectPostgres } = await import('../../src/backends/postgres/pg-connection.js');
      return connectPostgres(this.databaseUrl);
    }
    const { connectPglite } = await import('../../src/backends/pglite/pglite-connection.js');
    return connectPglite(this.path('db'));
  }
}

/**
 * Creates a user's project in a temporary folder, runs `fn` with it, and removes it afterwards. On
 * the postgres target the test gets a database of its own, dropped afterwards.
 */
export async function withProject<T>(target: CliTargetName, options: ProjectOptions, fn: (project: CliProject) => Promise<T>): Promise<T> {
  const root = mkdtempSync(join(tmpdir(), 'sediment-cli-test-'));
  try {
    const appDirs = scaffold(root, options);
    if (target === 'pglite') {
      if (!options.databaseCreatedByCli && !options.withoutConfig) cpSync(await emptyPgliteDirectory(), join(root, 'db'), { recursive: true });
      return await fn(new CliProject(root, target, undefined, appDirs));
    }
    return await withServerDatabase((url) => fn(new CliProject(root, target, url, appDirs)));
  } finally {
    // Retried: a child process that was killed may still be closing files in the folder.
    rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

let emptyPglite: Promise<string> | undefined;
let emptyPgliteParent: string | undefined;
after(() => {
  if (emptyPgliteParent) rmSync(emptyPgliteParent, { recursive: true, force: true });
});

/**
 * An empty PGlite data directory, created once per test process: creating one costs seconds, copying
 * it a few milliseconds. Removed when the process's tests end.
 */
function emptyPgliteDirectory(): Promise<string> {
  emptyPglite ??= (async () => {
    emptyPgliteParent = mkdtempSync(join(tmpdir(), 'sediment-cli-pglite-'));
    const dir = join(emptyPgliteParent, 'db');
    mkdirSync(dir);
    const { connectPglite } = await import('../../src/backends/pglite/pglite-connection.js');
    await (await connectPglite(dir)).close();
    return dir;
  })();
  return emptyPglite;
}

/** The config, one folder per app with its models.ts, and sediment installed in node_modules. */
function scaffold(root: string, options: ProjectOptions): Record<string, string> {
  assert.ok(existsSync(join(packageRoot, 'dist', 'cli.js')), `${packageRoot}/dist/cli.js is missing: run 'node scripts/build.mjs' before the CLI tests`);
  mkdirSync(join(root, 'node_modules'));
  symlinkSync(packageRoot, join(root, 'node_modules', 'sediment-migrations'), 'dir');
  const apps = options.apps ?? {};
  const appDirs = Object.fromEntries(Object.keys(apps).map((label) => [label, `src/${label}`]));
  if (options.withoutConfig) return appDirs;
  const appsLiteral = Object.entries(appDirs).map(([label, dir]) => `${label}: '${dir}'`).join(', ');
  writeFileSync(
    join(root, 'sediment.config.ts'),
    `import { defineConfig } from 'sediment-migrations';\n\nexport default defineConfig({\n  database: 'pglite:./db',\n  apps: { ${appsLiteral} },\n});\n`,
  );
  for (const [label, source] of Object.entries(apps)) {
    mkdirSync(join(root, appDirs[label], 'migrations'), { recursive: true });
    writeFileSync(join(root, appDirs[label], 'models.ts'), source);
  }
  return appDirs;
}

/** Runs the binary in `cwd`; DATABASE_URL is removed from the environment and colours are off. */
export function runSediment(cwd: string, args: readonly string[], killAfterMs = DEFAULT_KILL_AFTER_MS): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.DATABASE_URL;
  delete env.FORCE_COLOR;
  const command = `sediment ${args.join(' ')}`;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ command, code, signal, stdout, stderr });
    });
  });
}

/** The whole run, for assertion messages. */
export function transcript(result: CliResult): string {
  const exit = result.signal ? `killed by ${result.signal}` : `exit ${result.code}`;
  const block = (name: string, text: string) => (text ? `--- ${name} ---\n${text.replace(/\n$/, '')}\n` : `--- ${name}: (empty) ---\n`);
  return `$ ${result.command}   (${exit})\n${block('stdout', result.stdout)}${block('stderr', result.stderr)}`;
}

type Expectation = string | RegExp;

export interface ExpectedRun {
  readonly code: number;
  /** Each must appear in stdout (a string as a substring). */
  readonly stdout?: readonly Expectation[];
  readonly stderr?: readonly Expectation[];
  /** None may appear. */
  readonly notStdout?: readonly Expectation[];
  readonly notStderr?: readonly Expectation[];
}

const matches = (text: string, expected: Expectation) => (typeof expected === 'string' ? text.includes(expected) : expected.test(text));
const show = (expected: Expectation) => (typeof expected === 'string' ? JSON.stringify(expected) : String(expected));

/**
 * Asserts the exit code and what the output holds, and that no run ever prints a stack trace or an
 * "internal error" (SPEC §1: an error is one clear message). On failure the message holds the whole
 * stdout and stderr.
 */
export function expectRun(result: CliResult, expected: ExpectedRun): CliResult {
  const problems: string[] = [];
  if (result.code !== expected.code) problems.push(`expected exit code ${expected.code}, got ${result.signal ? `killed by ${result.signal}` : result.code}`);
  for (const e of expected.stdout ?? []) if (!matches(result.stdout, e)) problems.push(`stdout lacks ${show(e)}`);
  for (const e of expected.stderr ?? []) if (!matches(result.stderr, e)) problems.push(`stderr lacks ${show(e)}`);
  for (const e of expected.notStdout ?? []) if (matches(result.stdout, e)) problems.push(`stdout has ${show(e)}`);
  for (const e of expected.notStderr ?? []) if (matches(result.stderr, e)) problems.push(`stderr has ${show(e)}`);
  problems.push(...traceProblems(result));
  if (problems.length) assert.fail(`${problems.join('\n')}\n\n${transcript(result)}`);
  return result;
}

/** A stack frame (`    at fn (file:1:2)`) or an internal error in the output is a bug. */
function traceProblems(result: CliResult): string[] {
  const out: string[] = [];
  const frame = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;
  if (frame.test(result.stderr) || frame.test(result.stdout)) out.push('the output has a stack trace');
  if (/internal error/i.test(result.stderr)) out.push('the output reports an internal error');
  return out;
}

/** Asserts a condition about a run, printing the whole run when it does not hold. */
export function assertRun(result: CliResult, condition: boolean, what: string): void {
  if (!condition) assert.fail(`${what}\n\n${transcript(result)}`);
}

/** Parses a run's stdout as JSON, printing the whole run when it is not JSON. */
export function jsonOf<T = unknown>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch (error) {
    return assert.fail(`stdout is not JSON (${String(error)})\n\n${transcript(result)}`);
  }
}

/**
 * The source of a hand-written migration file, as a person would write it:
 * `handWritten({ dependencies: [['shop', '0001_initial']], operations: ["ops.runSql({ sql: 'SELECT 1' })"] })`.
 */
export function handWritten(migration: {
  readonly dependencies: readonly (readonly [string, string])[];
  /** Each the source of one operation expression. */
  readonly operations: readonly string[];
  readonly atomic?: boolean;
}): string {
  const deps = migration.dependencies.map(([app, name]) => `['${app}', '${name}']`).join(', ');
  const atomic = migration.atomic === false ? '  atomic: false,\n' : '';
  return `import { f, index, migration, ops } from 'sediment-migrations';

export default migration({
${atomic}  dependencies: [${deps}],
  operations: [
${migration.operations.map((op) => `    ${op},`).join('\n')}
  ],
});
`;
}

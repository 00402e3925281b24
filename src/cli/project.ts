import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import type { Connection } from '../backends/base/connection.js';
import type { Output } from './output.js';
import { describeWait, type LockWaitEvent } from '../backends/base/lock-holder.js';
import { lockSettings, parseLockTimeoutOption } from '../config/lock-settings.js';
import type { SedimentConfig } from '../config/define-config.js';
import { findConfigFile, loadConfig } from '../config/load-config.js';
import { openDatabase } from '../database/database.js';
import { describeTarget, parseDatabaseUrl } from '../database/url.js';
import { ConfigError, UsageError } from '../errors/index.js';
import { DEFAULT_HISTORY_TABLE } from '../recorder/recorder.js';
import { Naming } from '../state/names.js';

/** Options every command accepts. */
export interface GlobalOptions {
  readonly database?: string;
  readonly config?: string;
  readonly traceback?: boolean;
  /** --lock-timeout SECONDS, as given. */
  readonly lockTimeout?: string;
}

/** A user's project as the config describes it: the composition root's view of the world. */
export interface Project {
  readonly root: string;
  readonly configFile: string;
  readonly config: SedimentConfig;
  /** App labels and their absolute folders, in config order. */
  readonly apps: readonly (readonly [label: string, dir: string])[];
  readonly naming: Naming;
  readonly historyTable: string;
  /** --database, else DATABASE_URL, else the config's `database`; commands that connect require it. */
  readonly databaseUrl: string | undefined;
  /** How long to wait for another process's lock (--lock-timeout, else the config's); undefined: without limit. */
  readonly lockTimeoutMs: number | undefined;
  /** PostgreSQL lock_timeout of migrate's statements (the config's `statementLockTimeout`); 0: none. */
  readonly statementLockTimeoutMs: number;
}

export async function loadProject(options: GlobalOptions, cwd = process.cwd()): Promise<Project> {
  const configFile = options.config ? resolve(cwd, options.config) : findConfigFile(cwd);
  if (!configFile) {
    throw new ConfigError(`No sediment.config.ts (or .js/.mjs) found in ${cwd} or any folder above it.`, {
      hint: "Run 'sediment init' to create one, or pass --config PATH.",
    });
  }
  const root = dirname(configFile);
  // Before the config is evaluated: it usually reads process.env.DATABASE_URL.
  loadDotEnv(root);
  const config = await loadConfig(configFile);
  // An empty value counts as unset: `DATABASE_URL= sediment migrate` should fall back to the config.
  // A relative pglite: path is relative to where it was written: the config's folder for the config,
  // the current folder for --database and DATABASE_URL.
  const given = options.database || process.env.DATABASE_URL;
  const databaseUrl = given ? absolutePglitePath(given, cwd) : config.database || undefined;
  const locks = lockSettings(config, configFile);
  return {
    root,
    configFile,
    config,
    apps: Object.entries(config.apps).map(([label, dir]) => [label, resolve(root, dir)] as const),
    naming: new Naming(config.columnNaming ?? 'snake_case'),
    historyTable: config.historyTable ?? DEFAULT_HISTORY_TABLE,
    databaseUrl,
    lockTimeoutMs: parseLockTimeoutOption(options.lockTimeout) ?? locks.lockTimeoutMs,
    statementLockTimeoutMs: locks.statementLockTimeoutMs,
  };
}

function absolutePglitePath(url: string, base: string): string {
  const match = /^pglite:(.+)$/i.exec(url);
  if (!match || match[1] === 'memory' || isAbsolute(match[1])) return url;
  return `pglite:${resolve(base, match[1])}`;
}

export interface ConnectOptions {
  /**
   * The command only reads: a PGlite database that does not exist yet is not created (a mistyped
   * path would otherwise leave an empty database behind); it reads as empty, with a warning.
   */
  readonly readOnly?: boolean;
  readonly warn?: (message: string) => void;
  /**
   * Told the target, password-free, once it is open: every command that connects names it first
   * (SPEC §1), so nobody writes 300,000 rows into PGlite believing they went to the server.
   */
  readonly announce?: (target: string) => void;
  /**
   * Called while another process has the PGlite folder open (it is opened by one process at a time);
   * default: a line on stderr.
   */
  readonly onLockWait?: (event: LockWaitEvent) => void;
}

/** Opens the project's database, runs `fn`, and always closes the connection. */
export async function withConnection<T>(project: Project, fn: (connection: Connection) => Promise<T>, options: ConnectOptions = {}): Promise<T> {
  if (!project.databaseUrl) {
    throw new ConfigError('No database configured.', {
      hint: "Set `database` in sediment.config.ts, the DATABASE_URL environment variable, or pass --database URL (e.g. 'pglite:./.sediment/dev').",
    });
  }
  let url = project.databaseUrl;
  const target = parseDatabaseUrl(url);
  let missing = false;
  if (options.readOnly && target.kind === 'pglite' && target.path !== 'memory' && !existsSync(resolve(project.root, target.path))) {
    options.warn?.(
      `There is no PGlite database at ${target.path} yet: it reads as empty (nothing applied). Check the path, or run 'sediment migrate' to create it.`,
    );
    url = 'pglite:memory';
    missing = true;
  }
  const onWait = options.onLockWait ?? ((event: LockWaitEvent) => process.stderr.write(`${describeWait(event)}\n`));
  const connection = await openDatabase(url, project.root, { lock: { onWait, timeoutMs: project.lockTimeoutMs } });
  options.announce?.(missing ? `${targetName(project)} (not created yet)` : targetName(project));
  try {
    return await fn(connection);
  } finally {
    await connection.close();
  }
}

/**
 * The project's database for messages, password-free: "PostgreSQL app@db.internal:5432/app", or
 * "PGlite .sediment/dev" with the path relative to the current folder (describeTarget for the rest).
 */
export function targetName(project: Project): string {
  if (!project.databaseUrl) return '(no database configured)';
  const target = parseDatabaseUrl(project.databaseUrl);
  if (target.kind !== 'pglite') return describeTarget(project.databaseUrl);
  return target.path === 'memory' ? 'PGlite (in memory)' : `PGlite ${relative(process.cwd(), resolve(project.root, target.path)) || '.'}`;
}

/** The `announce` every connecting command passes: "Database: …" as its first line. */
export function announceTarget(output: Output): (target: string) => void {
  return (target) => output.line(output.color.dim(`Database: ${target}`));
}

/** Waiting for the PGlite folder or the migrate lock: a line of text, or a `lock-wait` JSON line under --json. */
export function printLockWait(output: Output): (event: LockWaitEvent) => void {
  return (event) => (output.jsonMode ? output.json({ event: 'lock-wait', ...event }) : output.line(describeWait(event)));
}

/**
 * Reads `.env` in the project root for variables that are not set already (as Prisma does): the
 * environment always wins. A missing file is fine; a malformed line is ignored by Node's parser.
 */
function loadDotEnv(root: string): void {
  const file = join(root, '.env');
  if (!existsSync(file)) return;
  let parsed: Record<string, string>;
  try {
    parsed = parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new ConfigError(`Could not read ${file}: ${(error as Error).message}`, { hint: 'Fix or remove the .env file.' });
  }
  for (const [name, value] of Object.entries(parsed)) {
    if (process.env[name] === undefined) process.env[name] = value;
  }
}

/** Bad usage (exit 2) unless every app named on the command line is in the config. */
export function requireApps(project: Project, apps: readonly (string | undefined)[]): void {
  const labels = project.apps.map(([label]) => label);
  const unknown = apps.filter((app): app is string => app !== undefined && !labels.includes(app));
  if (unknown.length === 0) return;
  throw new UsageError(`No app named ${unknown.join(', ')} in ${project.configFile}.`, {
    hint: `Apps in this project: ${labels.join(', ') || 'none'}. Add an app to \`apps\` in the config first.`,
  });
}

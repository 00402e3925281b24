import { dirname, resolve } from 'node:path';
import type { Connection } from '../backends/base/connection.js';
import type { SedimentConfig } from '../config/define-config.js';
import { findConfigFile, loadConfig } from '../config/load-config.js';
import { openDatabase } from '../database/database.js';
import { redact } from '../database/url.js';
import { ConfigError } from '../errors/index.js';
import { DEFAULT_HISTORY_TABLE } from '../recorder/recorder.js';
import { Naming } from '../state/names.js';

/** Options every command accepts. */
export interface GlobalOptions {
  readonly database?: string;
  readonly config?: string;
  readonly traceback?: boolean;
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
}

export async function loadProject(options: GlobalOptions, cwd = process.cwd()): Promise<Project> {
  const configFile = options.config ? resolve(cwd, options.config) : findConfigFile(cwd);
  if (!configFile) {
    throw new ConfigError(`No sediment.config.ts (or .js/.mjs) found in ${cwd} or any folder above it.`, {
      hint: "Run 'sediment init' to create one, or pass --config PATH.",
    });
  }
  const config = await loadConfig(configFile);
  const root = dirname(configFile);
  // An empty value counts as unset: `DATABASE_URL= sediment migrate` should fall back to the config.
  const databaseUrl = options.database || process.env.DATABASE_URL || config.database || undefined;
  return {
    root,
    configFile,
    config,
    apps: Object.entries(config.apps).map(([label, dir]) => [label, resolve(root, dir)] as const),
    naming: new Naming(config.columnNaming ?? 'snake_case'),
    historyTable: config.historyTable ?? DEFAULT_HISTORY_TABLE,
    databaseUrl,
  };
}

/** Opens the project's database, runs `fn`, and always closes the connection. */
export async function withConnection<T>(project: Project, fn: (connection: Connection) => Promise<T>): Promise<T> {
  if (!project.databaseUrl) {
    throw new ConfigError('No database configured.', {
      hint: "Set `database` in sediment.config.ts, the DATABASE_URL environment variable, or pass --database URL (e.g. 'pglite:./.sediment/dev').",
    });
  }
  const connection = await openDatabase(project.databaseUrl, project.root);
  try {
    return await fn(connection);
  } finally {
    await connection.close();
  }
}

export function describeDatabase(project: Project): string {
  return project.databaseUrl ? redact(project.databaseUrl) : '(no database configured)';
}

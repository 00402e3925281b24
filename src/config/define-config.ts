import type { ColumnNaming } from '../state/names.js';

export interface SedimentConfig {
  /** Database URL: postgres://, postgresql://, pglite:PATH, pglite:memory, sqlite:PATH, mysql://, mariadb://. */
  readonly database?: string;
  /** App label -> folder holding models.ts and migrations/, in order. */
  readonly apps: Readonly<Record<string, string>>;
  /** The history table; default `sediment_migrations`. */
  readonly historyTable?: string;
  readonly columnNaming?: ColumnNaming;
  /**
   * Seconds to wait for another process's lock before giving up with an error (exit 1): the migrate
   * lock (`migrate`, `doctor --fix`) and a PGlite data folder, which one process opens at a time.
   * `--lock-timeout SECONDS` overrides it. Default: wait without limit, saying every 10 s who holds it.
   */
  readonly lockTimeout?: number;
  /**
   * Seconds one statement of `migrate` may wait for a table lock (PostgreSQL `lock_timeout`) before
   * it fails and its migration is rolled back; so an ALTER never queues behind a long read, blocking
   * every later query of the table meanwhile. Default 10; 0 = wait without limit.
   */
  readonly statementLockTimeout?: number;
}

/** Declares the project's configuration in `sediment.config.ts`. */
export function defineConfig(config: SedimentConfig): SedimentConfig {
  return config;
}

import type { ColumnNaming } from '../state/names.js';

export interface SedimentConfig {
  /** Database URL: postgres://, postgresql://, pglite:PATH, pglite:memory, sqlite:PATH, mysql://, mariadb://. */
  readonly database?: string;
  /** App label -> folder holding models.ts and migrations/, in order. */
  readonly apps: Readonly<Record<string, string>>;
  /** The history table; default `sediment_migrations`. */
  readonly historyTable?: string;
  readonly columnNaming?: ColumnNaming;
}

/** Declares the project's configuration in `sediment.config.ts`. */
export function defineConfig(config: SedimentConfig): SedimentConfig {
  return config;
}

import type { Operation } from '../operations/types.js';

/** What a migration file's default export declares. */
export interface MigrationDefinition {
  readonly dependencies?: readonly (readonly [string, string])[];
  readonly operations?: readonly Operation[];
  /** true: the app's first migration; `migrate --fake-initial` may record it when its tables exist. */
  readonly initial?: boolean;
  /** false: run statement by statement outside one transaction (e.g. CREATE INDEX CONCURRENTLY). */
  readonly atomic?: boolean;
  /** For a squashed migration: the migrations it stands for. */
  readonly replaces?: readonly (readonly [string, string])[];
  /** Migrations of other apps that must run after this one. */
  readonly runBefore?: readonly (readonly [string, string])[];
}

export interface MigrationFileExport extends MigrationDefinition {
  readonly kind: 'migration';
}

/** Declares a migration: `export default migration({ dependencies, operations })`. */
export function migration(definition: MigrationDefinition): MigrationFileExport {
  return Object.freeze({ kind: 'migration', ...definition });
}

import { SedimentError } from '../../errors/index.js';
import type { Naming } from '../../state/names.js';
import type { Connection } from '../base/connection.js';

/**
 * What every part of the PostgreSQL schema editor shares: the connection (catalog look-ups always run
 * on it, even in collect mode), the naming, and `run`, which executes a statement or only records it.
 */
export interface EditorContext {
  readonly connection: Connection;
  readonly naming: Naming;
  /** true for sqlmigrate: statements are recorded, not run, so the catalogs do not see their effects. */
  readonly collecting: boolean;
  run(sql: string): Promise<void>;
}

export async function runAll(ctx: EditorContext, statements: readonly string[]): Promise<void> {
  for (const sql of statements) await ctx.run(sql);
}

/**
 * The names of the existing objects to drop. When the catalogs show none: in collect mode (where the
 * table may only exist in the SQL being collected) the name Sediment would have generated; otherwise
 * an error, since the database no longer matches the migration history.
 */
export function namesToDrop(ctx: EditorContext, found: readonly string[], fallback: string, what: string): readonly string[] {
  if (found.length > 0) return found;
  if (ctx.collecting) return [fallback];
  throw new SedimentError('SchemaDrift', `Expected ${what} in the database, but there is none.`, {
    hint: "The database no longer matches the migration history; 'sediment doctor' lists the differences.",
    databaseState: 'unchanged by this statement',
  });
}

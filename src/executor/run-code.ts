import type { Connection } from '../backends/base/connection.js';
import type { MigrationGraph } from '../graph/graph.js';
import type { Migration } from '../graph/migration.js';
import { nodeKey } from '../graph/migration.js';
import type { RunCodeFunction } from '../operations/types.js';
import { Naming } from '../state/names.js';
import type { ProjectState } from '../state/project-state.js';
import { StateApps, dependencyScope } from '../data/historical-apps.js';
import { kyselyFor } from '../data/kysely-dialect.js';
import { silentProgress, type ProgressReporter } from '../data/progress.js';
import { DataSession, type TransactionMode } from '../data/session.js';

export interface RunCodeEnvironment {
  readonly connection: Connection;
  /** The state at this point of the history: what apps.getModel() returns models of. */
  readonly state: ProjectState;
  readonly migration: Migration;
  /**
   * Where the code's statements run (see DataSession): 'migration' (inside an atomic migration's
   * transaction), 'own' (a transaction of its own: an atomic runCode in a non-atomic migration) or
   * 'none' (each statement commits as it goes). Default: 'migration' when `atomic`, else 'none'.
   */
  readonly transaction?: TransactionMode;
  /** @deprecated use `transaction`. */
  readonly atomic?: boolean;
  /** How models map to tables and columns (the project's columnNaming). Default snake_case. */
  readonly naming?: Naming;
  /** The migration graph: lets getModel() refuse apps the migration does not depend on, naming the dependency to add. */
  readonly graph?: MigrationGraph;
  /** Progress of long iterations. Default silent. */
  readonly progress?: ProgressReporter;
}

/**
 * Runs a data-migration function with `apps` (the historical models at this point of the history) and
 * `db` (Kysely on the migration's own connection and transaction). Before it returns, writes the data
 * API deferred are flushed and key sequences are moved past explicitly written keys (seed 004); after
 * a failure, a transaction of the code's own is rolled back (the executor rolls back the migration's).
 */
export async function runCodeInMigration(fn: RunCodeFunction, env: RunCodeEnvironment): Promise<void> {
  const mode: TransactionMode = env.transaction ?? (env.atomic === false ? 'none' : 'migration');
  const id = nodeKey(env.migration.app, env.migration.name);
  const session = new DataSession(env.connection, mode, id, env.progress ?? silentProgress);
  const scope = env.graph ? dependencyScope(env.graph, env.migration) : undefined;
  const apps = new StateApps(env.state, env.naming ?? new Naming(), session, scope);
  const db = await kyselyFor(session);
  await session.begin();
  try {
    await fn({ apps, db });
    await session.finish();
  } catch (error) {
    await session.abort();
    throw error;
  }
  if (mode === 'migration') {
    // Rows written by the code may have queued deferred foreign-key checks; a later ALTER TABLE on the
    // same table in this transaction would then fail with "pending trigger events" (seed 001).
    await env.connection.backend.transactions.flushDeferredChecks(env.connection);
  }
}

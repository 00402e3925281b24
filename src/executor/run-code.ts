import type { Connection } from '../backends/base/connection.js';
import { SedimentError } from '../errors/index.js';
import type { Migration } from '../graph/migration.js';
import type { RunCodeContext, RunCodeFunction } from '../operations/types.js';
import type { ProjectState } from '../state/project-state.js';
import { kyselyFor } from '../data/kysely-dialect.js';

export interface RunCodeEnvironment {
  readonly connection: Connection;
  /** The state at this point of the history. */
  readonly state: ProjectState;
  readonly migration: Migration;
  /** true: the code runs inside the migration's transaction. */
  readonly atomic: boolean;
}

/**
 * Runs a data-migration function with `db` (Kysely on the migration's own connection and transaction)
 * and `apps` (the historical models).
 */
export async function runCodeInMigration(fn: RunCodeFunction, env: RunCodeEnvironment): Promise<void> {
  const db = await kyselyFor(env.connection);
  const apps = {
    getModel(app: string, name: string): never {
      const model = env.state.get(app, name, `apps.getModel('${app}', '${name}')`);
      throw new SedimentError(
        'not-available',
        `apps.getModel('${app}', '${model.name}'): historical model query sets are not available in this version of Sediment.`,
        { hint: "Use the Kysely instance `db` passed to the function: db.updateTable('table').set({...}).execute()." },
      );
    },
  };
  await fn({ apps, db: db as RunCodeContext['db'] });
  if (env.atomic) {
    // Rows written by the code may have queued deferred foreign-key checks; a later ALTER TABLE on the
    // same table in this transaction would then fail with "cannot ALTER TABLE because it has pending
    // trigger events" (seed 001). Setting the constraints IMMEDIATE runs those checks now
    // (https://www.postgresql.org/docs/current/sql-set-constraints.html), and DEFERRED restores the default.
    await env.connection.query('SET CONSTRAINTS ALL IMMEDIATE');
    await env.connection.query('SET CONSTRAINTS ALL DEFERRED');
  }
}

import type { Connection } from '../backends/base/connection.js';
import { quoteLiteral, quoteName } from '../backends/postgres/sql.js';
import { databaseMessage, SedimentError } from '../errors/index.js';
import { nodeKey, type NodeKey } from '../graph/migration.js';

export interface AppliedMigration {
  readonly app: string;
  readonly name: string;
  readonly appliedAt: Date;
  readonly checksum: string | null;
}

export const DEFAULT_HISTORY_TABLE = 'sediment_migrations';

/**
 * Owns the history table. Its primary key is (app, name): there is no serial id, so there is no
 * sequence that can fall behind the table (seed 004's "duplicate key ... django_migrations_pkey").
 */
export class Recorder {
  private readonly table: string;

  constructor(
    private readonly connection: Connection,
    readonly tableName: string = DEFAULT_HISTORY_TABLE,
  ) {
    this.table = quoteName(tableName);
  }

  async hasTable(): Promise<boolean> {
    const { rows } = await this.connection.query<{ found: string | null }>(
      `SELECT to_regclass(${quoteLiteral(quoteName(this.tableName))}) AS found`,
    );
    return rows[0]?.found != null;
  }

  /** Creates the table if it is missing. Call it holding the migrate lock: concurrent creates race. */
  async ensureTable(): Promise<void> {
    if (await this.hasTable()) return;
    await this.connection.query(
      `CREATE TABLE IF NOT EXISTS ${this.table} (
  app text NOT NULL,
  name text NOT NULL,
  applied_at timestamp with time zone NOT NULL DEFAULT now(),
  checksum text,
  PRIMARY KEY (app, name)
)`,
    );
  }

  /** Applied migrations by `app.name`, oldest first; empty when the table does not exist yet. */
  async applied(): Promise<Map<NodeKey, AppliedMigration>> {
    const out = new Map<NodeKey, AppliedMigration>();
    if (!(await this.hasTable())) return out;
    const { rows } = await this.connection
      .query<{ app: string; name: string; applied_at: Date | string; checksum: string | null }>(
        `SELECT app, name, applied_at, checksum FROM ${this.table} ORDER BY applied_at, app, name`,
      )
      .catch((error: unknown) => {
        throw this.unreadable(error);
      });
    for (const row of rows) {
      out.set(nodeKey(row.app, row.name), {
        app: row.app,
        name: row.name,
        appliedAt: row.applied_at instanceof Date ? row.applied_at : new Date(row.applied_at),
        checksum: row.checksum,
      });
    }
    return out;
  }

  /** A history table that exists but cannot be read as Sediment's (changed by hand, or another tool's). */
  private unreadable(error: unknown): SedimentError {
    return new SedimentError('HistoryTable', `The history table ${this.tableName} cannot be read: ${databaseMessage(error)}.`, {
      hint:
        `Sediment expects ${this.tableName}(app text, name text, applied_at timestamptz, checksum text) with primary key (app, name). ` +
        'Restore the missing column (e.g. ALTER TABLE ... ADD COLUMN checksum text), or set historyTable in the config if this table belongs to another tool.',
      databaseState: 'unchanged: nothing was run.',
      cause: error,
    });
  }

  async recordApplied(app: string, name: string, checksum: string | null): Promise<void> {
    await this.connection.script(this.appliedSql(app, name, checksum));
  }

  async recordUnapplied(app: string, name: string): Promise<void> {
    await this.connection.script(this.unappliedSql(app, name));
  }

  /** Runs statements from appliedSql/unappliedSql on the recorder's connection. */
  async connectionScript(sql: string): Promise<void> {
    await this.connection.script(sql);
  }

  /**
   * The statement recording a migration as applied, with quoted literals (not parameters), so the
   * executor can send it together with COMMIT in one round trip.
   */
  appliedSql(app: string, name: string, checksum: string | null): string {
    const value = checksum === null ? 'NULL' : quoteLiteral(checksum);
    return `INSERT INTO ${this.table} (app, name, checksum) VALUES (${quoteLiteral(app)}, ${quoteLiteral(name)}, ${value}) ` +
      'ON CONFLICT (app, name) DO UPDATE SET checksum = EXCLUDED.checksum';
  }

  unappliedSql(app: string, name: string): string {
    return `DELETE FROM ${this.table} WHERE app = ${quoteLiteral(app)} AND name = ${quoteLiteral(name)}`;
  }
}

import type { Connection } from '../backends/base/connection.js';
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
  constructor(
    private readonly connection: Connection,
    readonly tableName: string = DEFAULT_HISTORY_TABLE,
  ) {}

  private get history() {
    return this.connection.backend.history;
  }

  hasTable(): Promise<boolean> {
    return this.history.hasTable(this.connection, this.tableName);
  }

  /** Creates the table if it is missing. Call it holding the migrate lock: concurrent creates race. */
  async ensureTable(): Promise<void> {
    if (await this.hasTable()) return;
    await this.connection.query(this.history.createTable(this.tableName));
  }

  /** Applied migrations by `app.name`, oldest first; empty when the table does not exist yet. */
  async applied(): Promise<Map<NodeKey, AppliedMigration>> {
    const out = new Map<NodeKey, AppliedMigration>();
    if (!(await this.hasTable())) return out;
    const { rows } = await this.connection
      .query<{ app: string; name: string; applied_at: Date | string; checksum: string | null }>(
        `SELECT app, name, applied_at, checksum FROM ${this.connection.backend.sql.quoteName(this.tableName)} ORDER BY applied_at, app, name`,
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
        `Sediment expects ${this.tableName}${this.history.expectedColumns}. ` +
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
    return this.history.insert(this.tableName, app, name, checksum);
  }

  unappliedSql(app: string, name: string): string {
    return this.history.delete(this.tableName, app, name);
  }
}

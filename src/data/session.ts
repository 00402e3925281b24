import type { Connection, QueryResult } from '../backends/base/connection.js';
import { quoteName } from '../backends/postgres/sql.js';
import type { FieldMeta, ModelMeta } from './model-meta.js';
import { integrityError, isIntegrityViolation } from './integrity.js';
import { compileBulkUpdate, integerKeyRange } from './compile.js';
import type { ProgressReporter } from './progress.js';

/**
 * Where a runCode function's statements run:
 * - 'migration': inside the migration's own transaction (an atomic migration);
 * - 'own': in a transaction of its own (an atomic runCode in a non-atomic migration, as Django does);
 * - 'none': no transaction at all, each statement commits as it goes (`atomic: false` runCode in an
 *   `atomic: false` migration), so a huge backfill can run batch by batch.
 */
export type TransactionMode = 'migration' | 'own' | 'none';

const SAVEPOINT = 'sediment_write';

/** A row's changed values waiting to be written by the next flush (see DataSession.deferSave). */
interface PendingSave {
  readonly fields: readonly FieldMeta[];
  readonly values: unknown[];
}

/**
 * One runCode invocation's view of the connection. Every statement of the data API and of `db` goes
 * through here, which is what makes three guarantees possible:
 *
 * 1. Seed 000: in a transaction, each write runs under a savepoint, so a failed write (say, a unique
 *    violation the code catches) is rolled back alone and the transaction stays usable
 *    (https://www.postgresql.org/docs/current/sql-savepoint.html). The savepoint is released lazily,
 *    together with the next one (`RELEASE ...; SAVEPOINT ...` in one round trip), so a write costs two
 *    round trips instead of three.
 * 2. Seed 004: tables that got rows with explicit primary keys have their key sequence moved past the
 *    largest key before the operation ends (`finish`).
 * 3. Row-by-row code stays fast: `save()`s of rows being iterated are written in bulk (one UPDATE per
 *    batch) when they cannot raise an integrity error, and flushed before any other statement runs, so
 *    every read sees them. Per-table write counters tell cached per-batch counts when they are stale.
 */
export class DataSession {
  private savepointOpen = false;
  private readonly writes = new Map<string, number>();
  private writesEverywhere = 0;
  private readonly pending = new Map<ModelMeta, Map<string, PendingSave>>();
  private pendingRows = 0;
  private flushing = false;
  private readonly explicitKeys = new Set<ModelMeta>();
  /** Iterations running now; only the outermost reports progress. */
  iterationDepth = 0;
  /**
   * One statement (with its savepoint dance) at a time: code may start writes concurrently
   * (`Promise.all(rows.map((r) => M.objects.create(r)))`), and a savepoint must bracket its own write.
   */
  private queue: Promise<unknown> = Promise.resolve();

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  constructor(
    readonly connection: Connection,
    readonly mode: TransactionMode,
    readonly migration: string,
    readonly progress: ProgressReporter,
    /** Deferred saves are flushed once this many rows wait. */
    readonly flushThreshold = 1000,
  ) {}

  /** A transaction opened by `db.transaction()` while the code runs without one of its own. */
  private externalTransaction = false;

  get inTransaction(): boolean {
    return this.mode !== 'none' || this.externalTransaction;
  }

  async begin(): Promise<void> {
    if (this.mode === 'own') await this.exclusive(() => this.connection.query('BEGIN'));
  }

  /** A read of the data API: pending saves are written first, so it sees them. */
  read<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
    return this.exclusive(async () => {
      await this.beforeStatement();
      return this.connection.query<Row>(sql, params);
    });
  }

  /**
   * A write of the data API under a savepoint (in a transaction); an integrity violation becomes an
   * IntegrityError naming the model, the constraint and the key. `tables` are the tables it changes
   * (none given: it may change any, e.g. a delete that cascades).
   */
  write<Row = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[],
    meta: ModelMeta,
    action: string,
    tables: readonly string[] | 'any',
  ): Promise<QueryResult<Row>> {
    return this.exclusive(async () => {
      await this.beforeStatement();
      return this.writeNow<Row>(sql, params, meta, action, tables);
    });
  }

  private async writeNow<Row>(sql: string, params: readonly unknown[], meta: ModelMeta, action: string, tables: readonly string[] | 'any'): Promise<QueryResult<Row>> {
    if (tables === 'any') this.writesEverywhere++;
    else for (const table of tables) this.touched(table);
    if (!this.inTransaction) {
      try {
        return await this.connection.query<Row>(sql, params);
      } catch (error) {
        throw isIntegrityViolation(error) ? integrityError(error, meta, action, sql) : error;
      }
    }
    if (this.savepointOpen) await this.connection.script(`RELEASE SAVEPOINT ${SAVEPOINT}; SAVEPOINT ${SAVEPOINT}`);
    else await this.connection.query(`SAVEPOINT ${SAVEPOINT}`);
    this.savepointOpen = true;
    try {
      return await this.connection.query<Row>(sql, params);
    } catch (error) {
      this.savepointOpen = false;
      await this.connection.script(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}; RELEASE SAVEPOINT ${SAVEPOINT}`);
      throw isIntegrityViolation(error) ? integrityError(error, meta, action, sql) : error;
    }
  }

  /** A statement from `db` (Kysely): it may touch anything, and may open its own savepoints. */
  external<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
    return this.exclusive(async () => {
      await this.beforeStatement();
      await this.closeSavepoint();
      // Anything but a plain SELECT may write (a WITH may hold a data-modifying statement).
      if (!/^\s*select\b/i.test(sql)) this.writesEverywhere++;
      return this.connection.query<Row>(sql, params);
    });
  }

  /** A transaction-control statement from `db.transaction()`. */
  control(sql: string): Promise<void> {
    return this.exclusive(async () => {
      await this.beforeStatement();
      await this.closeSavepoint();
      this.writesEverywhere++;
      await this.connection.query(sql);
      if (sql === 'BEGIN') this.externalTransaction = true;
      else if (sql === 'COMMIT' || sql === 'ROLLBACK') this.externalTransaction = false;
    });
  }

  /** A stamp that changes whenever `table` may have been written through this session. */
  stamp(table: string): string {
    return `${this.writesEverywhere}/${this.writes.get(table) ?? 0}`;
  }

  touched(table: string): void {
    this.writes.set(table, (this.writes.get(table) ?? 0) + 1);
  }

  /** Rows were written with explicit primary keys: move the key sequence before the operation ends. */
  wroteExplicitKeys(meta: ModelMeta): void {
    if (meta.pk.codec.kind === 'int2' || meta.pk.codec.kind === 'int4' || meta.pk.codec.kind === 'int8') this.explicitKeys.add(meta);
  }

  /** Whether a save of this row is waiting (a second save of it must flush first to keep the order). */
  isPending(meta: ModelMeta, key: string): boolean {
    return this.pending.get(meta)?.has(key) === true;
  }

  /** Queues a row's changed values; written by the next flush (before any other statement). */
  async deferSave(meta: ModelMeta, key: string, keyParam: unknown, fields: readonly FieldMeta[], values: unknown[]): Promise<void> {
    let rows = this.pending.get(meta);
    if (!rows) this.pending.set(meta, (rows = new Map()));
    rows.set(key, { fields, values: [keyParam, ...values] });
    this.touched(meta.table);
    this.pendingRows++;
    if (this.pendingRows >= this.flushThreshold) await this.flush();
  }

  /** Writes every pending save: one UPDATE ... FROM unnest(...) per model and set of changed fields. */
  flush(): Promise<void> {
    return this.pendingRows === 0 ? Promise.resolve() : this.exclusive(() => this.flushNow());
  }

  private async flushNow(): Promise<void> {
    if (this.pendingRows === 0 || this.flushing) return;
    this.flushing = true;
    try {
      const pending = [...this.pending];
      this.pending.clear();
      this.pendingRows = 0;
      for (const [meta, rows] of pending) {
        const groups = new Map<string, { fields: readonly FieldMeta[]; rows: unknown[][] }>();
        for (const save of rows.values()) {
          const key = save.fields.map((f) => f.attribute).join('\u0000');
          let group = groups.get(key);
          if (!group) groups.set(key, (group = { fields: save.fields, rows: [] }));
          group.rows.push(save.values);
        }
        for (const { fields, rows: values } of groups.values()) {
          const keys = values.map((row) => row[0]);
          const columns = fields.map((_, i) => values.map((row) => row[i + 1]));
          const { sql, params } = compileBulkUpdate(meta, fields, keys, columns, integerKeyRange(meta.pk, keys));
          const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', …' : '');
          await this.writeNow(sql, params, meta, `writing ${keys.length} saved ${meta.label} row(s) (${meta.pk.name} ${shown}) in bulk`, [meta.table]);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async beforeStatement(): Promise<void> {
    if (this.pendingRows > 0 && !this.flushing) await this.flushNow();
  }

  private async closeSavepoint(): Promise<void> {
    if (!this.savepointOpen) return;
    this.savepointOpen = false;
    await this.connection.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
  }

  /**
   * The end of the code: pending saves are written, sequences moved past explicit keys, the savepoint
   * released, and a transaction of the code's own committed.
   */
  finish(): Promise<void> {
    return this.exclusive(async () => {
      await this.flushNow();
      for (const meta of this.explicitKeys) await this.moveSequence(meta);
      await this.closeSavepoint();
      if (this.mode === 'own') await this.connection.query('COMMIT');
    });
  }

  /**
   * After the code failed: a transaction of its own is rolled back. Nothing else runs (the migration's
   * transaction may be aborted; the executor rolls it back). Without a transaction, pending saves are
   * still written, as they would have been had they not been deferred.
   */
  abort(): Promise<void> {
    return this.exclusive(async () => {
      if (this.mode === 'own' || this.externalTransaction) {
        this.pending.clear();
        this.pendingRows = 0;
        await this.connection.query('ROLLBACK').catch(() => {});
      } else if (this.mode === 'none') {
        await this.flushNow().catch(() => {});
      }
    });
  }

  /**
   * Seed 004: after rows were written with explicit keys, the identity/serial sequence may lag behind
   * the table's largest key and the next insert without a key would collide. Moves it to the largest
   * key, never backwards (pg_sequence_last_value is NULL before the first nextval).
   */
  private async moveSequence(meta: ModelMeta): Promise<void> {
    const column = `${meta.quotedTable}.${meta.pk.quoted}`;
    await this.connection.query(
      `SELECT setval(s.seq, s.top) FROM (SELECT pg_get_serial_sequence($1, $2)::regclass AS seq, (SELECT max(${column}) FROM ${meta.quotedTable}) AS top) AS s ` +
        `WHERE s.seq IS NOT NULL AND s.top IS NOT NULL AND s.top >= COALESCE(pg_sequence_last_value(s.seq), 0)`,
      [quoteName(meta.table), meta.pk.column],
    );
  }
}

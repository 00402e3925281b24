import type { Transactions } from '../base/backend.js';

/**
 * PostgreSQL transactions. DDL is transactional, so an atomic migration and its history rows commit
 * together (https://www.postgresql.org/docs/current/ddl-alter.html has no implicit commit).
 */
export const postgresTransactions: Transactions = {
  async begin(connection, { synchronous }) {
    // An asynchronous commit returns before its WAL record is flushed; see the executor for why that is
    // safe for every migration but a run's last (https://www.postgresql.org/docs/current/wal-async-commit.html).
    await connection.script(synchronous ? 'BEGIN' : 'BEGIN; SET LOCAL synchronous_commit TO off');
  },
  async commit(connection, trailing) {
    await connection.script(trailing ? `${trailing}; COMMIT` : 'COMMIT');
  },
  async rollback(connection) {
    await connection.query('ROLLBACK');
  },
  async flushDeferredChecks(connection) {
    // Rows written earlier in the transaction may have queued deferred foreign-key checks; a later ALTER
    // TABLE of the same table would then fail with "cannot ALTER TABLE because it has pending trigger
    // events" (seed 001). IMMEDIATE runs the queued checks now, DEFERRED restores the default
    // (https://www.postgresql.org/docs/current/sql-set-constraints.html).
    await connection.script('SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED');
  },
  savepoint: (name) => `SAVEPOINT ${name}`,
  releaseSavepoint: (name) => `RELEASE SAVEPOINT ${name}`,
  rollbackToSavepoint: (name) => `ROLLBACK TO SAVEPOINT ${name}`,
  isTransactionControl: (sql) => /^\s*(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT)\b(?!\s+TO\b)/i.test(sql),
};

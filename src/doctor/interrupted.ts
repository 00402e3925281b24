import type { Connection } from '../backends/base/connection.js';
import type { Migration } from '../graph/migration.js';
import { nodeKey } from '../graph/migration.js';
import { operationStates } from '../graph/state-at.js';
import { describe } from '../operations/registry.js';
import type { DatabaseSchema } from '../schema/types.js';
import type { Naming } from '../state/names.js';
import type { ProjectState } from '../state/project-state.js';
import { migrationPresence } from './presence.js';
import { runsCode } from './touched.js';

/**
 * Finding 8 of issue 8: a non-atomic migration (`atomic: false`) commits each statement as it goes,
 * so a run interrupted in the middle (Ctrl-C, a crash, a lost connection) leaves its first operations
 * in the database and no history row. The next run starts it again from its first operation and fails
 * with "already exists". Recording it with --fake then would record the operations that never ran, so
 * the hint looks at each operation's schema in the live database and says which are there, which are
 * not, and which (runSql / runCode) no schema check can see.
 */
export type OperationCheck =
  /** All of the schema the operation makes is in the database. */
  | 'there'
  /** None of it. */
  | 'missing'
  /** Some of it. */
  | 'partly there'
  /** Raw SQL or code: what it did to the rows cannot be seen in the schema. */
  | 'unchecked'
  /** It changes no schema (only the state, e.g. model options). */
  | 'no schema';

export interface CheckedOperation {
  readonly description: string;
  readonly check: OperationCheck;
}

/** Each operation of `migration` against the live schema, from the state before the migration. */
export function checkOperations(migration: Migration, stateBefore: ProjectState, actual: DatabaseSchema, naming: Naming): CheckedOperation[] {
  const out: CheckedOperation[] = [];
  for (const { operation, before } of operationStates(stateBefore, migration)) {
    const description = describe(operation);
    if (runsCode([operation])) {
      out.push({ description, check: 'unchecked' });
      continue;
    }
    const result = migrationPresence({ ...migration, operations: [operation] }, before, actual, naming);
    const check: OperationCheck = result.presence.kind === 'present'
      ? 'there'
      : result.presence.kind === 'partial'
        ? 'partly there'
        : result.introduced.size === 0 ? 'no schema' : 'missing';
    out.push({ description, check });
  }
  return out;
}

export interface InterruptedInput {
  readonly migration: Migration;
  readonly stateBefore: ProjectState;
  readonly connection: Connection;
  readonly naming: Naming;
  readonly historyTable: string;
}

/**
 * The hint for a non-atomic migration that failed with "already exists": which operations' schema is
 * there and which is not, the likely cause, and a fix that records only what the database verifiably
 * has. --fake is offered only when every operation's schema is there and none runs SQL or code.
 * Undefined when none of it is there (the name is taken by something else: the generic hint stands).
 */
export async function interruptedHint(input: InterruptedInput): Promise<string | undefined> {
  const { migration } = input;
  const id = nodeKey(migration.app, migration.name);
  const target = `${migration.app} ${migration.name}`;
  const actual = await input.connection.backend.introspect(input.connection, { exclude: [input.historyTable] });
  const checked = checkOperations(migration, input.stateBefore, actual, input.naming);
  const withSchema = checked.filter((op) => op.check !== 'no schema' && op.check !== 'unchecked');
  const there = withSchema.filter((op) => op.check === 'there');
  const partly = withSchema.filter((op) => op.check === 'partly there');
  const missing = withSchema.filter((op) => op.check === 'missing');
  const unchecked = checked.filter((op) => op.check === 'unchecked');
  if (there.length === 0 && partly.length === 0) return undefined;
  const list = (ops: readonly CheckedOperation[]) => ops.map((op) => op.description).join('; ');
  const facts = [
    there.length ? `In the database: ${list(there)}.` : '',
    partly.length ? `Partly in the database: ${list(partly)}.` : '',
    missing.length ? `Not in the database: ${list(missing)}.` : '',
    unchecked.length ? `Not checkable (SQL or code, whose effect on the rows no schema check can see): ${list(unchecked)}.` : '',
  ].filter(Boolean).join(' ');
  const cause =
    `${id} is not atomic (atomic: false), so each of its statements commits as it runs: a previous run was most likely interrupted ` +
    '(Ctrl-C, a crash, a lost connection) after committing part of it, before it was recorded.';
  const complete = missing.length === 0 && partly.length === 0;
  if (complete && unchecked.length === 0) {
    return `The schema of every operation of ${id} is in the database (${list(there)}). ${cause} ` +
      `Since all of it is there, record it without running it: 'sediment migrate ${target} --fake'.`;
  }
  const finish = complete
    ? `Check by hand whether the SQL or code ran (the rows it writes); only if it did, record the migration with 'sediment migrate ${target} --fake'. ` +
      `If it did not, run that part by hand first, or revert the committed schema and run migrate again.`
    : `Do not record it with --fake: that would record operations that never ran. Either finish it by hand (run what is missing — ` +
      `'sediment sqlmigrate ${target}' shows the SQL${unchecked.length ? ', and check what its SQL or code did' : ''} — then record it with ` +
      `'sediment migrate ${target} --fake'), or revert the committed part (drop what is in the database) and run migrate again.`;
  return `Part of ${id} is already in the database. ${facts} ${cause} ${finish}`;
}

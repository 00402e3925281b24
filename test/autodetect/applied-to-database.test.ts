import { postgresBackend } from '../../src/backends/postgres/backend.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrangeChanges } from '../../src/autodetect/arrange.js';
import { detectChanges } from '../../src/autodetect/detect.js';
import type { ArrangedMigration, Changes } from '../../src/autodetect/types.js';
import type { Connection } from '../../src/backends/base/connection.js';
import { DEFAULT_EXCLUDED_TABLES, introspectPostgres } from '../../src/backends/postgres/introspector.js';
import { describe as describeOp, stateForwards } from '../../src/operations/registry.js';
import type { Operation } from '../../src/operations/types.js';
import { compareSchemas } from '../../src/schema/compare.js';
import { expectedSchema } from '../../src/schema/expected-schema.js';
import type { ColumnSchema, TableSchema } from '../../src/schema/types.js';
import { Naming } from '../../src/state/names.js';
import { ProjectState } from '../../src/state/project-state.js';
import { applyBackwards, applyForwards } from '../support/apply-operations.js';
import { testTargets } from '../support/databases.js';
import type { Case } from './cases.js';
import { cases } from './cases.js';
import { formatChanges, leavesOf, project, RecordingQuestioner, stateSignature } from './helpers.js';

/**
 * Every case of the autodetector table (cases.ts), applied to a real database:
 *
 * 1. an empty schema is brought to the case's before-state by the migrations makemigrations would write
 *    for it from nothing, and every table gets one row;
 * 2. the case's own migrations (as autodetector.test.ts plans them) are applied forwards, in an order
 *    that respects their dependencies across apps;
 * 3. the live schema is exactly the one the after-state implies;
 * 4. `makemigrations --check` is clean: the state replayed from every operation applied finds nothing
 *    left to detect against the models;
 * 5. the case's migrations are applied backwards, last first, and the live schema is the before-state's
 *    again.
 */

/**
 * What a case needs from its rows, and why: the cases below plan what Django plans, and the database
 * rightly refuses to run it over rows a real project would first have fixed by hand. Keyed by case name
 * (every key must name a case).
 */
interface DataNote {
  /** Tables given no row in step 1 (nor the tables whose NOT NULL foreign keys point at them). */
  readonly noRowsIn?: readonly string[];
  /** SQL run between step 1 and step 2: the data migration the user promised with --assume-handled. */
  readonly dataMigration?: string;
  /** Tables emptied before going backwards in step 5. */
  readonly emptyBeforeReversing?: readonly string[];
  readonly why: string;
}

const dataNotes: Readonly<Record<string, DataNote>> = {
  'a NOT NULL field assumed handled is added as declared': {
    noRowsIn: ['shop_client'],
    why: '--assume-handled promises a hand-edited migration; as written, ADD COLUMN rank NOT NULL fails on any existing row.',
  },
  'null to NOT NULL handled by a data migration is an alterField without default': {
    dataMigration: 'UPDATE shop_client SET bought = 0 WHERE bought IS NULL',
    why: '--assume-handled promises a data migration that fills the NULLs before SET NOT NULL.',
  },
  'a many-to-many turned into a foreign key is removed and added again': {
    noRowsIn: ['shop_post'],
    why: '--assume-handled promises a hand-edited migration; as written, ADD COLUMN tags_id NOT NULL fails on any existing post.',
  },
  're-pointing a foreign key at a new model alters it after creating the model': {
    noRowsIn: ['shop_computer'],
    why: 'existing computers point at clients, and the new Owner table has no rows to point at: the new foreign key cannot hold.',
  },
  'deleting a model first removes the foreign keys of kept models that point at it': {
    emptyBeforeReversing: ['shop_computer'],
    why: 'reversing re-adds boughtBy, NOT NULL without a default: the kept computers have no value for it (Django cannot either).',
  },
  'deleting a model referenced from another app waits for that app’s migration': {
    emptyBeforeReversing: ['billing_invoice'],
    why: 'reversing re-adds Invoice.client, NOT NULL without a default: the kept invoices have no value for it (Django cannot either).',
  },
};

interface AppliedMigration {
  readonly migration: ArrangedMigration;
  /** The state the migration was applied forwards from (what applyBackwards reverses it to). */
  readonly from: ProjectState;
}

for (const target of testTargets()) {
  for (const c of cases) {
    test(`${c.name} — applies, matches the state, and leaves nothing to detect (${target.name})`, () =>
      target.with((db) => applyCase(db, c)));
  }
}

test('every data note names a case of the table', () => {
  const names = new Set(cases.map((c) => c.name));
  assert.deepEqual(Object.keys(dataNotes).filter((name) => !names.has(name)), []);
});

async function applyCase(db: Connection, c: Case): Promise<void> {
  const note = dataNotes[c.name] ?? { why: '' };
  const before = project(c.before);
  const after = project(c.after);

  // 1. The before-state, from nothing, as makemigrations would write it; then one row per table.
  const setupChanges = await detectChanges(ProjectState.empty(), before, new RecordingQuestioner());
  const setup = await applyAll(db, ProjectState.empty(), arrangeChanges(setupChanges, {}), {}, setupChanges, 'setting up the before-state');
  assert.deepEqual(stateSignature(setup.state), stateSignature(before), `the setup migrations do not give the before-state\n${formatChanges(setupChanges)}`);
  await assertSchema(db, before, 'after setting up the before-state', setupChanges);
  await insertOneRowPerTable(db, note.noRowsIn ?? []);
  if (note.dataMigration) await db.query(note.dataMigration);

  // 2. The case's migrations, forwards.
  const leaves = leavesOf(before);
  const questioner = new RecordingQuestioner(c.flags);
  const changes = await detectChanges(before, after, questioner, { leaves, ...(c.apps ? { apps: c.apps } : {}) });
  const forwards = await applyAll(db, setup.state, arrangeChanges(changes, leaves), leaves, changes, 'applying the case forwards');

  // 3. The live schema is the after-state's. With `makemigrations <app>`, only the apps written for count.
  const written = new Set([...before.apps(), ...Object.keys(changes)]);
  const reached = c.apps ? ProjectState.of(after.models().filter((m) => written.has(m.app))) : after;
  await assertSchema(db, reached, 'after applying the case forwards', changes);

  // 4. makemigrations --check: the state the migrations build has nothing left to detect.
  const replayed = [...setup.applied, ...forwards.applied].reduce(
    (state, { migration }) => migration.operations.reduce((s, op) => stateForwards(s, migration.app, op), state),
    ProjectState.empty(),
  );
  const checkQuestioner = new RecordingQuestioner({ noInput: true });
  const left = await detectChanges(replayed, after, checkQuestioner, c.apps ? { apps: c.apps } : {});
  assert.deepEqual(
    { changes: formatChanges(left), asked: checkQuestioner.asked },
    { changes: '(no changes)', asked: [] },
    `makemigrations --check is not clean after the case's migrations:\n${formatChanges(changes)}`,
  );

  // 5. Backwards, last migration first, to the before-state's schema.
  for (const table of note.emptyBeforeReversing ?? []) await db.query(`DELETE FROM ${quote(table)}`);
  for (const { migration, from } of [...forwards.applied].reverse()) {
    try {
      await applyBackwards(db, from, migration.app, migration.operations);
    } catch (error) {
      throw new Error(`Reversing ${migration.app}.${migration.name} failed: ${(error as Error).message}\n${formatChanges(changes)}`, { cause: error });
    }
  }
  await assertSchema(db, before, 'after applying the case backwards', changes);
}

/**
 * Applies `migrations` forwards from `state` in dependency order (a migration runs once every migration
 * it depends on has; `existing` names the pretend leaves, already applied).
 */
async function applyAll(
  db: Connection,
  state: ProjectState,
  migrations: readonly ArrangedMigration[],
  existing: Readonly<Record<string, string>>,
  changes: Changes,
  when: string,
): Promise<{ state: ProjectState; applied: AppliedMigration[] }> {
  const done = new Set(Object.entries(existing).map(([app, name]) => `${app}.${name}`));
  const applied: AppliedMigration[] = [];
  while (applied.length < migrations.length) {
    const next = migrations.find(
      (m) => !done.has(`${m.app}.${m.name}`) && m.dependencies.every(([app, name]) => done.has(`${app}.${name}`)),
    );
    if (!next) assert.fail(`${when}: the planned migrations depend on each other in a circle:\n${formatChanges(changes)}`);
    const from = state;
    try {
      state = await applyForwards(db, from, next.app, next.operations);
    } catch (error) {
      throw new Error(
        `${when}: ${next.app}.${next.name} failed: ${(error as Error).message}\n  ${next.operations.map((op: Operation) => describeOp(op)).join('\n  ')}\n` +
          formatChanges(changes),
        { cause: error },
      );
    }
    applied.push({ migration: next, from });
    done.add(`${next.app}.${next.name}`);
  }
  return { state, applied };
}

/**
 * Fails with every finding when the live schema is not the one `state` implies. The tables of unmanaged
 * models are the user's (Django's `managed = False`: migrations neither create nor drop them, so the
 * table of a model made unmanaged stays), so they are left out of the live schema too.
 */
async function assertSchema(db: Connection, state: ProjectState, when: string, changes: Changes): Promise<void> {
  const naming = new Naming();
  const usersTables = state.models().filter((m) => m.options.managed === false).map((m) => naming.table(m));
  const actual = await introspectPostgres(db, { exclude: [...DEFAULT_EXCLUDED_TABLES, ...usersTables] });
  const findings = compareSchemas(expectedSchema(state, naming, postgresBackend), actual);
  assert.deepEqual(findings.map((finding) => finding.message), [], `the schema differs from the state ${when}:\n${formatChanges(changes)}`);
}

// ---------------------------------------------------------------------------------------------
// Rows

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/** A value for a NOT NULL column without default, by its type; undefined when the type is not known here. */
function literalFor(column: ColumnSchema): string | undefined {
  const type = column.type;
  if (type.startsWith('character varying') || type === 'text' || type.startsWith('character(')) return `'x'`;
  if (['integer', 'bigint', 'smallint', 'double precision', 'real'].includes(type) || type.startsWith('numeric')) return '1';
  if (type === 'boolean') return 'true';
  if (type.startsWith('timestamp') || type === 'date') return 'now()';
  if (type === 'uuid') return 'gen_random_uuid()';
  if (type === 'jsonb' || type === 'json') return `'{}'`;
  return undefined;
}

/**
 * One row in every table but `except`: NOT NULL columns get a value by type (a foreign key the first
 * key of the row it points at), nullable ones stay NULL — so that a change to NOT NULL has NULLs to
 * fill. Tables are filled once the tables their NOT NULL foreign keys point at have a row.
 */
async function insertOneRowPerTable(db: Connection, except: readonly string[]): Promise<void> {
  const tables = (await introspectPostgres(db)).tables;
  const empty = new Set(except);
  const pending = tables.filter((table) => !empty.has(table.name));
  const filled = new Set<string>();
  while (pending.length > 0) {
    const at = pending.findIndex((table) => requiredForeignKeys(table).every((fk) => filled.has(fk.referencedTable) || empty.has(fk.referencedTable)));
    if (at === -1) assert.fail(`no order fills ${pending.map((t) => t.name).join(', ')}: their NOT NULL foreign keys go round in a circle`);
    const [table] = pending.splice(at, 1);
    if (requiredForeignKeys(table).some((fk) => empty.has(fk.referencedTable))) {
      empty.add(table.name);
      continue;
    }
    await insertRow(db, table);
    filled.add(table.name);
  }
}

const needsValue = (column: ColumnSchema) => !column.nullable && column.default === null && column.identity === null;

function requiredForeignKeys(table: TableSchema) {
  return table.foreignKeys.filter((fk) => fk.columns.some((name) => needsValue(table.columns.find((c) => c.name === name)!)));
}

async function insertRow(db: Connection, table: TableSchema): Promise<void> {
  const columns: string[] = [];
  const values: string[] = [];
  for (const column of table.columns.filter(needsValue)) {
    const fk = table.foreignKeys.find((k) => k.columns.includes(column.name));
    let value: string | undefined;
    if (fk) {
      const referenced = fk.referencedColumns[fk.columns.indexOf(column.name)];
      value = `(SELECT ${quote(referenced)} FROM ${quote(fk.referencedTable)} LIMIT 1)`;
    } else {
      value = literalFor(column);
    }
    if (value === undefined) assert.fail(`no value for ${table.name}.${column.name} (${column.type}); teach literalFor() the type`);
    columns.push(quote(column.name));
    values.push(value);
  }
  const sql = columns.length
    ? `INSERT INTO ${quote(table.name)} (${columns.join(', ')}) VALUES (${values.join(', ')})`
    : `INSERT INTO ${quote(table.name)} DEFAULT VALUES`;
  await db.query(sql);
}

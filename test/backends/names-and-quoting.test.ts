import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidDefinitionError } from '../../src/errors/index.js';
import { f } from '../../src/model/fields.js';
import { check, index, unique } from '../../src/model/model.js';
import { ops } from '../../src/operations/ops.js';
import { introspectPostgres } from '../../src/backends/postgres/introspector.js';
import { quoteLiteral, quoteName } from '../../src/backends/postgres/sql.js';
import { ProjectState } from '../../src/state/project-state.js';
import { applyForwards } from '../support/apply-operations.js';
import { assertRoundTrip, assertSchemaMatches, given, rows, testOnEachTarget } from './helpers.js';

const pk = { id: f.bigAuto({ primaryKey: true }) };

test('quoteName doubles embedded double quotes and always quotes', () => {
  assert.equal(quoteName('order'), '"order"');
  assert.equal(quoteName('we"ird'), '"we""ird"');
  assert.equal(quoteName('Prénom'), '"Prénom"');
});

test('quoteName refuses names PostgreSQL would silently truncate', () => {
  assert.equal(quoteName('x'.repeat(63)), `"${'x'.repeat(63)}"`);
  assert.throws(() => quoteName('x'.repeat(64)), (error: unknown) => error instanceof InvalidDefinitionError && /64 bytes/.test(error.message));
  // 32 two-byte characters are 64 bytes.
  assert.throws(() => quoteName('é'.repeat(32)), InvalidDefinitionError);
});

test('quoteLiteral doubles quotes and writes backslashes as an escape string', () => {
  assert.equal(quoteLiteral("it's"), "'it''s'");
  assert.equal(quoteLiteral('a\\b'), "E'a\\\\b'");
});

testOnEachTarget('reserved words, quotes and unicode survive as table, column, index and constraint names', async (db) => {
  const before = await given(db, 'shop', []);
  const after = await assertRoundTrip(db, before, 'shop', [
    ops.createModel({
      name: 'Select',
      fields: {
        ...pk,
        order: f.integer({ unique: true }),
        prénom: f.char({ maxLength: 30, dbComment: "l'été \\ \"quoted\"", dbDefault: "O'Brien" }),
        quoted: f.text({ dbColumn: 'we"ird col', dbIndex: true }),
        group: f.foreignKey('Select', { onDelete: 'cascade', null: true }),
      },
      options: {
        dbTable: 'we"ird table',
        dbComment: "Table d'hôte",
        uniqueTogether: [['order', 'prénom']],
        indexes: [index(['prénom'], { name: 'índice "raro"', condition: `"order" > 0` })],
        constraints: [unique(['quoted'], { name: 'user', condition: '"we""ird col" <> \'\'' }), check('"order" >= 0', { name: 'check' })],
      },
    }),
    ops.renameField({ model: 'Select', oldName: 'group', newName: 'from' }),
    ops.renameModel({ oldName: 'Select', newName: 'Where' }),
  ]);
  assert.ok(after.find('shop', 'Where'));
});

testOnEachTarget('names generated for long tables and columns fit in 63 bytes and match the state', async (db) => {
  // The table name fits (naming does not shorten table names); the names generated from it do not.
  const longModel = 'Reservation' + 'Very'.repeat(8);
  const longField = 'participantContactInformation' + 'Extra'.repeat(4);
  const before = await given(db, 'bookings', [ops.createModel({ name: 'Guest', fields: { ...pk } })]);
  const after = await applyForwards(db, before, 'bookings', [
    ops.createModel({
      name: longModel,
      fields: {
        ...pk,
        [longField]: f.char({ maxLength: 10, unique: true }),
        [`${longField}Two`]: f.positiveInteger({ dbIndex: true }),
        ünïcödéFïéldNämeThätIsRätherLöngIndeed: f.foreignKey('Guest', { onDelete: 'cascade' }),
        guests: f.manyToMany('Guest'),
      },
      options: { uniqueTogether: [[longField, `${longField}Two`]] },
    }),
  ]);
  await assertSchemaMatches(db, after, 'after creating the model with long names');
  const schema = await introspectPostgres(db);
  const names = schema.tables.flatMap((table) => [
    table.name,
    ...table.columns.map((c) => c.name),
    ...(table.primaryKey ? [table.primaryKey.name] : []),
    ...table.foreignKeys.map((x) => x.name),
    ...table.uniques.map((x) => x.name),
    ...table.indexes.map((x) => x.name),
    ...table.checks.map((x) => x.name),
  ]);
  assert.ok(names.every((name) => Buffer.byteLength(name) <= 63), names.filter((n) => Buffer.byteLength(n) > 63).join(', '));
  // Generated names never collide, even when the readable parts are cut to the same prefix.
  const generated = schema.tables.flatMap((t) => [...t.uniques, ...t.indexes, ...t.foreignKeys, ...t.checks].map((x) => x.name));
  assert.equal(new Set(generated).size, generated.length);
});

testOnEachTarget('long generated names are the same every time (the migration and the database agree)', async (db) => {
  const create = ops.createModel({ name: 'Guest', fields: { ...pk, ['contact'.repeat(9)]: f.char({ maxLength: 5, dbIndex: true }) } });
  const first: string[] = [];
  const second: string[] = [];
  await applyForwards(db, ProjectState.empty(), 'bookings', [create], { collect: first });
  await applyForwards(db, ProjectState.empty(), 'bookings', [create], { collect: second });
  assert.deepEqual(first, second);
  assert.match(first[1], /^CREATE INDEX "bookings_guest_contact[a-z]*_[0-9a-f]{8}_idx"/);
});

testOnEachTarget('a dbTable longer than 63 bytes is refused before anything runs', async (db) => {
  await assert.rejects(
    applyForwards(db, ProjectState.empty(), 'shop', [ops.createModel({ name: 'Client', fields: { ...pk }, options: { dbTable: 't'.repeat(64) } })]),
    InvalidDefinitionError,
  );
  assert.deepEqual(await rows(db, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`), []);
});

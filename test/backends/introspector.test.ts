import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { introspectPostgres } from '../../src/backends/postgres/introspector.js';
import { testOnEachTarget } from './helpers.js';

testOnEachTarget('introspection leaves out the migration history table unless told otherwise', async (db) => {
  await db.query('CREATE TABLE sediment_migrations (app text, name text, PRIMARY KEY (app, name))');
  await db.query('CREATE TABLE shop_client (id int)');
  assert.deepEqual((await introspectPostgres(db)).tables.map((t) => t.name), ['shop_client']);
  assert.deepEqual((await introspectPostgres(db, { exclude: [] })).tables.map((t) => t.name), ['sediment_migrations', 'shop_client']);
});

testOnEachTarget('introspection reads only the current schema', async (db) => {
  const other = `other_${randomBytes(4).toString('hex')}`;
  await db.query(`CREATE SCHEMA ${other}`);
  try {
    await db.query(`CREATE TABLE ${other}.elsewhere (id int)`);
    await db.query('CREATE TABLE here (id int)');
    assert.deepEqual((await introspectPostgres(db)).tables.map((t) => t.name), ['here']);
  } finally {
    await db.query(`DROP SCHEMA ${other} CASCADE`);
  }
});

testOnEachTarget('introspection reads expression and non-btree indexes, identity kinds and unvalidated checks', async (db) => {
  await db.query(`CREATE TABLE t (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL DEFAULT 'x',
    tags jsonb,
    n int,
    CONSTRAINT t_name_n_key UNIQUE (name, n)
  )`);
  await db.query('CREATE INDEX t_lower_name ON t (lower(name)) WHERE n > 1');
  await db.query('CREATE INDEX t_tags ON t USING gin (tags)');
  await db.query('CREATE UNIQUE INDEX t_n_key ON t (n) WHERE n IS NOT NULL');
  await db.query('ALTER TABLE t ADD CONSTRAINT t_n_check CHECK (n > 0) NOT VALID');
  await db.query(`COMMENT ON TABLE t IS 'T'`);
  const [t] = (await introspectPostgres(db)).tables;
  assert.deepEqual(t.columns.map((c) => [c.name, c.type, c.nullable, c.default, c.identity]), [
    ['id', 'integer', false, null, 'always'],
    ['name', 'text', false, "'x'::text", null],
    ['tags', 'jsonb', true, null, null],
    ['n', 'integer', true, null, null],
  ]);
  assert.equal(t.comment, 'T');
  assert.deepEqual(t.primaryKey, { name: 't_pkey', columns: ['id'] });
  assert.deepEqual(t.indexes, [
    { name: 't_lower_name', columns: ['lower(name)'], condition: 'n > 1', method: 'btree' },
    { name: 't_tags', columns: ['tags'], condition: null, method: 'gin' },
  ]);
  assert.deepEqual(t.uniques, [
    { name: 't_n_key', columns: ['n'], condition: 'n IS NOT NULL', form: 'index' },
    { name: 't_name_n_key', columns: ['name', 'n'], condition: null, form: 'constraint' },
  ]);
  assert.deepEqual(t.checks, [{ name: 't_n_check', expression: 'n > 0', validated: false }]);
});

testOnEachTarget('introspection reads foreign keys with their rules and deferral', async (db) => {
  await db.query('CREATE TABLE parent (id int PRIMARY KEY)');
  await db.query(`CREATE TABLE child (
    a int REFERENCES parent (id) ON DELETE SET NULL,
    b int CONSTRAINT child_b_fk REFERENCES parent (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
  )`);
  const child = (await introspectPostgres(db)).tables.find((t) => t.name === 'child')!;
  assert.deepEqual(child.foreignKeys, [
    { name: 'child_a_fkey', columns: ['a'], referencedTable: 'parent', referencedColumns: ['id'], onDelete: 'set-null', deferrable: false, initiallyDeferred: false, validated: true },
    { name: 'child_b_fk', columns: ['b'], referencedTable: 'parent', referencedColumns: ['id'], onDelete: 'cascade', deferrable: true, initiallyDeferred: true, validated: true },
  ].sort((x, y) => (x.name < y.name ? -1 : 1)));
});

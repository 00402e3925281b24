import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareSchemas } from '../../src/schema/compare.js';
import { expressionKey } from '../../src/schema/sql-expression.js';
import type { ColumnSchema, DatabaseSchema, TableSchema } from '../../src/schema/types.js';

const column = (name: string, type = 'integer', extra: Partial<ColumnSchema> = {}): ColumnSchema => ({
  name, type, nullable: false, default: null, identity: null, comment: null, ...extra,
});

const table = (name: string, extra: Partial<TableSchema> = {}): TableSchema => ({
  name, comment: null, columns: [column('id', 'bigint', { identity: 'by-default' })],
  primaryKey: { name: `${name}_pkey`, generatedName: true, columns: ['id'] },
  foreignKeys: [], uniques: [], indexes: [], checks: [], ...extra,
});

const schema = (...tables: TableSchema[]): DatabaseSchema => ({ dialect: 'postgres', tables });
const kinds = (expected: DatabaseSchema, actual: DatabaseSchema) => compareSchemas(expected, actual).map((f) => f.kind);

test('identical schemas have no findings', () => {
  assert.deepEqual(compareSchemas(schema(table('a')), schema(table('a'))), []);
});

test('a table in the state but not in the database is missing, and the reverse is extra', () => {
  const findings = compareSchemas(schema(table('shop_client')), schema(table('legacy')));
  assert.deepEqual(findings.map((f) => [f.kind, f.table]), [['extra-table', 'legacy'], ['missing-table', 'shop_client']]);
  assert.equal(findings[1].message, 'Table shop_client is missing.');
});

test('column differences name the column and both values', () => {
  const expected = table('t', { columns: [column('id', 'bigint', { identity: 'by-default' }), column('a'), column('b', 'text'), column('c')] });
  const actual = table('t', { columns: [column('id', 'bigint', { identity: 'by-default' }), column('a', 'bigint'), column('b', 'text', { nullable: true }), column('d')] });
  const findings = compareSchemas(schema(expected), schema(actual));
  assert.deepEqual(findings.map((f) => f.message), [
    'Column t.c (integer NOT NULL) is missing.',
    'Column t.d (integer NOT NULL) exists but no migration adds it.',
    'Column t.a is bigint; expected integer.',
    'Column t.b is NULL; expected NOT NULL.',
  ]);
  const mismatch = findings[2];
  assert.ok(mismatch.kind === 'type-mismatch');
  assert.deepEqual([mismatch.column, mismatch.expected, mismatch.actual], ['a', 'integer', 'bigint']);
});

test('defaults compare as expressions, and JSON defaults by value', () => {
  const expected = table('t', { columns: [column('s', 'character varying(5)', { default: "'new'" }), column('j', 'jsonb', { default: `'{"b":1,"a":[1,2]}'` })] });
  const actual = table('t', { columns: [column('s', 'character varying(5)', { default: "'new'::character varying" }), column('j', 'jsonb', { default: `'{"a": [1, 2], "b": 1}'::jsonb` })] });
  assert.deepEqual(kinds(schema(expected), schema(actual)), []);
  const changed = table('t', { columns: [column('s', 'character varying(5)', { default: "'old'::character varying" }), column('j', 'jsonb', { default: null })] });
  assert.deepEqual(kinds(schema(expected), schema(changed)), ['default-mismatch', 'default-mismatch']);
});

test('indexes with generated names are matched by their columns, whatever the database calls them', () => {
  const expected = table('t', { indexes: [{ name: 't_a_idx', generatedName: true, columns: ['a'], condition: null, method: 'btree' }] });
  const actual = table('t', { indexes: [{ name: 'old_table_a_idx', columns: ['a'], condition: null, method: 'btree' }] });
  assert.deepEqual(kinds(schema(expected), schema(actual)), []);
});

test('an index the user named that exists under another name is reported as a name mismatch', () => {
  const expected = table('t', { indexes: [{ name: 'brand_idx', columns: ['a'], condition: null, method: 'btree' }] });
  const actual = table('t', { indexes: [{ name: 'brand_index', columns: ['a'], condition: null, method: 'btree' }] });
  const [finding] = compareSchemas(schema(expected), schema(actual));
  assert.equal(finding.kind, 'name-mismatch');
  assert.equal(finding.message, 'The index brand_idx on t exists under the name brand_index.');
});

test('a partial index predicate is compared by meaning, not spelling', () => {
  const expected = table('t', { uniques: [{ name: 'u', columns: ['slug'], condition: "status IN ('a', 'b') AND deleted_at IS NULL", form: 'index' }] });
  const actual = table('t', {
    uniques: [{ name: 'u', columns: ['slug'], condition: "((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])) AND (deleted_at IS NULL)", form: 'index' }],
  });
  assert.deepEqual(kinds(schema(expected), schema(actual)), []);
  const other = table('t', { uniques: [{ name: 'u', columns: ['slug'], condition: 'deleted_at IS NOT NULL', form: 'index' }] });
  assert.deepEqual(kinds(schema(expected), schema(other)), ['constraint-mismatch']);
});

test('a foreign key with the same column but another rule is a foreign key mismatch', () => {
  const fk = { name: 't_c_fk', generatedName: true, columns: ['c'], referencedTable: 'u', referencedColumns: ['id'], onDelete: 'cascade', deferrable: true, initiallyDeferred: true, validated: true } as const;
  const [finding] = compareSchemas(schema(table('t', { foreignKeys: [fk] })), schema(table('t', { foreignKeys: [{ ...fk, name: 'x', onDelete: 'no-action' }] })));
  assert.equal(finding.kind, 'foreign-key-mismatch');
  assert.equal(finding.message, 'Foreign key x is t (c) -> u (id) ON DELETE no-action DEFERRABLE INITIALLY DEFERRED; expected t (c) -> u (id) ON DELETE cascade DEFERRABLE INITIALLY DEFERRED.');
});

test('missing and extra checks and uniques are constraint findings that say which kind', () => {
  const expected = table('t', { checks: [{ name: 'positive', expression: 'a >= 0', validated: true }] });
  const actual = table('t', { uniques: [{ name: 'x', columns: ['a'], condition: null, form: 'constraint' }] });
  const findings = compareSchemas(schema(expected), schema(actual));
  assert.deepEqual(findings.map((f) => [f.kind, 'constraint' in f ? f.constraint : '']), [
    ['missing-constraint', 'check'],
    ['extra-constraint', 'unique'],
  ]);
});

test('a different primary key is reported with both column lists', () => {
  const [finding] = compareSchemas(schema(table('t')), schema(table('t', { primaryKey: null })));
  assert.equal(finding.message, 'Table t has the primary key (none); expected (id).');
});

test('expression keys ignore casts, parentheses, quoting, case and spacing but keep string contents', () => {
  assert.equal(expressionKey(`brand <> ''`), expressionKey(`((brand)::text <> ''::text)`));
  assert.equal(expressionKey(`"Order" >= 0`), expressionKey('(order >= 0)'));
  assert.equal(expressionKey('rank BETWEEN 1 AND 10'), expressionKey('((rank >= 1) AND (rank <= 10))'));
  assert.equal(expressionKey(`name LIKE 'a%'`), expressionKey(`((name)::text ~~ 'a%'::text)`));
  assert.notEqual(expressionKey(`status = 'A'`), expressionKey(`status = 'a'`));
});

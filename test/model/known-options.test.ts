import { postgresPlan } from '../../src/backends/postgres/dialect.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { projectStateFromModels } from '../../src/model/collect.js';
import { check, f, index, model, unique } from '../../src/index.js';
import type { ModelDefinition } from '../../src/model/model.js';
import { InvalidDefinitionError } from '../../src/errors/index.js';
import { validateMigrationExports } from '../../src/loader/validate-migration.js';
import { getField } from '../../src/state/project-state.js';
import { Naming } from '../../src/state/names.js';
import { tablePlan } from '../../src/schema/table-plan.js';

/**
 * Nothing silently ignored (issue 8, item 15): an option Sediment does not know is refused where it is
 * declared, naming the model, the field, the option and the nearest known name; a Django option it
 * does not implement yet says so; `dbIndex: false` on a foreign key means no index; a `;` in raw SQL
 * is refused.
 */

function rejects(apps: Record<string, ModelDefinition[]>, ...patterns: RegExp[]): void {
  assert.throws(() => projectStateFromModels(Object.entries(apps)), (error: unknown) => {
    assert.ok(error instanceof InvalidDefinitionError, String(error));
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

const loose = (options: Record<string, unknown>) => options as never;

test('a misspelt field option is refused with the field and the nearest known name', () => {
  rejects({ shop: [model('Item', { name: f.char(loose({ maxLenght: 10, maxLength: 10 })) })] }, /shop\.Item\.name: unknown option maxLenght \(did you mean maxLength\?\)/);
  rejects({ shop: [model('Item', { note: f.text(loose({ foo: 1 })) })] }, /shop\.Item\.note: unknown option foo; f\.text\(\) takes null, default/);
});

test('maxLength belongs to char-like fields only, decimal options to decimal', () => {
  rejects({ shop: [model('Item', { n: f.integer(loose({ maxLength: 5 })) })] }, /shop\.Item\.n: unknown option maxLength/);
  rejects({ shop: [model('Item', { n: f.float(loose({ maxDigits: 5 })) })] }, /unknown option maxDigits/);
});

test("Django options Sediment does not implement yet are refused as not supported, not written and ignored", () => {
  rejects({ shop: [model('Item', { name: f.text(loose({ dbCollation: 'C' })) })] }, /option dbCollation is not supported in this version/);
  rejects({ shop: [model('Tag', {}), model('Item', { tags: f.manyToMany('Tag', loose({ symmetrical: false })) })] }, /shop\.Item\.tags: option symmetrical is not supported/);
  rejects({ shop: [model('Item', { name: f.text() }, loose({ abstract: true }))] }, /shop\.Item: option abstract is not supported/);
  rejects({ shop: [model('Item', { name: f.text() }, loose({ orderWithRespectTo: 'name' }))] }, /option orderWithRespectTo is not supported/);
  rejects({ shop: [model('Item', { name: f.text() }, loose({ dbTablespace: 'fast' }))] }, /option dbTablespace is not supported/);
});

test('a misspelt model option is refused with the nearest known name', () => {
  rejects({ shop: [model('Item', { name: f.text() }, loose({ dbTabel: 'items' }))] }, /shop\.Item: unknown option dbTabel \(did you mean dbTable\?\)/);
});

test('options with no database effect that Sediment knows are kept', () => {
  const state = projectStateFromModels([['shop', [model('Item', {
    name: f.char({ maxLength: 10, helpText: 'the name', verboseName: 'Name', choices: [['a', 'A']] }),
  }, { ordering: ['name'], verboseName: 'item' })]]]);
  const field = getField(state.get('shop', 'Item'), 'name') as { helpText?: string; choices?: unknown };
  assert.equal(field.helpText, 'the name');
  assert.deepEqual(field.choices, [['a', 'A']]);
});

test('dbIndex: false on a foreign key is kept in the state and the table gets no index for it', () => {
  const state = projectStateFromModels([['shop', [
    model('Client', {}),
    model('Order', { client: f.foreignKey('Client', { onDelete: 'cascade', dbIndex: false }), other: f.foreignKey('Client', { onDelete: 'cascade' }) }),
  ]]]);
  const order = state.get('shop', 'Order');
  assert.equal((getField(order, 'client') as { dbIndex?: boolean }).dbIndex, false);
  const plan = tablePlan(order, state, new Naming(), postgresPlan);
  const indexed = plan.columns.filter((column) => column.index).map((column) => column.column);
  assert.deepEqual(indexed, ['other_id']);
});

test('a ; in a check or a condition is refused: they are raw SQL, one expression each', () => {
  rejects({ shop: [model('Item', { n: f.integer() }, { constraints: [check('n > 0; DROP TABLE victim', { name: 'item_n' })] })] }, /constraints\[0\]\.check is raw SQL and must be one expression/);
  rejects({ shop: [model('Item', { n: f.integer() }, { indexes: [index(['n'], { name: 'item_n_idx', condition: 'true; DROP TABLE victim' })] })] }, /indexes\[0\]\.condition is raw SQL/);
  rejects({ shop: [model('Item', { n: f.integer() }, { constraints: [unique(['n'], { name: 'item_n_uniq', condition: 'n > 0;' })] })] }, /constraints\[0\]\.condition is raw SQL/);
  // A semicolon inside a string literal is part of the expression.
  projectStateFromModels([['shop', [model('Item', { s: f.text() }, { constraints: [check("s <> ';'", { name: 'item_s' })] })]]]);
});

test('a hand-written migration with an unknown field option is refused when it is loaded', () => {
  const exports = {
    default: {
      kind: 'migration',
      dependencies: [],
      operations: [{ kind: 'createModel', name: 'Item', fields: { id: f.bigAuto({ primaryKey: true }), note: { kind: 'text', foo: 1 } } }],
    },
  };
  assert.throws(() => validateMigrationExports(exports, 'shop/migrations/0001_initial.ts', '/x/0001_initial.ts'), /unknown option foo/);
});

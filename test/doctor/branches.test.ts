import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyseConflict } from '../../src/doctor/branches.js';
import { mergeContent, mergeName, planLinearization, rewriteDependency } from '../../src/doctor/merge.js';
import { buildGraph } from '../../src/graph/index.js';
import type { Migration } from '../../src/graph/migration.js';
import { f } from '../../src/model/fields.js';
import { index } from '../../src/model/model.js';
import { ops } from '../../src/operations/ops.js';
import type { Operation } from '../../src/operations/types.js';
import { migration } from './helpers.js';

/** The branches of a forked history, and what `makemigrations --merge` makes of them. Pure: no database. */
const pk = { id: f.bigAuto({ primaryKey: true }) };
const initial = migration(
  'shop.0001_initial',
  [],
  ops.createModel({ name: 'Client', fields: { ...pk, name: f.char({ maxLength: 255 }) } }),
  ops.createModel({ name: 'Order', fields: { ...pk, total: f.integer() } }),
);

function forked(a: Operation[], b: Operation[]): Migration[] {
  return [
    initial,
    migration('shop.0002_a', ['shop.0001_initial'], ...a),
    migration('shop.0002_b', ['shop.0001_initial'], ...b),
  ];
}

const analyse = (migrations: Migration[]) => analyseConflict(buildGraph(migrations, [], { apps: ['shop'] }), 'shop');

describe('the branches of a forked history', () => {
  test('branches that change different models are disjoint, and each says what it changes', () => {
    const analysis = analyse(forked(
      [ops.addField({ model: 'Client', name: 'email', field: f.email({ null: true }) })],
      [ops.addField({ model: 'Order', name: 'paid', field: f.boolean({ default: false }) })],
    ));
    assert.equal(analysis.commonAncestor, '0001_initial');
    assert.deepEqual(analysis.leaves, ['0002_a', '0002_b']);
    assert.deepEqual(analysis.touchedModels, [['shop.Client'], ['shop.Order']]);
    assert.deepEqual(analysis.overlaps, []);
    assert.equal(analysis.disjoint, true);
  });

  test('branches that change different fields of one model are disjoint', () => {
    const analysis = analyse(forked(
      [ops.addField({ model: 'Client', name: 'email', field: f.email({ null: true }) })],
      [ops.addField({ model: 'Client', name: 'phone', field: f.char({ maxLength: 20, null: true }) })],
    ));
    assert.equal(analysis.disjoint, true);
  });

  test('branches that change the same field overlap, naming the field and both operations', () => {
    const analysis = analyse(forked(
      [ops.alterField({ model: 'Client', name: 'name', field: f.char({ maxLength: 100 }) })],
      [ops.alterField({ model: 'Client', name: 'name', field: f.text() })],
    ));
    assert.equal(analysis.disjoint, false);
    assert.deepEqual(analysis.overlaps, [{
      subject: 'shop.Client.name',
      first: { migration: 'shop.0002_a', operation: 'Alter field name on Client' },
      second: { migration: 'shop.0002_b', operation: 'Alter field name on Client' },
    }]);
  });

  test('an index on a field that the other branch removes overlaps with the removal', () => {
    const analysis = analyse(forked(
      [ops.removeField({ model: 'Client', name: 'name' })],
      [ops.addIndex({ model: 'Client', index: index(['name'], { name: 'client_name_idx' }) })],
    ));
    assert.deepEqual(analysis.overlaps.map((o) => o.subject), ['shop.Client.name']);
  });

  test('deleting a model overlaps with a foreign key to it on the other branch', () => {
    const analysis = analyse(forked(
      [ops.deleteModel({ name: 'Client' })],
      [ops.addField({ model: 'Order', name: 'client', field: f.foreignKey('Client', { onDelete: 'cascade', null: true }) })],
    ));
    assert.deepEqual(analysis.overlaps.map((o) => o.subject), ['shop.Client']);
  });

  test('raw SQL on a branch cannot be compared, so the branches are not disjoint', () => {
    const analysis = analyse(forked(
      [ops.runSql({ sql: 'UPDATE shop_client SET name = upper(name)', reverseSql: ops.noop })],
      [ops.addField({ model: 'Order', name: 'paid', field: f.boolean({ default: false }) })],
    ));
    assert.equal(analysis.disjoint, false);
    assert.deepEqual(analysis.opaque, [{ migration: 'shop.0002_a', operation: 'Raw SQL operation' }]);
  });

  test('longer branches list only their own migrations, after the common ancestor', () => {
    const migrations = [
      ...forked([ops.addField({ model: 'Client', name: 'email', field: f.email({ null: true }) })], []),
      migration('shop.0003_b_more', ['shop.0002_b'], ops.addField({ model: 'Order', name: 'paid', field: f.boolean({ default: false }) })),
    ];
    const analysis = analyse(migrations);
    assert.deepEqual(analysis.leaves, ['0002_a', '0003_b_more']);
    assert.deepEqual(analysis.branches.map((b) => b.migrations.map((m) => m.name)), [['0002_a'], ['0002_b', '0003_b_more']]);
  });
});

describe('merge migrations and linearizing', () => {
  test('a merge migration is named after the next number and its leaves, depends on every leaf and does nothing', () => {
    assert.equal(mergeName(['0002_client_email', '0002_order_total']), '0003_merge_0002_client_email_0002_order_total');
    assert.equal(mergeName(['0002_a', '0004_b']), '0005_merge_0002_a_0004_b');
    assert.equal(mergeName(['0002_a', '0003_b'], 'join_branches'), '0004_join_branches');
    const analysis = analyse(forked([], []));
    assert.deepEqual(mergeContent(analysis), { dependencies: [['shop', '0002_a'], ['shop', '0002_b']], operations: [] });
  });

  test('long leaf names are shortened to their number and first word, then to their numbers', () => {
    const long = ['0002_add_field_email_to_client_and_more_things', '0002_alter_field_total_on_order_and_more'];
    assert.equal(mergeName(long), '0003_merge_0002_add_0002_alter');
    const three = ['0012_' + 'x'.repeat(30), '0012_' + 'y'.repeat(30), '0013_' + 'z'.repeat(30)];
    assert.equal(mergeName(three), '0014_merge_0012_0012_0013');
  });

  test('linearizing makes the later branch start from the earlier leaf', () => {
    const analysis = analyse(forked(
      [ops.addField({ model: 'Client', name: 'email', field: f.email({ null: true }) })],
      [ops.addField({ model: 'Order', name: 'paid', field: f.boolean({ default: false }) })],
    ));
    const plan = planLinearization(analysis);
    assert.ok('edits' in plan);
    assert.deepEqual(plan.edits.map(({ migration, from, to }) => ({ migration, from, to })), [
      { migration: 'shop.0002_b', from: ['shop', '0001_initial'], to: ['shop', '0002_a'] },
    ]);
  });

  test('branches that overlap are never linearized', () => {
    const analysis = analyse(forked(
      [ops.alterField({ model: 'Client', name: 'name', field: f.char({ maxLength: 100 }) })],
      [ops.removeField({ model: 'Client', name: 'name' })],
    ));
    const plan = planLinearization(analysis);
    assert.ok('refused' in plan);
    assert.match(plan.refused, /order matters/);
  });

  test('a dependency is rewritten only where it is written exactly once, keeping the quotes', () => {
    const source = "export default migration({\n  dependencies: [['shop', '0001_initial'], ['users', '0001_initial']],\n  operations: [],\n});\n";
    assert.equal(
      rewriteDependency(source, ['shop', '0001_initial'], ['shop', '0002_a']),
      "export default migration({\n  dependencies: [['shop', '0002_a'], ['users', '0001_initial']],\n  operations: [],\n});\n",
    );
    assert.equal(rewriteDependency('dependencies: [["shop","0001_initial"]]', ['shop', '0001_initial'], ['shop', '0002_a']), 'dependencies: [["shop", "0002_a"]]');
    assert.equal(rewriteDependency("[['shop', '0001_initial'], ['shop', '0001_initial']]", ['shop', '0001_initial'], ['shop', '0002_a']), undefined);
    assert.equal(rewriteDependency("[['shop', '0001_other']]", ['shop', '0001_initial'], ['shop', '0002_a']), undefined);
  });
});

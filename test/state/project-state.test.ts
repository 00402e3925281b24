import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProjectState } from '../../src/state/project-state.js';
import { stateForwards } from '../../src/operations/registry.js';
import { ops } from '../../src/operations/ops.js';
import { f } from '../../src/model/fields.js';
import { pgliteTarget } from '../support/databases.js';

test('replaying createModel then addField gives a model with both fields, in order', () => {
  let state = ProjectState.empty();
  state = stateForwards(state, 'shop', ops.createModel({ name: 'Client', fields: { id: f.bigAuto({ primaryKey: true }), name: f.char({ maxLength: 255 }) } }));
  state = stateForwards(state, 'shop', ops.addField({ model: 'Client', name: 'bought', field: f.integer({ null: true }) }));
  assert.deepEqual(state.get('shop', 'client').fields.map(([n]) => n), ['id', 'name', 'bought']);
});

test('renaming a model repoints foreign keys that target it', () => {
  let state = ProjectState.empty();
  state = stateForwards(state, 'shop', ops.createModel({ name: 'Client', fields: { id: f.bigAuto({ primaryKey: true }) } }));
  state = stateForwards(state, 'shop', ops.createModel({ name: 'Computer', fields: { id: f.bigAuto({ primaryKey: true }), boughtBy: f.foreignKey('Client', { onDelete: 'cascade' }) } }));
  state = stateForwards(state, 'shop', ops.renameModel({ oldName: 'Client', newName: 'Customer' }));
  const fk = state.get('shop', 'Computer').fields[1][1];
  assert.equal((fk as { to: string }).to, 'shop.Customer');
});

test('the shared PGlite test target gives each test its own schema', async () => {
  await pgliteTarget.with(async (connection) => {
    await connection.query('CREATE TABLE t (id int)');
    const { rows } = await connection.query<{ n: number }>('SELECT count(*)::int AS n FROM t');
    assert.equal(rows[0].n, 0);
  });
});

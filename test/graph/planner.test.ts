import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGraph } from '../../src/graph/graph.js';
import type { GraphOptions } from '../../src/graph/graph.js';
import type { Migration } from '../../src/graph/migration.js';
import { checkReversible, InvalidMigrationPlanError, migrationPlan, planDirection, resolveTarget, targetsFor } from '../../src/graph/planner.js';
import { applyMigration, operationStates, planStates, stateAt } from '../../src/graph/state-at.js';
import { AmbiguityError, IrreversibleError, NodeNotFoundError } from '../../src/errors/index.js';
import { ops } from '../../src/operations/ops.js';
import { stateForwards } from '../../src/operations/registry.js';
import { f } from '../../src/model/fields.js';
import { ProjectState } from '../../src/state/project-state.js';
import type { ModelState } from '../../src/state/project-state.js';
import { keys, mig, thrown } from './helpers.js';

const id = f.bigAuto({ primaryKey: true });

/** shop: 0001 Client, 0002 Client.bought, 0003 Computer; billing: 0001 Invoice (needs shop.0002), 0002 Invoice.total. */
function store(): Migration[] {
  return [
    mig('shop.0001_initial', { initial: true, ops: [ops.createModel({ name: 'Client', fields: { id, name: f.char({ maxLength: 255 }) } })] }),
    mig('shop.0002_client_bought', { deps: ['shop.0001_initial'], ops: [ops.addField({ model: 'Client', name: 'bought', field: f.integer({ null: true }) })] }),
    mig('shop.0003_computer', {
      deps: ['shop.0002_client_bought'],
      ops: [ops.createModel({ name: 'Computer', fields: { id, boughtBy: f.foreignKey('Client', { onDelete: 'cascade' }) } })],
    }),
    mig('billing.0001_initial', {
      initial: true,
      deps: ['shop.0002_client_bought'],
      ops: [ops.createModel({ name: 'Invoice', fields: { id, client: f.foreignKey('shop.Client', { onDelete: 'cascade' }) } })],
    }),
    mig('billing.0002_invoice_total', { deps: ['billing.0001_initial'], ops: [ops.addField({ model: 'Invoice', name: 'total', field: f.integer({ default: 0 }) })] }),
  ];
}
const options: GraphOptions = { apps: ['shop', 'billing'] };
const everything = ['shop.0001_initial', 'shop.0002_client_bought', 'shop.0003_computer', 'billing.0001_initial', 'billing.0002_invoice_total'];
const fieldsOf = (model: ModelState | undefined) => model?.fields.map(([name]) => name);

describe('resolving a target', () => {
  const graph = buildGraph([...store(), mig('shop.0004_a'), mig('shop.0004_b')], [], options);

  test('a unique prefix resolves to the full name', () => {
    assert.deepEqual(resolveTarget(graph, 'shop', '0002'), ['shop', '0002_client_bought']);
    assert.deepEqual(resolveTarget(graph, 'shop', '0003_computer'), ['shop', '0003_computer']);
  });

  test('zero means unapply the whole app', () => {
    assert.deepEqual(resolveTarget(graph, 'shop', 'zero'), ['shop', null]);
  });

  test('a prefix shared by several migrations is ambiguous and lists them', () => {
    const error = thrown(AmbiguityError, () => resolveTarget(graph, 'shop', '0004'));
    assert.match(error.message, /More than one migration of shop starts with '0004': 0004_a, 0004_b/);
  });

  test('a name that matches nothing lists what the app has', () => {
    const error = thrown(NodeNotFoundError, () => resolveTarget(graph, 'shop', '0009'));
    assert.match(error.message, /No migration of shop is named or starts with '0009'; shop has 0001_initial, 0002_client_bought, 0003_computer, 0004_a, 0004_b/);
  });

  test('an unknown app names the project\'s apps', () => {
    const error = thrown(NodeNotFoundError, () => resolveTarget(graph, 'shopp', '0001'));
    assert.match(error.message, /App shopp is not in the project.*apps: shop, billing/);
  });

  test('targetsFor mirrors migrate [app [name]]', () => {
    assert.deepEqual(targetsFor(graph), [['shop', '0003_computer'], ['shop', '0004_a'], ['shop', '0004_b'], ['billing', '0002_invoice_total']]);
    assert.deepEqual(targetsFor(graph, 'billing'), [['billing', '0002_invoice_total']]);
    assert.deepEqual(targetsFor(graph, 'billing', '0001'), [['billing', '0001_initial']]);
  });
});

describe('planning migrate', () => {
  test('no targets applies every unapplied migration of every app, dependencies first', () => {
    const graph = buildGraph(store(), ['shop.0001_initial'], options);
    const plan = migrationPlan(graph);
    assert.deepEqual(keys(plan), ['+shop.0002_client_bought', '+shop.0003_computer', '+billing.0001_initial', '+billing.0002_invoice_total']);
    assert.equal(planDirection(plan), 'forwards');
  });

  test('migrating an app forwards applies the other apps\' migrations it needs', () => {
    const graph = buildGraph(store(), [], options);
    assert.deepEqual(keys(migrationPlan(graph, [['billing', '0001_initial']])), ['+shop.0001_initial', '+shop.0002_client_bought', '+billing.0001_initial']);
  });

  test('an applied target unapplies what came after it in its app, and the dependents of those', () => {
    const graph = buildGraph(store(), everything, options);
    const plan = migrationPlan(graph, [['shop', '0001_initial']]);
    assert.deepEqual(keys(plan), ['-billing.0002_invoice_total', '-billing.0001_initial', '-shop.0003_computer', '-shop.0002_client_bought']);
    assert.equal(planDirection(plan), 'backwards');
  });

  test('migrating one app back leaves its dependencies in other apps applied', () => {
    const graph = buildGraph(store(), everything, options);
    assert.deepEqual(keys(migrationPlan(graph, [['billing', '0001_initial']])), ['-billing.0002_invoice_total']);
    assert.deepEqual(keys(migrationPlan(graph, [['billing', null]])), ['-billing.0002_invoice_total', '-billing.0001_initial']);
  });

  test('zero unapplies the whole app and its dependents in other apps', () => {
    const graph = buildGraph(store(), everything, options);
    assert.deepEqual(keys(migrationPlan(graph, [['shop', null]])), [
      '-billing.0002_invoice_total', '-billing.0001_initial', '-shop.0003_computer', '-shop.0002_client_bought', '-shop.0001_initial',
    ]);
  });

  test('a target already reached plans nothing', () => {
    const graph = buildGraph(store(), everything, options);
    assert.deepEqual(migrationPlan(graph), []);
    assert.deepEqual(migrationPlan(graph, [['shop', '0003_computer']]), []);
    assert.equal(planDirection([]), 'none');
  });

  test('targets that need both directions are refused', () => {
    const graph = buildGraph(store(), ['shop.0001_initial', 'shop.0002_client_bought', 'shop.0003_computer'], options);
    const error = thrown(InvalidMigrationPlanError, () => migrationPlan(graph, [['shop', '0001_initial'], ['billing', '0001_initial']]));
    assert.match(error.message, /applied \(shop\.0002_client_bought, billing\.0001_initial\) and unapplied \(shop\.0003_computer, shop\.0002_client_bought\)/);
  });

  test('an empty applied set plans from scratch', () => {
    const graph = buildGraph(store(), everything, options);
    assert.equal(migrationPlan(graph, [], []).length, 5);
  });

  test('migrating back to a migration a squash replaced plans on the replaced migrations', () => {
    const replaced = ['shop.0001_initial', 'shop.0002_client_bought', 'shop.0003_computer'];
    const migrations = [...store(), mig('shop.0001_squashed_0003', { replaces: replaced, ops: store().slice(0, 3).flatMap((m) => m.operations) })];
    const graph = buildGraph(migrations, everything, options);
    assert.equal(graph.has('shop.0002_client_bought'), false);
    const target = resolveTarget(graph, 'shop', '0002');
    const plan = migrationPlan(graph, [target]);
    assert.deepEqual(keys(plan), ['-shop.0003_computer']);
    const [step] = [...planStates(graph, plan)];
    assert.deepEqual(fieldsOf(step.stateBefore.find('shop', 'Client')), ['id', 'name', 'bought']);
    assert.equal(step.stateBefore.find('shop', 'Computer'), undefined);
    assert.ok(step.stateAfter.find('shop', 'Computer'));
  });

  test('migrating forwards to a migration a squash replaced applies the replaced migrations one by one', () => {
    const replaced = ['shop.0001_initial', 'shop.0002_client_bought', 'shop.0003_computer'];
    const migrations = [...store(), mig('shop.0001_squashed_0003', { replaces: replaced })];
    const graph = buildGraph(migrations, [], options);
    const plan = migrationPlan(graph, [resolveTarget(graph, 'shop', '0002')]);
    assert.deepEqual(keys(plan), ['+shop.0001_initial', '+shop.0002_client_bought']);
    assert.deepEqual(fieldsOf([...planStates(graph, plan)][1].stateAfter.find('shop', 'Client')), ['id', 'name', 'bought']);
  });

  test('a squash that stands in is applied as one step', () => {
    const replaced = ['shop.0001_initial', 'shop.0002_client_bought', 'shop.0003_computer'];
    const migrations = [...store(), mig('shop.0001_squashed_0003', { replaces: replaced })];
    const graph = buildGraph(migrations, [], options);
    assert.deepEqual(keys(migrationPlan(graph, [['shop', '0001_squashed_0003']])), ['+shop.0001_squashed_0003']);
  });
});

describe('reversibility', () => {
  const forward = async () => {};
  const migrations = () => [
    ...store(),
    mig('shop.0004_fill', { deps: ['shop.0003_computer'], ops: [ops.addField({ model: 'Client', name: 'x', field: f.integer({ default: 0 }) }), ops.runCode({ forward })] }),
    mig('shop.0005_sql', { deps: ['shop.0004_fill'], ops: [ops.runSql({ sql: 'UPDATE shop_client SET x = 1' })] }),
    mig('shop.0006_ok', { deps: ['shop.0005_sql'], ops: [ops.runSql({ sql: 'SELECT 1', reverseSql: ops.noop })] }),
  ];
  const applied = [...everything, 'shop.0004_fill', 'shop.0005_sql', 'shop.0006_ok'];

  test('the first irreversible operation of a backwards plan is named before anything runs', () => {
    const graph = buildGraph(migrations(), applied, options);
    const plan = migrationPlan(graph, [['shop', '0003_computer']]);
    assert.deepEqual(keys(plan), ['-shop.0006_ok', '-shop.0005_sql', '-shop.0004_fill']);
    const error = thrown(IrreversibleError, () => checkReversible(plan));
    assert.match(error.message, /Cannot unapply shop\.0005_sql: operation 1 of 1 \(Raw SQL operation\) is not reversible\. 1 migration\(s\) earlier/);
    assert.match(error.hint ?? '', /reverseSql.*sediment migrate shop 0005_sql/);
    assert.match(error.databaseState ?? '', /unchanged/);
  });

  test('within a migration the operation index is reported', () => {
    const graph = buildGraph(migrations(), applied.filter((k) => k !== 'shop.0005_sql' && k !== 'shop.0006_ok'), options);
    const error = thrown(IrreversibleError, () => checkReversible(migrationPlan(graph, [['shop', '0003_computer']])));
    assert.match(error.message, /Cannot unapply shop\.0004_fill: operation 2 of 2 \(Run code forward\) is not reversible/);
  });

  test('forwards plans and reversible backwards plans pass', () => {
    checkReversible(migrationPlan(buildGraph(migrations(), [], options)));
    checkReversible(migrationPlan(buildGraph(migrations(), applied, options), [['shop', '0005_sql']]));
  });
});

describe('states along the history', () => {
  const replay = (migrations: readonly Migration[]) => {
    let state = ProjectState.empty();
    for (const m of migrations) for (const op of m.operations) state = stateForwards(state, m.app, op);
    return state;
  };

  test('stateAt a node equals replaying its ancestors by hand', () => {
    const migrations = store();
    const graph = buildGraph(migrations, [], options);
    const byHand = replay([migrations[0], migrations[1], migrations[3]]);
    const computed = stateAt(graph, 'billing.0001_initial');
    assert.deepEqual(computed.models().sort((a, b) => a.name.localeCompare(b.name)), byHand.models().sort((a, b) => a.name.localeCompare(b.name)));
    assert.deepEqual(fieldsOf(computed.find('shop', 'Client')), ['id', 'name', 'bought']);
    assert.equal(computed.find('shop', 'Computer'), undefined);
  });

  test('stateAt null is the state after every migration; atEnd false stops just before the node', () => {
    const graph = buildGraph(store(), [], options);
    assert.deepEqual(fieldsOf(stateAt(graph, null).find('billing', 'Invoice')), ['id', 'client', 'total']);
    assert.deepEqual(fieldsOf(stateAt(graph, 'shop.0002_client_bought', { atEnd: false }).find('shop', 'Client')), ['id', 'name']);
  });

  test('forwards steps chain their states from the applied ones', () => {
    const graph = buildGraph(store(), ['shop.0001_initial'], options);
    const steps = [...planStates(graph, migrationPlan(graph))];
    assert.deepEqual(fieldsOf(steps[0].stateBefore.find('shop', 'Client')), ['id', 'name']);
    for (let i = 1; i < steps.length; i++) assert.equal(steps[i].stateBefore, steps[i - 1].stateAfter);
    assert.deepEqual(steps[steps.length - 1].stateAfter.models().length, stateAt(graph, null).models().length);
  });

  test('backwards steps carry the state just before each migration to unapply', () => {
    const graph = buildGraph(store(), everything, options);
    const steps = [...planStates(graph, migrationPlan(graph, [['shop', null]]))];
    assert.deepEqual(steps.map((s) => s.migration.name), ['0002_invoice_total', '0001_initial', '0003_computer', '0002_client_bought', '0001_initial']);
    const [total, invoice, , bought, initial] = steps;
    assert.deepEqual(fieldsOf(total.stateBefore.find('billing', 'Invoice')), ['id', 'client']);
    assert.deepEqual(fieldsOf(total.stateAfter.find('billing', 'Invoice')), ['id', 'client', 'total']);
    assert.equal(invoice.stateBefore.find('billing', 'Invoice'), undefined);
    assert.deepEqual(fieldsOf(bought.stateBefore.find('shop', 'Client')), ['id', 'name']);
    assert.equal(initial.stateBefore.size, 0);
    for (const step of steps) assert.deepEqual(step.stateAfter, applyMigration(step.stateBefore, step.migration));
  });

  test('operationStates gives each operation the states around it', () => {
    const migration = mig('shop.0001_initial', {
      ops: [ops.createModel({ name: 'Client', fields: { id } }), ops.addField({ model: 'Client', name: 'bought', field: f.integer({ null: true }) })],
    });
    const states = [...operationStates(ProjectState.empty(), migration)];
    assert.equal(states.length, 2);
    assert.equal(states[0].after, states[1].before);
    assert.deepEqual(fieldsOf(states[1].after.find('shop', 'Client')), ['id', 'bought']);
  });
});

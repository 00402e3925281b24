import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { f } from '../../src/index.js';
import { ops } from '../../src/operations/ops.js';
import { describe, stateForwards } from '../../src/operations/registry.js';
import type { Operation } from '../../src/operations/types.js';
import { optimize } from '../../src/optimizer/optimizer.js';
import { ProjectState } from '../../src/state/project-state.js';
import { stateSignature } from '../autodetect/helpers.js';

const id = f.bigAuto({ primaryKey: true });
const text = f.text();
const create = (name: string, fields: Record<string, ReturnType<typeof f.text> | ReturnType<typeof f.foreignKey>> = {}) =>
  ops.createModel({ name, fields: { id, ...fields } });

/** Optimizes and compares the descriptions, printing both lists on failure. */
function assertOptimizesTo(input: Operation[], expected: Operation[]): void {
  const actual = optimize(input, 'shop');
  assert.deepEqual(actual, expected, `\ninput:\n  ${input.map(describe).join('\n  ')}\ngot:\n  ${actual.map(describe).join('\n  ')}`);
}

test('creating then deleting a model optimizes to nothing', () => {
  assertOptimizesTo([create('Foo'), ops.deleteModel({ name: 'Foo' })], []);
});

test('a rename folds into the createModel', () => {
  assertOptimizesTo([create('Foo'), ops.renameModel({ oldName: 'Foo', newName: 'Bar' })], [create('Bar')]);
});

test('field additions, alterations, renames and removals fold into the createModel', () => {
  assertOptimizesTo(
    [
      create('Foo', { a: text }),
      ops.addField({ model: 'Foo', name: 'b', field: text }),
      ops.alterField({ model: 'Foo', name: 'a', field: f.integer() }),
      ops.renameField({ model: 'Foo', oldName: 'b', newName: 'c' }),
      ops.removeField({ model: 'Foo', name: 'a' }),
    ],
    [ops.createModel({ name: 'Foo', fields: { id, c: text }, options: {} })],
  );
});

test('an addField followed by its removal optimizes to nothing', () => {
  assertOptimizesTo([ops.addField({ model: 'Foo', name: 'a', field: text }), ops.removeField({ model: 'Foo', name: 'a' })], []);
});

test('consecutive alterations of one field keep the last', () => {
  const last = ops.alterField({ model: 'Foo', name: 'a', field: f.integer({ null: true }) });
  assertOptimizesTo([ops.alterField({ model: 'Foo', name: 'a', field: f.integer() }), last], [last]);
});

test('chained model renames become one', () => {
  assertOptimizesTo(
    [ops.renameModel({ oldName: 'A', newName: 'B' }), ops.renameModel({ oldName: 'B', newName: 'C' })],
    [ops.renameModel({ oldName: 'A', newName: 'C' })],
  );
});

test('a right reduction keeps the operations in between before the result', () => {
  assertOptimizesTo(
    [create('Foo'), create('Bar'), ops.addField({ model: 'Foo', name: 'x', field: text })],
    [create('Bar'), ops.createModel({ name: 'Foo', fields: { id, x: text } })],
  );
});

test('a left reduction moves the result before operations that pass through it', () => {
  const bar = create('Bar', { foo: f.foreignKey('shop.Foo', { onDelete: 'cascade' }) });
  assertOptimizesTo(
    [create('Foo'), bar, ops.addField({ model: 'Foo', name: 'x', field: text })],
    [ops.createModel({ name: 'Foo', fields: { id, x: text } }), bar],
  );
});

test('nothing is moved across raw SQL', () => {
  const input = [create('Foo'), ops.runSql({ sql: 'SELECT 1' }), ops.deleteModel({ name: 'Foo' })];
  assertOptimizesTo(input, input);
});

test('an elidable runSql gives way', () => {
  assertOptimizesTo([create('Foo'), ops.runSql({ sql: 'SELECT 1', elidable: true })], [create('Foo')]);
});

test('operations on unrelated models are left alone', () => {
  const input = [ops.addField({ model: 'Foo', name: 'a', field: text }), ops.addField({ model: 'Bar', name: 'b', field: text })];
  assertOptimizesTo(input, input);
});

// ----------------------------------------------------------------------------------- property

/** Random valid operation sequences, built step by step against the state they run on. */
const steps = fc.array(fc.tuple(fc.nat(8), fc.nat(20), fc.nat(20)), { maxLength: 25 });

function operationsFrom(plan: readonly (readonly [number, number, number])[]): Operation[] {
  let state = ProjectState.empty();
  const out: Operation[] = [];
  let counter = 0;
  for (const [kind, a, b] of plan) {
    const models = state.modelsOf('shop');
    const model = models.length ? models[a % models.length] : undefined;
    const fields = model ? model.fields.filter(([n]) => n !== 'id') : [];
    const field = fields.length ? fields[b % fields.length][0] : undefined;
    const other = models.length ? models[b % models.length].name : undefined;
    let op: Operation | undefined;
    switch (kind) {
      case 0: op = create(`M${counter++}`, { a: text }); break;
      case 1: if (model) op = ops.deleteModel({ name: model.name }); break;
      case 2: if (model) op = ops.renameModel({ oldName: model.name, newName: `M${counter++}` }); break;
      case 3: if (model) op = ops.addField({ model: model.name, name: `f${counter++}`, field: other && b % 2 ? f.foreignKey(`shop.${other}`, { onDelete: 'cascade', null: true }) : text }); break;
      case 4: if (field) op = ops.removeField({ model: model!.name, name: field }); break;
      case 5: if (field) op = ops.alterField({ model: model!.name, name: field, field: f.integer({ null: b % 2 === 0 }) }); break;
      case 6: if (field) op = ops.renameField({ model: model!.name, oldName: field, newName: `f${counter++}` }); break;
      case 7: if (field) op = ops.addIndex({ model: model!.name, index: { kind: 'index', fields: [field], name: `i${counter++}` } }); break;
      case 8: if (model?.options.indexes?.length) op = ops.removeIndex({ model: model.name, name: model.options.indexes[0].name! }); break;
    }
    // Deleting a model others point at would leave them dangling: not a sequence anyone writes.
    if (op?.kind === 'deleteModel' && state.relationsTo('shop', op.name).some(([m]) => m.name !== op.name)) continue;
    if (op) {
      state = stateForwards(state, 'shop', op);
      out.push(op);
    }
  }
  return out;
}

const replay = (operations: readonly Operation[]) => operations.reduce((s, op) => stateForwards(s, 'shop', op), ProjectState.empty());

test('an optimized sequence gives the same state, is no longer, and optimizing again changes nothing', () => {
  fc.assert(
    fc.property(steps, (plan) => {
      const input = operationsFrom(plan);
      const output = optimize(input, 'shop');
      assert.ok(output.length <= input.length);
      assert.deepEqual(stateSignature(replay(output)), stateSignature(replay(input)), `\n${input.map(describe).join('\n')}\n=>\n${output.map(describe).join('\n')}`);
      assert.deepEqual(optimize(output, 'shop'), output);
    }),
    { numRuns: 1000 },
  );
});

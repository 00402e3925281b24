import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadMigrations } from '../../src/loader/index.js';
import { f, scalarKinds, type Field, type Literal } from '../../src/model/fields.js';
import { ops } from '../../src/operations/ops.js';
import type { Operation } from '../../src/operations/types.js';
import { renderMigration } from '../../src/writer/index.js';
import { flat } from '../../src/writer/layout.js';
import { literal } from '../../src/writer/literal.js';
import { tempProject } from '../loader/support.js';
import { everyFieldKind, everyOperation, everyOption } from './samples.js';

const date = new Date('2024-05-01T12:00:00Z');
const name = (i: number) => `${String(i + 1).padStart(4, '0')}_step`;

/** Writes each list of operations as one migration (in a line) and loads them back. */
async function roundTrip(batches: readonly (readonly Operation[])[]): Promise<Operation[][]> {
  const project = tempProject();
  batches.forEach((operations, i) => {
    const dependencies = i === 0 ? [] : [['shop', name(i - 1)] as const];
    project.write(`src/shop/migrations/${name(i)}.ts`, renderMigration({ dependencies, operations }, { date }));
  });
  const migrations = await loadMigrations(project);
  return migrations.map((m) => [...m.operations]);
}

test('every operation kind is read back equal to what was written, each in a file of its own', async () => {
  const batches = Object.values(everyOperation).map((op) => [op]);
  assert.deepStrictEqual(await roundTrip(batches), batches);
});

test('every field kind, and every field option, is read back equal to what was written', async () => {
  const operations = [...Object.entries(everyFieldKind), ['everyOption', everyOption] as const].map(([fieldName, field]) =>
    ops.addField({ model: 'Everything', name: fieldName, field }),
  );
  assert.deepStrictEqual(await roundTrip([operations]), [operations]);
});

test('migration flags and node lists are read back as written', async () => {
  const project = tempProject([['shop', 'src/shop'], ['billing', 'src/billing']]);
  project.write('src/billing/migrations/0001_initial.ts', renderMigration({ dependencies: [], operations: [] }, { date }));
  const content = {
    initial: true,
    atomic: false,
    replaces: [['shop', '0001_a'], ['shop', '0002_b']] as const,
    dependencies: [['billing', '0001_initial']] as const,
    runBefore: [['billing', '0002_later']] as const,
    operations: [ops.deleteModel({ name: 'A' })],
  };
  project.write('src/shop/migrations/0001_squashed_0002_b.ts', renderMigration(content, { date }));
  const squashed = (await loadMigrations(project)).find((m) => m.app === 'shop')!;
  assert.deepStrictEqual(
    { initial: squashed.initial, atomic: squashed.atomic, replaces: squashed.replaces, dependencies: squashed.dependencies, runBefore: squashed.runBefore, operations: squashed.operations },
    content,
  );
});

// ---- random values ----

/** Any UTF-16 code unit, lone surrogates included: a file must still be valid UTF-8 and say the same. */
const anyString = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) }),
  fc.constantFrom("it's", '"quoted"', `'both' "kinds"`, 'back\\slash', 'line\nbreak', '\u2028\u2029', '\u202e evil', '${x}', '`tick`', '*/', '// not a comment'),
);
const anyKey = fc.oneof(anyString, fc.constantFrom('__proto__', 'constructor', 'default', 'null', '0', '1e3', 'a-b', ''));
const { value: anyLiteral } = fc.letrec<{ value: Literal }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    anyString,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(anyKey, tie('value'), { maxKeys: 5, noNullPrototype: true }),
  ),
}));

test('any literal is printed as source that evaluates to an equal value and survives UTF-8', () => {
  fc.assert(
    fc.property(anyLiteral, (value) => {
      const text = flat(literal(value, 'value'));
      assert.equal(Buffer.from(text, 'utf8').toString('utf8'), text, 'the text must be encodable as UTF-8');
      assert.doesNotMatch(text, /[\n\r\u2028\u2029]/, 'a literal stays on its line');
      const back = new Function(`return (${text});`)() as unknown;
      assert.deepStrictEqual(back, value);
    }),
    { numRuns: 2000, seed: 20240501 },
  );
});

const scalarField = fc
  .record(
    {
      kind: fc.constantFrom(...scalarKinds.filter((kind) => !['char', 'slug', 'email', 'url', 'decimal'].includes(kind))),
      null: fc.boolean(),
      default: anyLiteral,
      dbDefault: anyLiteral,
      choices: fc.array(fc.tuple(anyLiteral, anyString), { maxLength: 3 }),
      dbComment: anyString,
      helpText: anyString,
      verboseName: anyString,
      unique: fc.boolean(),
      dbColumn: anyString,
    },
    { requiredKeys: ['kind'] },
  )
  .map(({ kind, ...options }) => (f[kind] as (o: object) => Field)(options));
const sizedField = fc
  .record({ maxLength: fc.integer({ min: 1, max: 10_000 }), default: anyString }, { requiredKeys: ['maxLength'] })
  .map((options) => f.char(options));
const relationField = fc
  .record({
    to: anyString.filter((s) => s !== ''),
    onDelete: fc.constantFrom('cascade', 'protect', 'restrict', 'setNull', 'setDefault', 'doNothing' as const),
    relatedName: anyString,
  })
  .map(({ to, ...options }) => f.foreignKey(to, options));
const anyField = fc.oneof(scalarField, sizedField, relationField);
const nonEmpty = anyString.filter((s) => s !== '');
const anyOperation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ model: nonEmpty, name: nonEmpty, field: anyField }).map((args) => ops.addField(args)),
  fc.record({ model: nonEmpty, name: nonEmpty, field: anyField, preserveDefault: fc.boolean() }).map((args) => ops.alterField(args)),
  fc.record({ name: nonEmpty, fields: fc.dictionary(anyKey, anyField, { maxKeys: 4, noNullPrototype: true }) }).map((args) => ops.createModel(args)),
  fc.record({ sql: fc.oneof(anyString, fc.array(anyString, { maxLength: 3 })), elidable: fc.boolean() }).map((args) => ops.runSql(args)),
  fc.record({ model: nonEmpty, oldName: nonEmpty, newName: nonEmpty }).map((args) => ops.renameField(args)),
);

test('random operations with odd names, strings, json defaults and choices are read back equal', async () => {
  const batches = fc.sample(fc.array(anyOperation, { minLength: 1, maxLength: 8 }), { numRuns: 30, seed: 42 });
  assert.deepStrictEqual(await roundTrip(batches), batches);
});

import { postgresBackend } from '../../src/backends/postgres/backend.js';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { arrangeChanges } from '../../src/autodetect/arrange.js';
import { detectChanges } from '../../src/autodetect/detect.js';
import { SedimentError } from '../../src/errors/index.js';
import { buildGraph, stateAt } from '../../src/graph/index.js';
import { check, f, index, migration, ops, unique } from '../../src/index.js';
import { loadMigrations } from '../../src/loader/index.js';
import { validateMigrationExports } from '../../src/loader/validate-migration.js';
import { projectStateFromModels } from '../../src/model/collect.js';
import { model } from '../../src/model/model.js';
import { stateForwards } from '../../src/operations/registry.js';
import { expectedSchema } from '../../src/schema/expected-schema.js';
import { FlagQuestioner } from '../../src/questioner/flag-questioner.js';
import { Naming } from '../../src/state/names.js';
import { ProjectState } from '../../src/state/project-state.js';
import { renderMigration } from '../../src/writer/index.js';
import { count, propertySeed } from './support/scale.js';

/**
 * Loader fuzz (issue 5): whatever a migration file holds, loading it either gives migrations that
 * passed validation or throws a SedimentError (which the CLI prints as one clear error) — never a
 * TypeError from deep inside, never a hang. Two levels:
 *
 * 1. what a file exports: valid migrations with parts replaced by random values, removed or wrapped,
 *    through validateMigrationExports; what passes is replayed on a state and planned as a schema,
 *    which may refuse it, but only with a SedimentError;
 * 2. the file itself: valid sources with characters deleted, tokens inserted, lines swapped or
 *    duplicated, through loadMigrations (esbuild, the bundle, evaluation, validation, checksums);
 * 3. what a models file exports, mutated the same way as in 1, through the collector, then planned as
 *    a schema and as migrations written from nothing (makemigrations' path).
 */

const base = projectStateFromModels([['shop', [model('Client', { name: f.char({ maxLength: 50 }), rank: f.integer({ null: true }) })]]]);

/** Valid migrations of app shop (after a model Client(name, rank)), the material the mutations start from. */
const seeds = (): Record<string, unknown>[] => [
  migration({
    dependencies: [['shop', '0001_initial']],
    operations: [
      ops.addField({ model: 'Client', name: 'email', field: f.email({ null: true, unique: true }) }),
      ops.alterField({ model: 'Client', name: 'rank', field: f.integer({ default: 0 }) }),
      ops.addIndex({ model: 'Client', index: index(['name'], { name: 'client_name_idx', condition: 'rank > 0' }) }),
    ],
  }),
  migration({
    dependencies: [['shop', '0001_initial']],
    operations: [
      ops.createModel({
        name: 'Order',
        fields: { id: f.bigAuto({ primaryKey: true }), client: f.foreignKey('shop.Client', { onDelete: 'cascade' }), total: f.decimal({ maxDigits: 8, decimalPlaces: 2 }) },
        options: { constraints: [check('total >= 0', { name: 'order_total_ck' }), unique(['client', 'total'], { name: 'order_client_total_uniq' })] },
      }),
      ops.renameField({ model: 'Client', oldName: 'rank', newName: 'level' }),
      ops.runSql({ sql: ['SELECT 1', 'SELECT 2'], reverseSql: ops.noop }),
    ],
  }),
  migration({
    atomic: false,
    dependencies: [['shop', '0001_initial']],
    operations: [
      ops.runCode({ forward: async () => {}, reverse: ops.noop }),
      ops.addField({ model: 'Client', name: 'tags', field: f.manyToMany('shop.Client') }),
      ops.alterUniqueTogether({ name: 'Client', uniqueTogether: [['name', 'rank']] }),
      ops.separateDatabaseAndState({ database: [], state: [ops.alterModelTable({ name: 'Client', table: 'clients' })] }),
    ],
  }),
] as unknown as Record<string, unknown>[];

/** A deep copy that keeps functions (runCode) and drops freezing, so mutations can be applied. */
function thaw(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(thaw);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, thaw(v)]));
  return value;
}

/** Every [container, key] in the tree, in a stable order. */
function slots(value: unknown, out: [Record<string, unknown> | unknown[], string | number][] = []): typeof out {
  if (Array.isArray(value)) value.forEach((item, i) => (out.push([value, i]), slots(item, out)));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push([value as Record<string, unknown>, key]);
      slots(item, out);
    }
  }
  return out;
}

const mutation = fc.record({
  at: fc.nat(),
  how: fc.constantFrom('replace', 'replace', 'delete', 'wrap', 'stringify', 'tweak', 'tweak', 'tweak', 'tweak'),
  pick: fc.nat(),
  value: fc.oneof(
    fc.anything({ maxDepth: 2 }),
    fc.constantFrom<unknown>('', 'x', -1, 0, 1.5, NaN, Infinity, null, undefined, true, [], {}, { kind: 'index' }, { kind: 'callable', name: 'now' }, () => 1, Symbol('s'), 10n),
  ),
});

/** Plausible neighbours of a value: names of things that exist or do not, other numbers, the other boolean. */
const neighbours: Readonly<Record<string, readonly unknown[]>> = {
  string: ['Client', 'client', 'Ghost', 'name', 'rank', 'id', 'email', 'shop.Client', 'shop.Ghost', 'ghost.Client', '', 'cascade', 'boom', 'now', '0001_initial'],
  number: [0, -1, 1, 2, 8, 1000, 1.5, NaN],
  boolean: [true, false],
};

function tweak(value: unknown, pick: number): unknown {
  const options = neighbours[typeof value];
  if (options) return options[pick % options.length];
  if (Array.isArray(value)) return pick % 2 ? [...value, ...value] : value.slice(1);
  return value;
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return 'x';
  }
}

function mutate(seed: Record<string, unknown>, steps: readonly { at: number; how: string; value: unknown; pick: number }[]): unknown {
  const root = { value: thaw(seed) };
  for (const step of steps) {
    const all = slots(root.value).length ? slots(root) : [[root, 'value'] as [Record<string, unknown>, string]];
    const [container, key] = all[step.at % all.length];
    const current = (container as Record<string | number, unknown>)[key];
    if (step.how === 'delete') {
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete (container as Record<string, unknown>)[key as string];
    } else if (step.how === 'wrap') (container as Record<string | number, unknown>)[key] = [current];
    else if (step.how === 'stringify') (container as Record<string | number, unknown>)[key] = safeString(current);
    else if (step.how === 'tweak') (container as Record<string | number, unknown>)[key] = tweak(current, step.pick);
    // A copy: the constants of the generator are shared between runs, and must never be mutated.
    else (container as Record<string | number, unknown>)[key] = thaw(step.value);
  }
  return root.value;
}

/** Runs `fn`: a SedimentError is an answer; anything else fails, naming `what`. */
function answered(what: string, fn: () => void): 'ok' | 'refused' {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (error instanceof SedimentError) return 'refused';
    throw new Error(`${what} threw ${(error as Error)?.constructor?.name ?? typeof error}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}

test('what a migration file exports, mutated at random, is validated or refused with a SedimentError, and what passes plans or is refused the same way', (t) => {
  const seed = propertySeed();
  const outcomes = { valid: 0, refused: 0, replayed: 0 };
  fc.assert(
    fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), (which, steps, asDefault) => {
      const value = mutate(seeds()[which % 3], steps);
      // A module's exports are always an object: the default export, or named exports only.
      const plain = value !== null && typeof value === 'object' && !Array.isArray(value);
      const exports = asDefault ? { default: value } : plain ? (value as Record<string, unknown>) : { migration: value };
      let body: ReturnType<typeof validateMigrationExports> | undefined;
      const validated = answered('validateMigrationExports', () => void (body = validateMigrationExports(exports as never, 'src/shop/migrations/0002_fuzz.ts', '/p/0002_fuzz.ts')));
      if (validated === 'refused') {
        outcomes.refused++;
        return;
      }
      outcomes.valid++;
      let state = base;
      const replayed = answered('replaying the operations', () => {
        for (const op of body!.operations) state = stateForwards(state, 'shop', op);
      });
      if (replayed === 'ok') {
        outcomes.replayed++;
        answered('expectedSchema', () => void expectedSchema(state, new Naming(), postgresBackend));
      }
    }),
    { numRuns: count(5000, 50000, 'SEDIMENT_RELIABILITY_FUZZ_RUNS'), seed },
  );
  t.diagnostic(`seed ${seed}: ${outcomes.valid} passed validation (${outcomes.replayed} of them replayed), ${outcomes.refused} refused with a SedimentError`);
});

// ---------------------------------------------------------------------------------------------
// Source mutations, through the real loader

const validSources = [
  `import { f, index, migration, ops } from 'sediment-migrations';

export default migration({
  dependencies: [['shop', '0001_initial']],
  operations: [
    ops.addField({ model: 'Client', name: 'email', field: f.email({ null: true }) }),
    ops.addIndex({ model: 'Client', index: index(['name'], { name: 'client_name_idx' }) }),
  ],
});
`,
  `import { check, f, migration, ops } from 'sediment-migrations';
import { helper } from './_helpers';

export default migration({
  dependencies: [['shop', '0001_initial']],
  atomic: false,
  operations: [
    ops.createModel({ name: 'Order', fields: { id: f.bigAuto({ primaryKey: true }), total: f.integer({ default: 0 }) } }),
    ops.runCode({ forward: async ({ apps }) => { helper(apps); }, reverse: ops.noop }),
    ops.runSql({ sql: "UPDATE shop_client SET name = 'x' WHERE id = 1", reverseSql: ops.noop }),
  ],
});
`,
];

const tokens = [
  '(', ')', '{', '}', '[', ']', ',', ';', ':', "'", '"', '`', '${', '\\', '/*', '//', '\n', ' ', '.', '...', '=>', '=',
  'ops.', 'f.', 'null', 'undefined', 'export default ', 'export ', 'import ', 'await ', 'async ', 'throw 1;', 'as never',
  "'shop'", "'0001_initial'", 'kind', 'operations', 'dependencies', 'migration', 'new ', 'delete ', 'this', 'process.exit',
];

const sourceMutation = fc.record({
  at: fc.nat(),
  length: fc.nat(6),
  how: fc.constantFrom('delete', 'insert', 'insert', 'duplicate', 'swapLines'),
  token: fc.constantFrom(...tokens),
});

function mutateSource(source: string, steps: readonly { at: number; length: number; how: string; token: string }[]): string {
  let text = source;
  for (const step of steps) {
    const at = step.at % (text.length + 1);
    if (step.how === 'delete') text = text.slice(0, at) + text.slice(at + step.length + 1);
    else if (step.how === 'insert') text = text.slice(0, at) + step.token + text.slice(at);
    else if (step.how === 'duplicate') text = text.slice(0, at) + text.slice(at, at + step.length + 1) + text.slice(at);
    else {
      const lines = text.split('\n');
      const i = step.at % lines.length;
      const j = (step.at + step.length) % lines.length;
      [lines[i], lines[j]] = [lines[j], lines[i]];
      text = lines.join('\n');
    }
  }
  // A file must never stop the loader: process.exit would end the test run, not fail it.
  return text.replace(/process\.exit/g, 'process.exitCode');
}

/** Fails if `promise` has not settled after `ms` (a hang). */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

test('mutated migration sources are loaded or refused with a SedimentError, never anything else, never a hang', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'sediment-loader-fuzz-'));
  const dir = join(root, 'src', 'shop', 'migrations');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '0001_initial.ts'), `import { f, migration, ops } from 'sediment-migrations';

export default migration({
  initial: true,
  operations: [ops.createModel({ name: 'Client', fields: { id: f.bigAuto({ primaryKey: true }), name: f.char({ maxLength: 50 }) } })],
});
`);
  writeFileSync(join(dir, '_helpers.ts'), 'export function helper(apps: unknown): unknown { return apps; }\n');
  const seed = propertySeed();
  const outcomes = { loaded: 0, refused: 0 };
  let n = 0;
  let previous: string | undefined;
  try {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(sourceMutation, { minLength: 1, maxLength: 2 }), async (which, steps) => {
        const source = mutateSource(validSources[which % validSources.length], steps);
        // A new file name every run: the loader's cache is keyed by path, modification time and size.
        if (previous) rmSync(previous, { force: true });
        previous = join(dir, `0002_fuzz_${++n}.ts`);
        writeFileSync(previous, source);
        try {
          const migrations = await within(30_000, 'loadMigrations', loadMigrations({ root, apps: [['shop', 'src/shop']] }));
          outcomes.loaded++;
          assert.equal(migrations.length, 2);
          answered('planning the loaded migrations', () => void stateAt(buildGraph(migrations, [], { apps: ['shop'] }), null));
        } catch (error) {
          if (!(error instanceof SedimentError)) {
            throw new Error(`loadMigrations threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}\n--- source ---\n${source}`, { cause: error });
          }
          outcomes.refused++;
        }
      }),
      { numRuns: count(300, 3000, 'SEDIMENT_RELIABILITY_LOADER_RUNS'), seed },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  t.diagnostic(`seed ${seed}: ${outcomes.loaded} sources loaded, ${outcomes.refused} refused with a SedimentError`);
});

// ---------------------------------------------------------------------------------------------
// What models files export, through the collector

const modelSeeds = (): Record<string, unknown>[][] => [
  [
    model('Client', { name: f.char({ maxLength: 50 }), rank: f.integer({ null: true, default: 0 }), tags: f.manyToMany('Tag') }, {
      indexes: [index(['name']), index(['rank'], { name: 'client_rank_idx', condition: 'rank > 0' })],
      constraints: [unique(['name', 'rank']), check('rank >= 0', { name: 'client_rank_ck' })],
      uniqueTogether: [['name', 'rank']],
      ordering: ['-rank'],
      dbTable: 'clients',
    }),
    model('Tag', { label: f.slug({ unique: true }), owner: f.foreignKey('Client', { onDelete: 'setNull', null: true }) }),
  ],
  [model('Order', { client: f.foreignKey('shop.Client', { onDelete: 'cascade' }), total: f.decimal({ maxDigits: 8, decimalPlaces: 2 }), code: f.uuid({ primaryKey: true }) })],
] as unknown as Record<string, unknown>[][];

test('what models files export, mutated at random, is collected or refused with a SedimentError, and what is collected plans as a schema and as migration files', async (t) => {
  const seed = propertySeed();
  const outcomes = { collected: 0, refused: 0 };
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (steps) => {
      const mutated = mutate({ apps: modelSeeds() }, steps) as { apps?: unknown };
      const apps = Array.isArray(mutated?.apps) ? mutated.apps : [];
      const shop = Array.isArray(apps[0]) ? apps[0] : [apps[0]];
      const billing = Array.isArray(apps[1]) ? apps[1] : [apps[1]];
      let state: ReturnType<typeof projectStateFromModels> | undefined;
      const collected = answered('projectStateFromModels', () => void (state = projectStateFromModels([['shop', shop as never], ['billing', billing as never]])));
      if (collected === 'refused') {
        outcomes.refused++;
        return;
      }
      outcomes.collected++;
      answered('expectedSchema', () => void expectedSchema(state!, new Naming(), postgresBackend));
      // makemigrations from nothing: planned and written, or refused with a SedimentError.
      try {
        const changes = await detectChanges(ProjectState.empty(), state!, FlagQuestioner.fromFlags({ noInput: true }));
        for (const migration of arrangeChanges(changes, {}, { now: () => new Date(0) })) {
          answered('renderMigration', () => void renderMigration(migration, { date: new Date(0) }));
        }
      } catch (error) {
        if (!(error instanceof SedimentError)) throw new Error(`detectChanges threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`, { cause: error });
      }
    }),
    { numRuns: count(3000, 30000, 'SEDIMENT_RELIABILITY_FUZZ_RUNS'), seed },
  );
  t.diagnostic(`seed ${seed}: ${outcomes.collected} collected, ${outcomes.refused} refused with a SedimentError`);
});

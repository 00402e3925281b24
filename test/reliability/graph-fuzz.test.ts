import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  CircularDependencyError, InconsistentMigrationHistoryError, InvalidDefinitionError, NodeNotFoundError, SedimentError,
} from '../../src/errors/index.js';
import { buildGraph, migrationPlan, planStates, stateAt, targetsFor } from '../../src/graph/index.js';
import type { Migration } from '../../src/graph/migration.js';
import { count, propertySeed } from './support/scale.js';

/**
 * Graph fuzz (issue 5): random migration sets — three apps, names that collide, dependencies,
 * `runBefore` and `replaces` lists naming anything (existing nodes, missing ones, unknown apps,
 * `__first__`/`__latest__`, the migration itself), recorded histories that may be inconsistent.
 * buildGraph either returns a graph or throws NodeNotFoundError, CircularDependencyError or
 * InvalidDefinitionError — never anything else, never a hang (it is iterative: 60 nodes with dense
 * edges stay fast) — and a graph it returns plans every leaf, app and `zero` target with SedimentErrors
 * only (InconsistentMigrationHistory, ambiguous or missing targets).
 */

const apps = ['shop', 'billing', 'ghost'] as const;
const names = ['0001_initial', '0002_more', '0003_x', '0003_y', '0004_last', '__first__', '__latest__', '0001_squashed_0003_x'] as const;

const wildRef = fc.tuple(fc.constantFrom(...apps), fc.constantFrom(...names));
/**
 * A reference: mostly to an earlier node of the set, sometimes to any node (a later one may close a
 * cycle), sometimes to anything at all.
 */
const ref = fc.oneof(
  { weight: 8, arbitrary: fc.nat().map((i) => ({ back: i })) },
  { weight: 1, arbitrary: fc.nat().map((i) => ({ index: i })) },
  { weight: 1, arbitrary: wildRef.map((pair) => ({ pair })) },
);
const node = fc.record({
  app: fc.constantFrom('shop', 'billing'),
  name: fc.constantFrom(...names.filter((n) => !n.startsWith('__'))),
  dependencies: fc.array(ref, { maxLength: 3 }),
  runBefore: fc.oneof({ weight: 5, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(ref, { maxLength: 1 }) }),
  replaces: fc.oneof({ weight: 6, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(ref, { minLength: 1, maxLength: 3 }) }),
});
/** Mostly distinct app.name keys; now and then a duplicate slips in. */
const migrationSet = fc.tuple(
  fc.uniqueArray(node, { selector: (m) => `${m.app}.${m.name}`, maxLength: 10 }),
  fc.nat(19),
).map(([nodes, dice]) => (dice === 0 && nodes.length ? [...nodes, nodes[nodes.length - 1]] : nodes));

type Ref = { back: number } | { index: number } | { pair: [string, string] };
interface Raw { app: string; name: string; dependencies: Ref[]; runBefore: Ref[]; replaces: Ref[] }

function resolveRefs(raw: readonly Raw[]): { app: string; name: string; dependencies: [string, string][]; runBefore: [string, string][]; replaces: [string, string][] }[] {
  const at = (i: number): [string, string] => [raw[i].app, raw[i].name];
  return raw.map((m, position) => {
    // `back` is an earlier node for a dependency, a later one for runBefore (which points the other way).
    const later = raw.length - position - 1;
    const pairsOf = (forward: boolean) => (refs: readonly Ref[]): [string, string][] =>
      refs.flatMap((r): [string, string][] => {
        if ('pair' in r) return [r.pair];
        if ('index' in r) return [at(r.index % raw.length)];
        if (forward) return later > 0 ? [at(position + 1 + (r.back % later))] : [];
        return position > 0 ? [at(position - 1 - (r.back % position))] : [];
      });
    return {
      app: m.app, name: m.name,
      dependencies: pairsOf(false)(m.dependencies), runBefore: pairsOf(true)(m.runBefore), replaces: pairsOf(false)(m.replaces),
    };
  });
}

function toMigration(m: { app: string; name: string; dependencies: [string, string][]; runBefore: [string, string][]; replaces: [string, string][] }, i: number): Migration {
  return {
    app: m.app,
    name: m.name,
    file: `/project/src/${m.app}/migrations/${m.name}.${i % 2 ? 'ts' : 'js'}`,
    dependencies: m.dependencies,
    operations: [],
    initial: false,
    atomic: true,
    replaces: m.replaces,
    runBefore: m.runBefore,
    checksum: `c${i}`,
  };
}

const expectedBuildErrors = [NodeNotFoundError, CircularDependencyError, InvalidDefinitionError];

function describeInput(migrations: readonly Migration[], recorded: readonly string[]): string {
  const refs = (list: readonly (readonly [string, string])[]) => list.map(([a, n]) => `${a}.${n}`).join(', ');
  return [
    ...migrations.map((m) => `${m.app}.${m.name} deps [${refs(m.dependencies)}]${m.runBefore.length ? ` runBefore [${refs(m.runBefore)}]` : ''}${m.replaces.length ? ` replaces [${refs(m.replaces)}]` : ''}`),
    `recorded: ${recorded.join(', ') || '(none)'}`,
  ].join('\n');
}

/** Runs `fn`; an error that is not a SedimentError (of one of `allowed`, if given) fails the property. */
function onlySedimentErrors(
  what: string,
  fn: () => void,
  allowed?: readonly (abstract new (...args: never[]) => Error)[],
  reasons?: Map<string, number>,
): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    reasons?.set((error as Error).name, (reasons.get((error as Error).name) ?? 0) + 1);
    const ok = allowed ? allowed.some((type) => error instanceof type) : error instanceof SedimentError;
    if (!ok) throw new Error(`${what} threw ${(error as Error)?.name}: ${(error as Error)?.message}`, { cause: error });
    return false;
  }
}

test('buildGraph returns or throws NodeNotFound/CircularDependency/InvalidDefinition, and plans only fail with SedimentErrors', (t) => {
  const seed = propertySeed();
  const outcomes = { built: 0, refused: 0, planned: 0 };
  const reasons = new Map<string, number>();
  fc.assert(
    fc.property(
      migrationSet,
      fc.array(fc.tuple(fc.constantFrom(...apps), fc.constantFrom(...names)), { maxLength: 5 }),
      fc.boolean(),
      (raw, recordedPairs, listApps) => {
        const migrations = resolveRefs(raw as Raw[]).map((m, i) => toMigration(m, i));
        const recorded = [...new Set(recordedPairs.map(([a, n]) => `${a}.${n}`))];
        const options = listApps ? { apps: ['shop', 'billing'] } : {};
        let graph: ReturnType<typeof buildGraph> | undefined;
        try {
          onlySedimentErrors('buildGraph', () => (graph = buildGraph(migrations, recorded, options)), expectedBuildErrors, reasons);
          if (!graph) {
            outcomes.refused++;
            return;
          }
          outcomes.built++;
          const g = graph;
          assert.equal(new Set(g.order()).size, g.order().length, 'the order lists each node once');
          onlySedimentErrors('checkConsistentHistory', () => g.checkConsistentHistory(), [InconsistentMigrationHistoryError]);
          onlySedimentErrors('conflicts', () => void g.conflicts());
          const targets: (string | undefined)[][] = [[], ...['shop', 'billing'].flatMap((app) => [[app], [app, 'zero'], [app, '000'], [app, '0002'], [app, '0009']])];
          for (const [app, name] of targets) {
            const planned = onlySedimentErrors(`migrate ${app ?? ''} ${name ?? ''}`, () => {
              const plan = migrationPlan(g, targetsFor(g, app, name));
              for (const step of planStates(g, plan)) void step.stateBefore;
            });
            if (planned) outcomes.planned++;
          }
          onlySedimentErrors('stateAt', () => void stateAt(g, null));
          for (const leaf of g.leafNodes()) onlySedimentErrors(`forwardsPlan ${leaf}`, () => void g.forwardsPlan(leaf));
        } catch (error) {
          throw new Error(`${(error as Error).message}\n${describeInput(migrations, recorded)}`, { cause: error });
        }
      },
    ),
    { numRuns: count(5000, 50000, 'SEDIMENT_RELIABILITY_FUZZ_RUNS'), seed },
  );
  t.diagnostic(`seed ${seed}: ${outcomes.built} graphs built, ${outcomes.refused} refused (${[...reasons].map(([name, n]) => `${name} ${n}`).join(', ')}), ${outcomes.planned} plans made`);
});

test('a chain of 2000 migrations is built and planned without recursion, and a cycle through all of them is named', () => {
  const chain: Migration[] = [];
  for (let i = 1; i <= 2000; i++) {
    const name = `${String(i).padStart(4, '0')}_step`;
    chain.push(toMigration({ app: 'shop', name, dependencies: i > 1 ? [['shop', chain[i - 2].name]] : [], runBefore: [], replaces: [] }, i));
  }
  const graph = buildGraph(chain);
  assert.equal(migrationPlan(graph).length, 2000);
  // A cycle at the far end of the chain is found and named.
  const cyclic = [...chain.slice(1), toMigration({ app: 'shop', name: '0001_step', dependencies: [['shop', '2000_step']], runBefore: [], replaces: [] }, 0)];
  assert.throws(() => buildGraph(cyclic), CircularDependencyError);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildGraph } from '../../src/graph/graph.js';
import type { Migration } from '../../src/graph/migration.js';
import { migrationPlan } from '../../src/graph/planner.js';
import { mig } from './helpers.js';

/**
 * A random DAG: node i may depend on (or, via runBefore, be depended on by) any node j < i, in any of
 * three apps. Edges only ever point from a lower index to a higher one, so there is never a cycle.
 */
const dag = fc.integer({ min: 1, max: 40 }).chain((size) =>
  fc.record({
    apps: fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: size, maxLength: size }),
    edges: fc.array(fc.tuple(fc.nat(size - 1), fc.nat(size - 1), fc.boolean()), { maxLength: size * 3 }),
    target: fc.nat(size - 1),
    seed: fc.nat(),
  }),
);

interface Dag {
  readonly migrations: Migration[];
  /** [parent, child] keys. */
  readonly edges: [string, string][];
  readonly keys: string[];
}

function build({ apps, edges }: { apps: string[]; edges: [number, number, boolean][] }, seed: number): Dag {
  const keys = apps.map((app, i) => `${app}.${String(i).padStart(4, '0')}_n`);
  const deps = keys.map(() => new Set<string>());
  const runBefore = keys.map(() => new Set<string>());
  const pairs: [string, string][] = [];
  for (const [x, y, viaRunBefore] of edges) {
    if (x === y) continue;
    const [parent, child] = x < y ? [x, y] : [y, x];
    if (viaRunBefore) runBefore[parent].add(keys[child]);
    else deps[child].add(keys[parent]);
    pairs.push([keys[parent], keys[child]]);
  }
  const migrations = keys.map((key, i) => mig(key, { deps: [...deps[i]], runBefore: [...runBefore[i]] }));
  // Shuffle deterministically: the input order must not matter.
  const shuffled = migrations.map((m, i) => [((i + 1) * 2654435761 + seed) % 4294967296, m] as const).sort((p, q) => p[0] - q[0]).map(([, m]) => m);
  return { migrations: shuffled, edges: pairs, keys };
}

function ancestors(target: string, edges: readonly [string, string][]): Set<string> {
  const found = new Set([target]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [parent, child] of edges) {
      if (found.has(child) && !found.has(parent)) {
        found.add(parent);
        grew = true;
      }
    }
  }
  return found;
}

test('forwardsPlan holds exactly the ancestors, each once, every dependency before its dependent', () => {
  fc.assert(
    fc.property(dag, ({ apps, edges, target, seed }) => {
      const { migrations, edges: pairs, keys } = build({ apps, edges }, seed);
      const graph = buildGraph(migrations);
      const plan = graph.forwardsPlan(keys[target]);
      assert.equal(new Set(plan).size, plan.length, `duplicates in ${plan.join(' ')}`);
      assert.deepEqual(new Set(plan), ancestors(keys[target], pairs));
      assert.equal(plan[plan.length - 1], keys[target]);
      const at = new Map(plan.map((key, i) => [key, i]));
      for (const [parent, child] of pairs) {
        if (at.has(child)) assert.ok((at.get(parent) as number) < (at.get(child) as number), `${parent} must come before ${child} in ${plan.join(' ')}`);
      }
    }),
    { numRuns: 300 },
  );
});

test('the global order and backwards plans respect every edge, whatever the input order', () => {
  fc.assert(
    fc.property(dag, ({ apps, edges, target, seed }) => {
      const { migrations, edges: pairs, keys } = build({ apps, edges }, seed);
      const graph = buildGraph(migrations);
      const order = graph.order();
      assert.deepEqual(order, buildGraph([...migrations].reverse()).order());
      const at = new Map(order.map((key, i) => [key, i]));
      for (const [parent, child] of pairs) assert.ok((at.get(parent) as number) < (at.get(child) as number));
      const back = graph.backwardsPlan(keys[target]);
      const backAt = new Map(back.map((key, i) => [key, i]));
      assert.equal(back[back.length - 1], keys[target]);
      for (const [parent, child] of pairs) if (backAt.has(parent)) assert.ok((backAt.get(child) as number) < (backAt.get(parent) as number));
    }),
    { numRuns: 300 },
  );
});

test('migrating to every leaf from any consistent history applies exactly the rest, in the global order', () => {
  fc.assert(
    fc.property(dag, ({ apps, edges, target, seed }) => {
      const { migrations, keys } = build({ apps, edges }, seed);
      const applied = buildGraph(migrations).forwardsPlan(keys[target]);
      const graph = buildGraph(migrations, applied);
      graph.checkConsistentHistory();
      const plan = migrationPlan(graph).map((s) => `${s.migration.app}.${s.migration.name}`);
      assert.deepEqual(plan, graph.order().filter((key) => !applied.includes(key)));
    }),
    { numRuns: 200 },
  );
});

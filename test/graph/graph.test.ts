import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGraph } from '../../src/graph/graph.js';
import {
  CircularDependencyError, ConflictError, InconsistentMigrationHistoryError, InvalidDefinitionError, NodeNotFoundError,
} from '../../src/errors/index.js';
import { chain, mig, thrown } from './helpers.js';

describe('building the graph', () => {
  test('a linear history plans forwards oldest first and backwards newest first', () => {
    const graph = buildGraph([mig('shop.0003_c', { deps: ['shop.0002_b'] }), mig('shop.0001_a'), mig('shop.0002_b', { deps: ['shop.0001_a'] })]);
    assert.deepEqual(graph.forwardsPlan('shop.0003_c'), ['shop.0001_a', 'shop.0002_b', 'shop.0003_c']);
    assert.deepEqual(graph.forwardsPlan('shop.0002_b'), ['shop.0001_a', 'shop.0002_b']);
    assert.deepEqual(graph.backwardsPlan('shop.0001_a'), ['shop.0003_c', 'shop.0002_b', 'shop.0001_a']);
    assert.deepEqual(graph.leafNodes(), ['shop.0003_c']);
    assert.deepEqual(graph.rootNodes('shop'), ['shop.0001_a']);
    assert.deepEqual(graph.parents('shop.0002_b'), ['shop.0001_a']);
    assert.deepEqual(graph.children('shop.0002_b'), ['shop.0003_c']);
  });

  test('runBefore makes the other app\'s migration depend on this one', () => {
    const graph = buildGraph([
      mig('shop.0001_initial'),
      mig('shop.0002_computer', { deps: ['shop.0001_initial'] }),
      mig('billing.0001_initial', { runBefore: ['shop.0002_computer'] }),
    ]);
    assert.deepEqual(graph.parents('shop.0002_computer'), ['billing.0001_initial', 'shop.0001_initial']);
    assert.deepEqual(graph.forwardsPlan('shop.0002_computer'), ['billing.0001_initial', 'shop.0001_initial', 'shop.0002_computer']);
  });

  test('ties between independent migrations break by the configured app order, then by name', () => {
    const migrations = [mig('shop.0001_initial'), mig('billing.0001_initial'), mig('billing.0002_more', { deps: ['billing.0001_initial'] })];
    assert.deepEqual(buildGraph(migrations).order(), ['billing.0001_initial', 'billing.0002_more', 'shop.0001_initial']);
    const configured = buildGraph(migrations, [], { apps: ['shop', 'billing'] });
    assert.deepEqual(configured.order(), ['shop.0001_initial', 'billing.0001_initial', 'billing.0002_more']);
    assert.deepEqual(configured.apps, ['shop', 'billing']);
  });

  test('__first__ and __latest__ of another app resolve to its root and its leaf', () => {
    const graph = buildGraph([
      ...chain('shop', 3),
      mig('billing.0001_initial', { deps: ['shop.__first__', 'billing.__first__'] }),
      mig('billing.0002_totals', { deps: ['billing.0001_initial', 'shop.__latest__'] }),
    ]);
    assert.deepEqual(graph.parents('billing.0001_initial'), ['shop.0001_step']);
    assert.deepEqual(graph.parents('billing.0002_totals'), ['billing.0001_initial', 'shop.0003_step']);
  });

  test('__first__ of a project app without migrations is ignored, of an unknown app is an error', () => {
    const migrations = [mig('billing.0001_initial', { deps: ['accounts.__first__'] })];
    assert.deepEqual(buildGraph(migrations, [], { apps: ['accounts', 'billing'] }).parents('billing.0001_initial'), []);
    const error = thrown(NodeNotFoundError, () => buildGraph(migrations, [], { apps: ['billing'] }));
    assert.match(error.message, /billing\.0001_initial depends on accounts\.__first__.*app accounts is not in the project \(apps: billing\)/);
  });

  test('two migrations with the same key are an invalid definition naming both files', () => {
    const error = thrown(InvalidDefinitionError, () => buildGraph([mig('shop.0001_a'), mig('shop.0001_a')]));
    assert.match(error.message, /shop\.0001_a.*0001_a\.ts/);
  });
});

describe('validation', () => {
  test('a cycle is reported with its nodes in dependency order', () => {
    const migrations = [
      mig('shop.0001_initial'),
      mig('shop.0002_computer', { deps: ['shop.0001_initial', 'billing.0001_initial'] }),
      mig('billing.0001_initial', { deps: ['shop.0002_computer'] }),
      mig('billing.0002_unrelated', { deps: ['billing.0001_initial'] }),
    ];
    const error = thrown(CircularDependencyError, () => buildGraph(migrations));
    assert.deepEqual(error.cycle, ['billing.0001_initial', 'shop.0002_computer']);
    assert.match(error.message, /billing\.0001_initial -> shop\.0002_computer -> billing\.0001_initial/);
  });

  test('a migration depending on itself is a cycle of one', () => {
    const error = thrown(CircularDependencyError, () => buildGraph([mig('shop.0001_a', { deps: ['shop.0001_a'] })]));
    assert.deepEqual(error.cycle, ['shop.0001_a']);
  });

  test('a cycle through 3000 migrations is found without overflowing the stack', () => {
    const migrations = chain('shop', 3000, ['shop.3000_step']);
    const error = thrown(CircularDependencyError, () => buildGraph(migrations));
    assert.equal(error.cycle.length, 3000);
    assert.equal(error.cycle[0], 'shop.0001_step');
    assert.equal(error.cycle[1], 'shop.3000_step');
  });

  test('a dependency on a missing migration names the dependent, the missing node and the nearest parent', () => {
    const error = thrown(NodeNotFoundError, () => buildGraph([
      mig('shop.0001_initial'),
      mig('shop.0002_client', { deps: ['shop.0001_initial'] }),
      mig('shop.0004_computer', { deps: ['shop.0002_client'] }),
      mig('billing.0001_initial', { deps: ['shop.0003_gone'] }),
    ]));
    assert.equal(error.origin, 'billing.0001_initial');
    assert.equal(error.missing, 'shop.0003_gone');
    assert.match(error.message, /Migration billing\.0001_initial depends on shop\.0003_gone, which does not exist; the nearest existing migration of shop before it is shop\.0002_client/);
    assert.match(error.hint ?? '', /change the dependency in billing\.0001_initial to \['shop', '0002_client'\]/i);
  });

  test('a missing name that sorts before every migration of the app points at the app\'s leaf', () => {
    const error = thrown(NodeNotFoundError, () => buildGraph([...chain('shop', 2), mig('billing.0001_initial', { deps: ['shop.0000_gone'] })]));
    assert.match(error.message, /the latest migration of shop is shop\.0002_step/);
  });

  test('a dependency on an app without migrations says so', () => {
    const error = thrown(NodeNotFoundError, () => buildGraph([mig('billing.0001_initial', { deps: ['accounts.0001_initial'] })], [], { apps: ['accounts', 'billing'] }));
    assert.match(error.message, /app accounts has no migrations/);
    assert.match(error.hint ?? '', /makemigrations accounts/);
  });

  test('a runBefore on a missing migration is reported as such', () => {
    const error = thrown(NodeNotFoundError, () => buildGraph([mig('shop.0001_initial'), mig('billing.0001_initial', { runBefore: ['shop.0009_nope'] })]));
    assert.match(error.message, /billing\.0001_initial must run before \(runBefore\) shop\.0009_nope/);
  });

  test('two leaves in one app are a conflict', () => {
    const graph = buildGraph([
      mig('shop.0001_initial'),
      mig('shop.0002_b', { deps: ['shop.0001_initial'] }),
      mig('shop.0002_a', { deps: ['shop.0001_initial'] }),
      mig('billing.0001_initial'),
    ]);
    assert.deepEqual(graph.conflicts(), { shop: ['0002_a', '0002_b'] });
    assert.match(new ConflictError(graph.conflicts()).message, /shop: 0002_a, 0002_b/);
  });

  test('a merge migration resolves the conflict', () => {
    const graph = buildGraph([
      mig('shop.0001_initial'),
      mig('shop.0002_a', { deps: ['shop.0001_initial'] }),
      mig('shop.0002_b', { deps: ['shop.0001_initial'] }),
      mig('shop.0003_merge', { deps: ['shop.0002_a', 'shop.0002_b'] }),
    ]);
    assert.deepEqual(graph.conflicts(), {});
  });

  test('an applied migration with an unapplied dependency is an inconsistent history', () => {
    const graph = buildGraph(chain('shop', 3), ['shop.0001_step', 'shop.0003_step']);
    assert.deepEqual(graph.inconsistencies(), [{ migration: 'shop.0003_step', dependency: 'shop.0002_step' }]);
    const error = thrown(InconsistentMigrationHistoryError, () => graph.checkConsistentHistory());
    assert.match(error.message, /Migration shop\.0003_step is applied before its dependency shop\.0002_step/);
  });

  test('a consistent history passes, whatever the recorded rows of unknown migrations', () => {
    const graph = buildGraph(chain('shop', 3), ['shop.0001_step', 'shop.0002_step', 'gone.0001_initial']);
    graph.checkConsistentHistory();
  });
});

describe('squashed migrations (replaces)', () => {
  const replaced = ['shop.0001_initial', 'shop.0002_client', 'shop.0003_computer'];
  const project = () => [
    mig('shop.0001_initial'),
    mig('shop.0002_client', { deps: ['shop.0001_initial'] }),
    mig('shop.0003_computer', { deps: ['shop.0002_client', 'accounts.0001_initial'] }),
    mig('shop.0001_squashed_0003', { replaces: replaced }),
    mig('shop.0004_after', { deps: ['shop.0003_computer'] }),
    mig('billing.0001_initial', { deps: ['shop.0002_client'] }),
    mig('accounts.0001_initial'),
  ];

  test('with none applied the squash stands in, and dependencies on replaced migrations point at it', () => {
    const graph = buildGraph(project());
    for (const key of replaced) assert.equal(graph.has(key), false, key);
    assert.deepEqual(graph.parents('billing.0001_initial'), ['shop.0001_squashed_0003']);
    assert.deepEqual(graph.parents('shop.0004_after'), ['shop.0001_squashed_0003']);
    // The squash inherits what the replaced migrations depended on outside themselves.
    assert.deepEqual(graph.parents('shop.0001_squashed_0003'), ['accounts.0001_initial']);
    assert.equal(graph.squashes[0].outcome, 'stands-in');
    assert.equal(graph.isApplied('shop.0001_squashed_0003'), false);
  });

  test('with all applied the squash stands in and counts as applied', () => {
    const graph = buildGraph(project(), ['accounts.0001_initial', ...replaced]);
    assert.equal(graph.has('shop.0002_client'), false);
    assert.equal(graph.isApplied('shop.0001_squashed_0003'), true);
    assert.deepEqual(graph.unrecordedSquashes(), ['shop.0001_squashed_0003']);
    graph.checkConsistentHistory();
  });

  test('with some applied the replaced migrations are used and the squash is left out', () => {
    const graph = buildGraph(project(), ['accounts.0001_initial', 'shop.0001_initial']);
    assert.equal(graph.has('shop.0001_squashed_0003'), false);
    for (const key of replaced) assert.equal(graph.has(key), true, key);
    assert.deepEqual(graph.parents('billing.0001_initial'), ['shop.0002_client']);
    assert.equal(graph.squashes[0].outcome, 'partially-applied');
    assert.equal(graph.isApplied('shop.0001_initial'), true);
  });

  test('with some applied, a dependency on the squash points at the latest replaced migration', () => {
    const migrations = [...project(), mig('billing.0002_later', { deps: ['shop.0001_squashed_0003'] })];
    const graph = buildGraph(migrations, ['shop.0001_initial']);
    assert.deepEqual(graph.parents('billing.0002_later'), ['shop.0003_computer']);
  });

  test('a recorded squash counts its replaced migrations as applied', () => {
    const graph = buildGraph(project(), ['accounts.0001_initial', 'shop.0001_squashed_0003']);
    assert.equal(graph.squashes[0].outcome, 'stands-in');
    assert.equal(graph.isApplied('shop.0001_squashed_0003'), true);
    assert.deepEqual(graph.unrecordedSquashes(), []);
  });

  test('after the replaced files are deleted the squash alone carries the history', () => {
    const migrations = project().filter((m) => !replaced.includes(`${m.app}.${m.name}`));
    const graph = buildGraph(migrations, []);
    assert.deepEqual(graph.forwardsPlan('billing.0001_initial'), ['shop.0001_squashed_0003', 'billing.0001_initial']);
  });

  test('deleted replaced files with a partly applied squash explain why the squash cannot stand in', () => {
    const migrations = project().filter((m) => m.name !== '0002_client');
    const error = thrown(NodeNotFoundError, () => buildGraph(migrations, ['shop.0001_initial']));
    assert.match(error.message, /depends on shop\.0002_client, which does not exist\. It was squashed into shop\.0001_squashed_0003.*only some of the migrations it replaces are applied \(applied: shop\.0001_initial; not applied: shop\.0002_client, shop\.0003_computer\)/);
  });

  test('an applied replaced migration whose squash is applied is not an inconsistency', () => {
    const graph = buildGraph(project(), ['accounts.0001_initial', ...replaced, 'billing.0001_initial']);
    assert.deepEqual(graph.inconsistencies(), []);
  });

  test('without replacements every squash is left out', () => {
    const graph = buildGraph(project(), ['accounts.0001_initial', ...replaced]).withoutReplacements();
    assert.equal(graph.has('shop.0001_squashed_0003'), false);
    assert.equal(graph.isApplied('shop.0003_computer'), true);
    assert.equal(graph.squashes[0].outcome, 'disabled');
  });
});

describe('size', () => {
  test('3000 migrations across three apps build and plan', () => {
    const migrations = [...chain('a', 1000), ...chain('b', 1000), ...chain('c', 1000)];
    // Every tenth migration of b depends on the matching one of a; c's on b's.
    const linked = migrations.map((m) => {
      const n = Number(m.name.slice(0, 4));
      if (m.app === 'a' || n % 10 !== 0) return m;
      const other = m.app === 'b' ? 'a' : 'b';
      return { ...m, dependencies: [...m.dependencies, [other, m.name] as const] };
    });
    const graph = buildGraph(linked.reverse(), ['a.0001_step']);
    assert.equal(graph.size, 3000);
    const plan = graph.forwardsPlan('c.1000_step');
    assert.equal(plan.length, 1000 + 1000 + 1000);
    assert.equal(plan[plan.length - 1], 'c.1000_step');
    // b.0010 is the first of b to depend on a; c.0010 the first of c to depend on b.
    assert.equal(graph.backwardsPlan('a.0001_step').length, 1000 + 991 + 991);
    assert.deepEqual(graph.leafNodes(), ['a.1000_step', 'b.1000_step', 'c.1000_step']);
  });
});

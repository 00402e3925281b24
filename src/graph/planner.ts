import type { ErrorDetails } from '../errors/index.js';
import { AmbiguityError, IrreversibleError, NodeNotFoundError, SedimentError } from '../errors/index.js';
import { describe, isReversible } from '../operations/registry.js';
import type { MigrationGraph } from './graph.js';
import type { Migration, NodeKey } from './migration.js';
import { nodeKey } from './migration.js';
import { compareKeys } from './replacements.js';

/** `[app, name]`: migrate to that migration; `[app, null]`: unapply the whole app ("zero"). */
export type MigrateTarget = readonly [app: string, name: string | null];

/** One migration to apply (`backwards: false`) or unapply (`backwards: true`). */
export interface PlanStep {
  readonly migration: Migration;
  readonly backwards: boolean;
}

/** A set of targets that would need migrations applied and unapplied in one run (Django refuses too). */
export class InvalidMigrationPlanError extends SedimentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('InvalidPlan', message, details);
  }
}

/**
 * `migrate app name`: the target for a name, a unique prefix of one (`0002` -> `0002_client_bought`),
 * or `zero`. An exact name wins over prefixes. Looks at every loaded migration of the app, including
 * ones a squash replaced (migrationPlan handles those).
 */
export function resolveTarget(graph: MigrationGraph, app: string, nameOrPrefix: string): MigrateTarget {
  const names = graph.allMigrations().filter((m) => m.app === app).map((m) => m.name).sort(compareKeys);
  if (names.length === 0) throw appWithoutMigrations(graph, app, nameOrPrefix);
  if (nameOrPrefix === 'zero') return [app, null];
  if (names.includes(nameOrPrefix)) return [app, nameOrPrefix];
  const matches = names.filter((name) => name.startsWith(nameOrPrefix));
  if (matches.length === 1) return [app, matches[0]];
  if (matches.length > 1) {
    throw new AmbiguityError(`More than one migration of ${app} starts with '${nameOrPrefix}': ${matches.join(', ')}.`, {
      hint: `Give more of the name, e.g. 'sediment migrate ${app} ${matches[0]}'.`,
    });
  }
  throw new NodeNotFoundError('', nodeKey(app, nameOrPrefix), `No migration of ${app} is named or starts with '${nameOrPrefix}'; ${app} has ${listNames(names)}.`, {
    hint: `Use one of those names (or a prefix of one), or 'zero' to unapply all of ${app}.`,
  });
}

/**
 * The targets of `migrate [app [name|zero]]`: no app — every leaf of every app; an app — its leaves;
 * an app and a name — resolveTarget.
 */
export function targetsFor(graph: MigrationGraph, app?: string, nameOrPrefix?: string): MigrateTarget[] {
  if (app === undefined) return graph.leafNodes().map(toTarget(graph));
  if (nameOrPrefix !== undefined) return [resolveTarget(graph, app, nameOrPrefix)];
  const leaves = graph.leafNodes(app);
  if (leaves.length === 0) throw appWithoutMigrations(graph, app);
  return leaves.map(toTarget(graph));
}

/**
 * What `migrate` would do, with Django's semantics, targets taken in order:
 * - `[app, name]` not applied: apply it and every unapplied ancestor;
 * - `[app, name]` applied: unapply, dependents first, every applied descendant of its children in the
 *   same app (so dependencies in other apps stay applied);
 * - `[app, null]`: unapply every applied migration of the app and every applied dependent;
 * - no targets: every leaf of every app.
 * Forwards plans come out in plan order, backwards ones in reverse plan order. A target set that needs
 * both directions throws InvalidMigrationPlanError. `applied` defaults to the graph's applied nodes;
 * pass an empty set for a plan from scratch. A target that a squash replaced is planned on
 * `graph.withoutReplacements()` (the steps then hold the replaced migrations; planStates copes).
 *
 * @example
 * const plan = migrationPlan(graph, targetsFor(graph, 'shop', '0002'));  // `migrate shop 0002`
 * checkReversible(plan);                                                // before anything runs
 * for (const step of planStates(graph, plan)) await run(step);          // step.stateBefore / stateAfter
 */
export function migrationPlan(graph: MigrationGraph, targets: readonly MigrateTarget[] = [], applied?: Iterable<NodeKey>): PlanStep[] {
  const wanted = targets.length > 0 ? targets : graph.leafNodes().map(toTarget(graph));
  const replacedTarget = wanted.some(([app, name]) => name !== null && !graph.has(nodeKey(app, name)) && graph.findLoaded(nodeKey(app, name)));
  const g = replacedTarget ? graph.withoutReplacements() : graph;
  const done = new Set(applied ?? g.applied());
  const forwards = new Set<NodeKey>();
  const backwards = new Set<NodeKey>();
  const unapply = (keys: readonly NodeKey[]) => {
    for (const key of keys) {
      if (!done.has(key)) continue;
      backwards.add(key);
      done.delete(key);
    }
  };
  for (const [app, name] of wanted) {
    if (name === null) {
      const roots = g.rootNodes(app);
      if (roots.length === 0) throw appWithoutMigrations(g, app, 'zero');
      unapply(g.backwardsPlan(roots));
      continue;
    }
    const key = nodeKey(app, name);
    if (done.has(key)) {
      // Not back to the target itself: through its children in the same app, and no further, so that
      // migrations of other apps it depends on stay applied.
      const next = g.children(key).filter((child) => g.migration(child).app === app);
      if (next.length > 0) unapply(g.backwardsPlan(next));
      continue;
    }
    for (const ancestor of g.forwardsPlan(key)) {
      if (done.has(ancestor)) continue;
      forwards.add(ancestor);
      done.add(ancestor);
    }
  }
  if (forwards.size > 0 && backwards.size > 0) throw mixedPlan(g, forwards, backwards);
  const step = (backwardsStep: boolean) => (key: NodeKey): PlanStep => ({ migration: g.migration(key), backwards: backwardsStep });
  return forwards.size > 0 ? g.inPlanOrder(forwards, 1).map(step(false)) : g.inPlanOrder(backwards, -1).map(step(true));
}

/**
 * Throws IrreversibleError for the first operation in the plan that cannot be unapplied, before
 * anything runs. (Django unapplies the later migrations first and fails halfway; here the database is
 * never touched.) Within a migration, operations are checked in file order, as Django does.
 */
export function checkReversible(plan: readonly PlanStep[]): void {
  let before = 0;
  for (const { migration, backwards } of plan) {
    if (!backwards) continue;
    const index = migration.operations.findIndex((op) => !isReversible(op));
    if (index === -1) {
      before++;
      continue;
    }
    const op = migration.operations[index];
    const id = nodeKey(migration.app, migration.name);
    const fix = op.kind === 'runCode'
      ? 'Give the runCode a reverse (ops.noop if there is nothing to undo)'
      : op.kind === 'runSql'
        ? 'Give the runSql a reverseSql (ops.noop if there is nothing to undo)'
        : 'Make the operation reversible';
    throw new IrreversibleError(
      `Cannot unapply ${id}: operation ${index + 1} of ${migration.operations.length} (${describe(op)}) is not reversible.` +
        (before > 0 ? ` ${before} migration(s) earlier in the plan would have been unapplied first.` : ''),
      {
        hint: `${fix} in ${migration.file}, or migrate back only as far as 'sediment migrate ${migration.app} ${migration.name}', which keeps it applied.`,
        databaseState: 'unchanged: the plan was checked before anything ran.',
      },
    );
  }
}

/** 'forwards', 'backwards', or 'none' for an empty plan. */
export function planDirection(plan: readonly PlanStep[]): 'forwards' | 'backwards' | 'none' {
  return plan.length === 0 ? 'none' : plan[0].backwards ? 'backwards' : 'forwards';
}

const toTarget = (graph: MigrationGraph) => (key: NodeKey): MigrateTarget => {
  const { app, name } = graph.migration(key);
  return [app, name];
};

function appWithoutMigrations(graph: MigrationGraph, app: string, name = '__latest__'): NodeNotFoundError {
  const known = graph.apps.includes(app);
  return new NodeNotFoundError('', nodeKey(app, name), known
    ? `App ${app} has no migrations.`
    : `App ${app} is not in the project and has no migrations (apps: ${graph.apps.join(', ') || 'none'}).`, {
    hint: known ? `Run 'sediment makemigrations ${app}' to create its first migration.` : 'Check the app label against the apps in sediment.config.ts.',
  });
}

function listNames(names: readonly string[]): string {
  if (names.length <= 12) return names.join(', ');
  return `${names.slice(0, 3).join(', ')}, … (${names.length - 9} more), ${names.slice(-6).join(', ')}`;
}

function mixedPlan(graph: MigrationGraph, forwards: ReadonlySet<NodeKey>, backwards: ReadonlySet<NodeKey>): InvalidMigrationPlanError {
  const sample = (keys: ReadonlySet<NodeKey>, direction: 1 | -1) => {
    const sorted = graph.inPlanOrder(keys, direction);
    return sorted.length > 5 ? `${sorted.slice(0, 5).join(', ')}, … (${sorted.length} in all)` : sorted.join(', ');
  };
  return new InvalidMigrationPlanError(
    `These targets need migrations applied (${sample(forwards, 1)}) and unapplied (${sample(backwards, -1)}) in one run; a plan goes one way only.`,
    { hint: 'Run migrate once per direction: first the targets that go back, then the ones that go forward.', databaseState: 'unchanged: nothing ran.' },
  );
}

import type { Operation } from '../operations/types.js';
import { stateForwards } from '../operations/registry.js';
import { ProjectState } from '../state/project-state.js';
import type { MigrationGraph } from './graph.js';
import type { Migration, NodeKey } from './migration.js';
import { nodeKey } from './migration.js';
import type { PlanStep } from './planner.js';
import { InvalidMigrationPlanError } from './planner.js';

export interface StateAtOptions {
  /** false: the state just before the target(s), without their own operations (Django's `at_end`). Default true. */
  readonly atEnd?: boolean;
  /** The state to start from; default empty. */
  readonly base?: ProjectState;
}

/**
 * The project state after everything in `forwardsPlan(target)` — or after every node, for `null` —
 * replayed in plan order. Linear in the number of operations (states share untouched models).
 */
export function stateAt(graph: MigrationGraph, target: NodeKey | readonly NodeKey[] | null, options: StateAtOptions = {}): ProjectState {
  const keys = target === null ? graph.order() : graph.forwardsPlan(target);
  const skip = new Set(options.atEnd === false && target !== null ? (typeof target === 'string' ? [target] : target) : []);
  let state = options.base ?? ProjectState.empty();
  for (const key of keys) if (!skip.has(key)) state = applyMigration(state, graph.migration(key));
  return state;
}

/** The state after one migration's operations. */
export function applyMigration(state: ProjectState, migration: Migration): ProjectState {
  let next = state;
  for (const op of migration.operations) next = stateForwards(next, migration.app, op);
  return next;
}

export interface OperationStates {
  readonly index: number;
  readonly operation: Operation;
  /** The state just before the operation, and just after it. */
  readonly before: ProjectState;
  readonly after: ProjectState;
}

/** Each operation of a migration with the states around it, from the state before the migration. */
export function* operationStates(before: ProjectState, migration: Migration): Generator<OperationStates> {
  let state = before;
  for (let index = 0; index < migration.operations.length; index++) {
    const operation = migration.operations[index];
    const after = stateForwards(state, migration.app, operation);
    yield { index, operation, before: state, after };
    state = after;
  }
}

/**
 * A plan step with the states around its migration. `stateBefore` is the state without the migration,
 * `stateAfter` with it, whatever the direction: applying goes stateBefore -> stateAfter, unapplying
 * stateAfter -> stateBefore. (Assignable to the executor's step, which needs `stateBefore`.)
 */
export interface PlanStepWithStates extends PlanStep {
  readonly stateBefore: ProjectState;
  readonly stateAfter: ProjectState;
}

export interface PlanStatesOptions {
  /** The applied nodes the plan was made with (migrationPlan's `applied`); default the graph's. */
  readonly applied?: Iterable<NodeKey>;
  readonly base?: ProjectState;
}

/**
 * The states around every migration of a plan, in one replay, as Django's executor computes them:
 * - forwards: start from the state of every applied migration (in plan order), then each step builds
 *   on the previous one;
 * - backwards: replay the applied migrations that stay applied, then put the ones to unapply back on
 *   top in plan order, noting the state without and with each.
 * Yields in the plan's order. The graph is the one the plan was made on, or the one it was made from
 * (a plan to a migration a squash replaced is then read on `graph.withoutReplacements()`).
 */
export function* planStates(graph: MigrationGraph, plan: readonly PlanStep[], options: PlanStatesOptions = {}): Generator<PlanStepWithStates> {
  if (plan.length === 0) return;
  const keys = plan.map((step) => nodeKey(step.migration.app, step.migration.name));
  const g = keys.every((key) => graph.has(key)) ? graph : graph.withoutReplacements();
  const backwards = plan[0].backwards;
  if (plan.some((step) => step.backwards !== backwards)) {
    throw new InvalidMigrationPlanError('A plan mixes migrations to apply and to unapply; a plan goes one way only.');
  }
  const applied = [...(options.applied ?? g.applied())].filter((key) => g.has(key));
  let state = options.base ?? ProjectState.empty();
  if (!backwards) {
    const planned = new Set(keys);
    for (const key of g.inPlanOrder(applied)) if (!planned.has(key)) state = applyMigration(state, g.migration(key));
    for (const step of plan) {
      const stateAfter = applyMigration(state, step.migration);
      yield { ...step, stateBefore: state, stateAfter };
      state = stateAfter;
    }
    return;
  }
  // Unapplying a migration leaves every applied migration that stays applied in the database, also the
  // ones later in plan order (another app's, which do not depend on it): the state without it is the
  // replay of everything that stays, and each migration to unapply goes back on top of that, earliest
  // first. (Replaying only what comes before it in plan order lost those models: reversing a primary key
  // type change then left the foreign keys of a later app at the new type — found by the reliability
  // round trip.) They commute: what stays applied depends on nothing that is unapplied.
  const around = new Map<NodeKey, { stateBefore: ProjectState; stateAfter: ProjectState }>();
  const wanted = new Set(keys);
  for (const key of g.inPlanOrder(applied)) if (!wanted.has(key)) state = applyMigration(state, g.migration(key));
  for (const key of g.inPlanOrder(keys)) {
    const stateAfter = applyMigration(state, g.migration(key));
    around.set(key, { stateBefore: state, stateAfter });
    state = stateAfter;
  }
  for (let i = 0; i < plan.length; i++) yield { ...plan[i], ...(around.get(keys[i]) as { stateBefore: ProjectState; stateAfter: ProjectState }) };
}

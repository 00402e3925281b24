import type { ProjectState } from '../state/project-state.js';
import type { DatabaseContext, OperationSpec } from './spec.js';
import { barrier, replaceWith } from './spec.js';
import { isNoop } from './ops.js';
import type { Noop, Operation } from './types.js';

/** State and database hooks bound by the registry (late, to avoid an import cycle). */
interface Dispatch {
  stateForwards(state: ProjectState, app: string, op: Operation): ProjectState;
  databaseForwards(ctx: DatabaseContext, op: Operation): Promise<void>;
  databaseBackwards(ctx: DatabaseContext, op: Operation): Promise<void>;
  reversible(op: Operation): boolean;
}
let dispatch: Dispatch;
export function bindDispatch(value: Dispatch): void {
  dispatch = value;
}

function statements(sql: string | readonly string[] | Noop): readonly string[] {
  if (isNoop(sql)) return [];
  return typeof sql === 'string' ? [sql] : sql;
}

/** Elidable data operations give way when squashing; other data operations are barriers. */
function dataReduce(op: { elidable?: boolean }, other: Operation) {
  if (op.elidable) return replaceWith(other);
  if ((other.kind === 'runSql' || other.kind === 'runCode') && other.elidable) return replaceWith(op as Operation);
  return barrier;
}

export const runSql: OperationSpec<'runSql'> = {
  stateForwards: (state, app, op) =>
    (op.stateOperations ?? []).reduce((s, inner) => dispatch.stateForwards(s, app, inner), state),
  async databaseForwards(ctx, op) {
    for (const sql of statements(op.sql)) await ctx.editor.execute(sql);
  },
  async databaseBackwards(ctx, op) {
    for (const sql of statements(op.reverseSql ?? [])) await ctx.editor.execute(sql);
  },
  reversible: (op) => op.reverseSql !== undefined,
  describe: () => 'Raw SQL operation',
  nameFragment: () => 'run_sql',
  // Raw SQL may touch anything.
  referencesModel: () => true,
  referencesField: () => true,
  reduce: (op, other) => dataReduce(op, other),
  elidable: (op) => op.elidable === true,
};

export const runCode: OperationSpec<'runCode'> = {
  stateForwards: (state) => state,
  async databaseForwards(ctx, op) {
    await ctx.runCode(op.forward, ctx.from, { atomic: op.atomic ?? true });
  },
  async databaseBackwards(ctx, op) {
    if (op.reverse && !isNoop(op.reverse)) await ctx.runCode(op.reverse, ctx.from, { atomic: op.atomic ?? true });
  },
  reversible: (op) => op.reverse !== undefined,
  describe: (op) => `Run code${op.forward.name ? ` ${op.forward.name}` : ''}`,
  nameFragment: () => 'run_code',
  referencesModel: () => true,
  referencesField: () => true,
  reduce: (op, other) => dataReduce(op, other),
  elidable: (op) => op.elidable === true,
};

export const separateDatabaseAndState: OperationSpec<'separateDatabaseAndState'> = {
  stateForwards: (state, app, op) => op.state.reduce((s, inner) => dispatch.stateForwards(s, app, inner), state),
  async databaseForwards(ctx, op) {
    let from = ctx.from;
    for (const inner of op.database) {
      const to = dispatch.stateForwards(from, ctx.app, inner);
      await dispatch.databaseForwards({ ...ctx, from, to }, inner);
      from = to;
    }
  },
  async databaseBackwards(ctx, op) {
    // Each inner operation is reversed against the states it was applied between, last first.
    const states: ProjectState[] = [ctx.from];
    for (const inner of op.database) states.push(dispatch.stateForwards(states[states.length - 1], ctx.app, inner));
    for (let i = op.database.length - 1; i >= 0; i--) {
      await dispatch.databaseBackwards({ ...ctx, from: states[i], to: states[i + 1] }, op.database[i]);
    }
  },
  reversible: (op) => op.database.every((inner) => dispatch.reversible(inner)),
  describe: () => 'Custom state/database change combination',
  nameFragment: () => 'separate_database_and_state',
  referencesModel: () => true,
  referencesField: () => true,
  reduce: () => barrier,
};

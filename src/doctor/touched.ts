import type { Migration } from '../graph/migration.js';
import type { Operation } from '../operations/types.js';
import type { Naming } from '../state/names.js';
import type { ModelState, ProjectState } from '../state/project-state.js';

/** Which tables migrations change, from the states around them (no database needed). */

/** True if the migration runs SQL or code: faking it would skip whatever that does to the rows. */
export function runsCode(operations: readonly Operation[]): boolean {
  return operations.some((op) =>
    op.kind === 'runSql' || op.kind === 'runCode' || (op.kind === 'separateDatabaseAndState' && runsCode(op.database)),
  );
}

/**
 * Tables whose expected schema may differ between two states: those of models that changed (states
 * share unchanged models, so identity tells), appeared or disappeared, and of the models that relate
 * to a changed one (a foreign key's column follows the type of the key it references).
 */
export function touchedTables(before: ProjectState, after: ProjectState, naming: Naming): Set<string> {
  const changed: ModelState[] = [];
  for (const model of after.models()) if (before.find(model.app, model.name) !== model) changed.push(model);
  for (const model of before.models()) if (after.find(model.app, model.name) !== model) changed.push(model);
  const tables = new Set<string>();
  const addModel = (model: ModelState) => {
    tables.add(naming.table(model));
    for (const [name, field] of model.fields) {
      if (field.kind === 'manyToMany' && field.through === undefined) tables.add(naming.joinTable(model, name, field.dbTable));
    }
  };
  for (const model of changed) {
    addModel(model);
    for (const state of [before, after]) {
      if (!state.find(model.app, model.name)) continue;
      for (const [related] of state.relationsTo(model.app, model.name)) addModel(related);
    }
  }
  return tables;
}

/** A step of a run: the migration and the states around it (graph/state-at.ts planStates gives these). */
export interface TouchingStep {
  readonly migration: Migration;
  readonly stateBefore: ProjectState;
  readonly stateAfter: ProjectState;
}

/**
 * The tables a run changed, or 'all' when a migration ran SQL or code (which may write to any table —
 * a data migration inserting rows with explicit keys is exactly how a sequence falls behind).
 */
export function tablesTouchedBy(steps: readonly TouchingStep[], naming: Naming): Set<string> | 'all' {
  const tables = new Set<string>();
  for (const step of steps) {
    if (runsCode(step.migration.operations)) return 'all';
    for (const table of touchedTables(step.stateBefore, step.stateAfter, naming)) tables.add(table);
  }
  return tables;
}

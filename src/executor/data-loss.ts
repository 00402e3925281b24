import type { Field } from '../model/fields.js';
import type { Migration } from '../graph/migration.js';
import { nodeKey } from '../graph/migration.js';
import { describe } from '../operations/registry.js';
import type { Operation } from '../operations/types.js';
import { stateForwards } from '../operations/registry.js';
import type { Naming } from '../state/names.js';
import { getField, type ModelState, type ProjectState } from '../state/project-state.js';

/**
 * What a run of migrations destroys, found from the states around each operation (no database
 * needed): tables dropped (a model deleted, or its creation undone) and columns dropped (a field
 * removed, or its addition undone). Prisma and Atlas say this before they drop anything; Django does
 * not, and a `migrate app zero` that empties a table of 1,000 rows went unannounced (trust findings,
 * finding 11). The CLI adds row counts when it is connected and asks on a TTY.
 */
export interface DataLoss {
  /** `shop.0003_remove_item_code` */
  readonly migration: string;
  readonly backwards: boolean;
  /** The operation's one-line description, as migrate prints it ("Undo Create model Item"). */
  readonly operation: string;
  readonly table: string;
  /** The column dropped; undefined when the whole table is. */
  readonly column?: string;
}

/** A step of a plan with the state before its migration (graph/state-at.ts planStates gives these). */
export interface LossStep {
  readonly migration: Pick<Migration, 'app' | 'name' | 'operations'>;
  readonly backwards: boolean;
  readonly stateBefore: ProjectState;
}

export function dataLossOf(steps: readonly LossStep[], naming: Naming): DataLoss[] {
  const losses: DataLoss[] = [];
  for (const step of steps) {
    const { migration } = step;
    const states: ProjectState[] = [step.stateBefore];
    for (const op of migration.operations) states.push(stateForwards(states[states.length - 1], migration.app, op));
    migration.operations.forEach((op, i) => {
      // Forwards an operation drops what exists before it; backwards, what exists after it.
      const dropped = droppedBy(op, migration.app, step.backwards ? states[i + 1] : states[i], step.backwards, naming);
      const operation = `${step.backwards ? 'Undo ' : ''}${describe(op)}`;
      for (const target of dropped) {
        losses.push({ migration: nodeKey(migration.app, migration.name), backwards: step.backwards, operation, ...target });
      }
    });
  }
  return losses;
}

interface Dropped {
  readonly table: string;
  readonly column?: string;
}

function droppedBy(op: Operation, app: string, state: ProjectState, backwards: boolean, naming: Naming): Dropped[] {
  switch (op.kind) {
    case 'deleteModel':
      return backwards ? [] : tablesOf(state.find(app, op.name), naming);
    case 'createModel':
      return backwards ? tablesOf(state.find(app, op.name), naming) : [];
    case 'removeField':
      return backwards ? [] : fieldStorage(state.find(app, op.model), op.name, naming);
    case 'addField':
      return backwards ? fieldStorage(state.find(app, op.model), op.name, naming) : [];
    case 'separateDatabaseAndState':
      // Its database operations run against the state as it stands; a good enough view for a warning.
      return op.database.flatMap((inner) => droppedBy(inner, app, state, backwards, naming));
    default:
      return [];
  }
}

/** The table of a managed model and its automatic many-to-many join tables. */
function tablesOf(model: ModelState | undefined, naming: Naming): Dropped[] {
  if (!model || model.options.managed === false) return [];
  const tables: Dropped[] = [{ table: naming.table(model) }];
  for (const [name, field] of model.fields) {
    if (field.kind === 'manyToMany' && field.through === undefined) tables.push({ table: naming.joinTable(model, name, field.dbTable) });
  }
  return tables;
}

/** Where a field's data lives: its column, or an automatic join table for a many-to-many. */
function fieldStorage(model: ModelState | undefined, name: string, naming: Naming): Dropped[] {
  if (!model || model.options.managed === false) return [];
  const field: Field | undefined = getField(model, name);
  if (!field) return [];
  if (field.kind === 'manyToMany') return field.through === undefined ? [{ table: naming.joinTable(model, name, field.dbTable) }] : [];
  return [{ table: naming.table(model), column: naming.column(name, field) }];
}

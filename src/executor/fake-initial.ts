import type { Migration } from '../graph/migration.js';
import { hasColumn } from '../model/fields.js';
import { stateForwards } from '../operations/registry.js';
import type { Naming } from '../state/names.js';
import type { ProjectState } from '../state/project-state.js';

/**
 * Every table and column an initial migration creates (createModel and addField on managed models),
 * as table -> columns. Used by --fake-initial to check that ALL of them exist before faking.
 */
export function createdColumns(migration: Migration, before: ProjectState, naming: Naming): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  let state = before;
  const add = (table: string, column?: string) => {
    const columns = out.get(table) ?? new Set<string>();
    if (column) columns.add(column);
    out.set(table, columns);
  };
  for (const op of migration.operations) {
    const next = stateForwards(state, migration.app, op);
    if (op.kind === 'createModel' || op.kind === 'addField') {
      const name = op.kind === 'createModel' ? op.name : op.model;
      const model = next.get(migration.app, name);
      if (model.options.managed !== false) {
        const fields = op.kind === 'createModel' ? model.fields : model.fields.filter(([n]) => n === op.name);
        add(naming.table(model));
        for (const [fieldName, field] of fields) {
          if (hasColumn(field)) add(naming.table(model), naming.column(fieldName, field));
          else if (field.kind === 'manyToMany' && !field.through) add(naming.joinTable(model, fieldName, field.dbTable));
        }
      }
    }
    state = next;
  }
  return out;
}

import type { Connection } from '../backends/base/connection.js';
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

/**
 * --fake-initial: an initial migration whose every table and column already exists may be recorded
 * without running. Checks every createModel and addField of the migration, not just the first table
 * (Django checks less and fakes migrations whose later tables are missing). `missing` says what
 * stopped the fake, for the error message if running it then fails.
 */
export async function checkInitialApplied(
  migration: Migration,
  before: ProjectState,
  naming: Naming,
  connection: Connection,
): Promise<{ applied: boolean; missing?: string }> {
  const expected = createdColumns(migration, before, naming);
  if (expected.size === 0) return { applied: false, missing: 'it creates no table' };
  const present = await connection.backend.existingColumns(connection, [...expected.keys()]);
  for (const [table, columns] of expected) {
    const found = present.get(table);
    if (!found) return { applied: false, missing: `the table ${table} does not exist` };
    for (const column of columns) {
      if (!found.has(column)) return { applied: false, missing: `the column ${table}.${column} does not exist` };
    }
  }
  return { applied: true };
}

import { postgresPlan } from '../backends/postgres/dialect.js';
import { joinModel, planSchema, tablePlan } from '../schema/table-plan.js';
import type { DatabaseSchema, TableSchema } from '../schema/types.js';
import type { Naming } from '../state/names.js';
import type { ModelState, ProjectState } from '../state/project-state.js';

/**
 * The expected schema of some tables only, as `expectedSchema()` would give them: replaying a long
 * history and asking "what did this table look like after each migration" must not plan every table
 * of the project after every migration.
 */
export class TableSchemas {
  /** Table names by model state: states share unchanged models, so most look-ups hit. */
  private readonly tableNames = new WeakMap<ModelState, string>();

  constructor(private readonly naming: Naming) {}

  /** The expected schemas of `tables` (those that exist in `state`), by table name. */
  of(state: ProjectState, tables: ReadonlySet<string>): Map<string, TableSchema> {
    const out = new Map<string, TableSchema>();
    if (tables.size === 0) return out;
    for (const model of state.models()) {
      if (model.options.managed === false) continue;
      const table = this.tableOf(model);
      if (tables.has(table)) out.set(table, planSchema(tablePlan(model, state, this.naming, postgresPlan)));
      for (const [name, field] of model.fields) {
        if (field.kind !== 'manyToMany' || field.through !== undefined) continue;
        const join = this.naming.joinTable(model, name, field.dbTable);
        if (tables.has(join)) out.set(join, planSchema(tablePlan(joinModel(model, name, field, state, this.naming).model, state, this.naming, postgresPlan)));
      }
    }
    return out;
  }

  private tableOf(model: ModelState): string {
    let table = this.tableNames.get(model);
    if (table === undefined) {
      table = this.naming.table(model);
      this.tableNames.set(model, table);
    }
    return table;
  }
}

/** The schema with only the named tables. */
export function restrictSchema(schema: DatabaseSchema, tables: ReadonlySet<string>): DatabaseSchema {
  return { dialect: schema.dialect, tables: schema.tables.filter((table) => tables.has(table.name)) };
}

/** A DatabaseSchema of the given tables, sorted by name as the type requires. */
export function schemaOf(tables: Iterable<TableSchema>): DatabaseSchema {
  return { dialect: 'postgres', tables: [...tables].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
}

/** Tables of unmanaged models (`managed: false`) in any of the states: the user's, never drift. */
export function unmanagedTables(states: readonly ProjectState[], naming: Naming): Set<string> {
  const out = new Set<string>();
  for (const state of states) for (const model of state.models()) if (model.options.managed === false) out.add(naming.table(model));
  return out;
}

import type { Naming } from '../state/names.js';
import type { ProjectState } from '../state/project-state.js';
import { joinModels, planSchema, tablePlan, type PlanDialect } from './table-plan.js';
import type { DatabaseSchema, SchemaDialect, TableSchema } from './types.js';

/**
 * The schema a project state implies: one table per managed model (unmanaged ones are the user's) plus
 * the automatic join tables of their many-to-many fields. Names Sediment generates carry
 * `generatedName: true`, so comparisons match those objects by definition.
 *
 * @example
 * const findings = compareSchemas(expectedSchema(state, new Naming(), backend), await backend.introspect(connection));
 */
export function expectedSchema(state: ProjectState, naming: Naming, backend: PlanDialect & { readonly family: SchemaDialect }): DatabaseSchema {
  const tables: TableSchema[] = [];
  for (const model of state.models()) {
    if (model.options.managed === false) continue;
    tables.push(planSchema(tablePlan(model, state, naming, backend)));
    for (const join of joinModels(model, state, naming)) tables.push(planSchema(tablePlan(join.model, state, naming, backend)));
  }
  tables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { dialect: backend.family, tables };
}

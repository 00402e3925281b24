import type { DatabaseSchema } from '../schema/types.js';
import type { Naming } from '../state/names.js';
import type { ProjectState } from '../state/project-state.js';

/**
 * Tables of another project sharing the database. When the history table holds rows of apps this
 * project does not configure, the live tables named with such an app's prefix (`<app>_`, the default
 * table naming, as Django's `<app_label>_<model>`) that none of this project's states has are taken
 * to be that project's: doctor leaves them out of the comparison instead of calling them extra
 * tables to drop. A table this project's migrations describe is always compared, whatever its name.
 */
export function foreignTables(live: DatabaseSchema, foreignApps: readonly string[], states: readonly ProjectState[], naming: Naming): Set<string> {
  const out = new Set<string>();
  if (foreignApps.length === 0) return out;
  const ours = stateTables(states, naming);
  const prefixes = foreignApps.map((app) => `${app}_`);
  for (const table of live.tables) {
    if (!ours.has(table.name) && prefixes.some((prefix) => table.name.startsWith(prefix))) out.add(table.name);
  }
  return out;
}

/** Every table (model tables and automatic many-to-many join tables) of the states. */
function stateTables(states: readonly ProjectState[], naming: Naming): Set<string> {
  const out = new Set<string>();
  for (const state of states) {
    for (const model of state.models()) {
      out.add(naming.table(model));
      for (const [name, field] of model.fields) {
        if (field.kind === 'manyToMany' && field.through === undefined) out.add(naming.joinTable(model, name, field.dbTable));
      }
    }
  }
  return out;
}

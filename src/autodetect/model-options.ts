import { optionsWithoutOwned } from '../operations/model-operations.js';
import { ops } from '../operations/ops.js';
import type { ModelPair } from './compare.js';
import { sameDefinition } from './compare.js';
import type { PlannedOperation } from './plan.js';
import { createdModel, planned } from './plan.js';

/**
 * Options with no operation of their own (ordering, verbose names, managed, dbComment) are recorded
 * with alterModelOptions whenever they change: data migrations may rely on them.
 */
export function planAlteredOptions(pairs: readonly ModelPair[]): PlannedOperation[] {
  return pairs.flatMap(({ app, before, after }) => {
    const options = optionsWithoutOwned(after.options);
    // `managed: true` is the default, whether a migration spells it out or not.
    const comparable = (o: typeof options) => ({ ...o, managed: o.managed === false ? false : undefined });
    if (sameDefinition(comparable(optionsWithoutOwned(before.options)), comparable(options))) return [];
    return [planned(app, ops.alterModelOptions({ name: after.name, options }), [createdModel(app, after.name)])];
  });
}

/** A changed `dbTable` (set, changed or removed) renames the table. */
export function planAlteredTables(pairs: readonly ModelPair[]): PlannedOperation[] {
  return pairs.flatMap(({ app, before, after }) => {
    if (before.options.dbTable === after.options.dbTable) return [];
    return [planned(app, ops.alterModelTable({ name: after.name, table: after.options.dbTable ?? null }), [createdModel(app, after.name)])];
  });
}

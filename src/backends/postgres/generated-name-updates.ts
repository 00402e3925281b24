import type { TableSchema } from '../../schema/types.js';
import { MAX_IDENTIFIER_BYTES } from '../../state/names.js';
import type { EditorContext } from './editor-context.js';
import { runAll } from './editor-context.js';
import { renameConstraintSql } from './ddl.js';
import { introspectTable, ownedSequences, takenRelationNames } from './introspector.js';
import { objectNames } from '../../schema/object-names.js';
import { quoteName } from './sql.js';
import type { TablePlan } from '../../schema/table-plan.js';
import { planSchema } from '../../schema/table-plan.js';

/**
 * Generated names follow their table and columns. After `shop_client` becomes `shop_customer`, its
 * `shop_client_pkey`, `shop_client_name_uniq`, identity sequence `shop_client_id_seq`... are renamed
 * too; otherwise a new `shop_client` table created later would collide with the old names (indexes and
 * sequences share one namespace per schema). Only names equal to what Sediment (or PostgreSQL, for
 * sequences) would have generated are touched; names a user chose are left alone.
 */
export interface TableSnapshot {
  readonly table: TableSchema;
  readonly sequences: readonly { readonly column: string; readonly sequence: string }[];
}

/**
 * Reads what the renames will need, before anything is renamed. In collect mode a table that only exists
 * in the SQL being collected (created earlier in the same migration) is taken as the state describes it,
 * so sqlmigrate shows the statements that will run.
 */
export async function snapshotTable(
  ctx: EditorContext,
  table: string,
  expected?: () => TablePlan,
): Promise<TableSnapshot | undefined> {
  const schema = await introspectTable(ctx.connection, table);
  if (schema) return { table: schema, sequences: await ownedSequences(ctx.connection, table) };
  return ctx.collecting && expected ? expectedSnapshot(expected()) : undefined;
}

/** The snapshot a table has when it is exactly as planned: PostgreSQL names identity sequences table_column_seq. */
export function expectedSnapshot(plan: TablePlan): TableSnapshot {
  const sequences = plan.columns
    .filter((column) => column.type.identity)
    .map((column) => ({ column: column.column, sequence: objectNames.identitySequence(plan.table, column.column) }));
  return { table: planSchema(plan), sequences };
}

interface NameUpdate {
  readonly from: string;
  readonly to: string;
  /** A relation (index, sequence) or a constraint backed by an index: its new name must be free schema-wide. */
  readonly relation: boolean;
  readonly sql: string;
}

/**
 * Renames the generated names of a table whose name changed from `oldTable` to `newTable` and whose
 * columns were renamed as in `columnRenames` (old -> new). `snapshot` was read before the renames;
 * `skip` lists names that were dropped since.
 */
export async function updateGeneratedNames(
  ctx: EditorContext,
  snapshot: TableSnapshot | undefined,
  oldTable: string,
  newTable: string,
  columnRenames: ReadonlyMap<string, string> = new Map(),
  skip: ReadonlySet<string> = new Set(),
): Promise<void> {
  if (!snapshot) return;
  const updates = nameUpdates(snapshot, oldTable, newTable, columnRenames).filter((u) => u.from !== u.to && !skip.has(u.from));
  if (updates.length === 0) return;
  const taken = await takenRelationNames(ctx.connection, updates.filter((u) => u.relation).map((u) => u.to));
  await runAll(ctx, updates.filter((u) => !(u.relation && taken.has(u.to))).map((u) => u.sql));
}

function nameUpdates(snapshot: TableSnapshot, oldTable: string, newTable: string, renames: ReadonlyMap<string, string>): NameUpdate[] {
  const renamed = (column: string) => renames.get(column) ?? column;
  const newColumns = (columns: readonly string[]) => columns.map(renamed);
  const { table } = snapshot;
  const constraint = (from: string, to: string, relation: boolean): NameUpdate => ({
    from, to, relation, sql: renameConstraintSql(newTable, from, to),
  });
  const relation = (kind: 'INDEX' | 'SEQUENCE', from: string, to: string): NameUpdate => ({
    from, to, relation: true, sql: `ALTER ${kind} ${quoteName(from)} RENAME TO ${quoteName(to)}`,
  });
  const updates: NameUpdate[] = [];
  if (table.primaryKey && table.primaryKey.name === objectNames.primaryKey(oldTable)) {
    updates.push(constraint(table.primaryKey.name, objectNames.primaryKey(newTable), true));
  }
  for (const fk of table.foreignKeys) {
    if (fk.columns.length === 1 && fk.name === objectNames.foreignKey(oldTable, fk.columns[0])) {
      updates.push(constraint(fk.name, objectNames.foreignKey(newTable, renamed(fk.columns[0])), false));
    }
  }
  for (const unique of table.uniques) {
    if (unique.name !== objectNames.unique(oldTable, unique.columns)) continue;
    const to = objectNames.unique(newTable, newColumns(unique.columns));
    updates.push(unique.form === 'constraint' ? constraint(unique.name, to, true) : relation('INDEX', unique.name, to));
  }
  for (const index of table.indexes) {
    if (index.name === objectNames.index(oldTable, index.columns)) {
      updates.push(relation('INDEX', index.name, objectNames.index(newTable, newColumns(index.columns))));
    }
  }
  for (const check of table.checks) {
    const column = table.columns.find((c) => check.name === objectNames.positiveCheck(oldTable, c.name));
    if (column) updates.push(constraint(check.name, objectNames.positiveCheck(newTable, renamed(column.name)), false));
  }
  for (const { column, sequence } of snapshot.sequences) {
    const to = objectNames.identitySequence(newTable, renamed(column));
    if (sequence === objectNames.identitySequence(oldTable, column) && Buffer.byteLength(to) <= MAX_IDENTIFIER_BYTES) {
      updates.push(relation('SEQUENCE', sequence, to));
    }
  }
  return updates;
}

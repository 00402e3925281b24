import type { ModelState } from '../state/project-state.js';
import { generatedName, shortHash } from '../state/names.js';

/**
 * The names Sediment gives the indexes and constraints a user does not name. Deterministic (the same
 * table and columns always give the same name) and at most 63 bytes (state/names.ts hashes longer ones).
 * Every suffix is distinct, so objects of two kinds on the same columns never collide.
 */
export const objectNames = {
  primaryKey: (table: string): string => generatedName(table, [], 'pkey'),
  foreignKey: (table: string, column: string): string => generatedName(table, [column], 'fk'),
  unique: (table: string, columns: readonly string[]): string => generatedName(table, columns, 'uniq'),
  index: (table: string, columns: readonly string[]): string => generatedName(table, columns, 'idx'),
  /** The `col >= 0` check of a positiveInteger column. */
  positiveCheck: (table: string, column: string): string => generatedName(table, [column], 'check'),
  /** A check constraint declared without a name: named after a hash of its expression. */
  check: (table: string, expression: string): string => generatedName(table, [shortHash(expression)], 'check'),
  /** PostgreSQL's own name for an identity column's sequence (when it fits; longer ones are shortened by it). */
  identitySequence: (table: string, column: string): string => `${table}_${column}_seq`,
};

/**
 * The index and constraint names a model's state declares (its `indexes` and `constraints`). They
 * are recorded in migrations by name, so renames of the table or a column must leave them alone.
 */
export function declaredNames(model: ModelState): Set<string> {
  const names = new Set<string>();
  for (const index of model.options.indexes ?? []) if (index.name) names.add(index.name);
  for (const constraint of model.options.constraints ?? []) if (constraint.name) names.add(constraint.name);
  return names;
}

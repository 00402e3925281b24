import type { FieldMeta, ModelMeta } from './model-meta.js';

/**
 * Queries of the data API as immutable plain data, compiled to SQL by compile.ts (one compiler per
 * dialect; PostgreSQL and PGlite share it). Values in conditions are already query parameters (see
 * values.ts): the compiler only places them.
 */
export type Condition =
  | { readonly kind: 'compare'; readonly field: FieldMeta; readonly op: '=' | '<' | '<=' | '>' | '>='; readonly value: unknown }
  | { readonly kind: 'in'; readonly field: FieldMeta; readonly values: readonly unknown[] }
  | { readonly kind: 'inQuery'; readonly field: FieldMeta; readonly query: SelectNode }
  | { readonly kind: 'isNull'; readonly field: FieldMeta; readonly isNull: boolean }
  | { readonly kind: 'like'; readonly field: FieldMeta; readonly pattern: string }
  | { readonly kind: 'jsonContains'; readonly field: FieldMeta; readonly value: string }
  /** `field IN (SELECT select FROM table WHERE where = value)`: membership through a join table. */
  | {
      readonly kind: 'joined';
      readonly field: FieldMeta;
      readonly table: string;
      readonly select: string;
      readonly where: string;
      readonly whereCast: string;
      readonly value: unknown;
    }
  /** `(all of conditions) IS NOT TRUE`: rows where they are false or NULL, as Django's exclude(). */
  | { readonly kind: 'not'; readonly conditions: readonly Condition[] }
  | { readonly kind: 'never' };

export interface OrderTerm {
  readonly field: FieldMeta;
  readonly descending: boolean;
}

export interface SelectNode {
  readonly meta: ModelMeta;
  readonly where: readonly Condition[];
  /** Empty: unordered (counts, updates, deletes ignore order). */
  readonly order: readonly OrderTerm[];
  readonly limit?: number;
  /** 'row': every column, aliased to attributes; otherwise these fields only (values(), subqueries). */
  readonly columns: 'row' | readonly FieldMeta[];
}

/** Query sets expose their node under this key, so a query set can be passed as an `__in` value. */
export const QUERY_NODE: unique symbol = Symbol('sediment.queryNode');

export interface HasQueryNode {
  [QUERY_NODE](): SelectNode;
}

export function hasQueryNode(value: unknown): value is HasQueryNode {
  return typeof value === 'object' && value !== null && typeof (value as Partial<HasQueryNode>)[QUERY_NODE] === 'function';
}

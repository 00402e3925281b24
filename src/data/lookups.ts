import type { FieldMeta, ModelMeta } from './model-meta.js';
import { fieldOf } from './model-meta.js';
import type { Condition, SelectNode } from './query.js';
import { QUERY_NODE, hasQueryNode } from './query.js';
import { isRow, toColumnParam } from './row-base.js';
import { InvalidValueError, UnknownNameError } from './errors.js';

/**
 * Filters are plain objects whose keys are a field and, after a double underscore, a lookup:
 *
 * | key                        | meaning                                             |
 * |----------------------------|-----------------------------------------------------|
 * | `name: 'Ada'`              | equality; `name: null` is `IS NULL`                 |
 * | `name__in: ['Ada', 'Bob']` | one of (an empty list matches nothing); also a query set: `boughtBy__in: Client.objects.filter(...)` |
 * | `bought__isNull: true`     | `IS NULL` (false: `IS NOT NULL`)                    |
 * | `bought__gt` `__gte` `__lt` `__lte` | comparisons (numbers, decimals, text, dates, times, durations, uuids) |
 * | `name__contains: 'da'`     | substring, case-sensitive (`LIKE '%da%'`); on a json field: JSON containment (`@>`) |
 * | `name__startsWith: 'A'`    | prefix, case-sensitive                              |
 *
 * A foreign key is named by its field (`boughtBy: client` takes a row or a key, `boughtBy: null`) or by
 * its attribute (`boughtById: 3`); `pk` names the primary key whatever it is called. Keys are ANDed.
 */
export const LOOKUPS = ['in', 'isNull', 'gt', 'gte', 'lt', 'lte', 'contains', 'startsWith'] as const;
export type Lookup = (typeof LOOKUPS)[number];

const COMPARISONS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** `name__lookup` keys, split. Relations are not traversed (`boughtBy__name`): that is an error. */
function splitKey(meta: ModelMeta, key: string, use: string): { field: FieldMeta; lookup: Lookup | null } {
  const parts = key.split('__');
  if (parts.length === 1) return { field: fieldOf(meta, key, use), lookup: null };
  const lookup = parts[parts.length - 1];
  const fieldName = parts.slice(0, -1).join('__');
  if (!(LOOKUPS as readonly string[]).includes(lookup)) {
    const field = meta.byName.get(parts[0]);
    if (field?.relation && parts.length === 2) {
      throw new UnknownNameError(
        `${use}: '${key}' would follow the relation ${meta.label}.${field.name}, which filters do not do; ` +
          `filter the other model and pass the query set: { ${field.name}__in: Other.objects.filter({ ${parts[1]}: ... }) }.`,
      );
    }
    throw new UnknownNameError(`${use}: unknown lookup '${lookup}' in '${key}'; the lookups are ${LOOKUPS.join(', ')} (written field__lookup).`);
  }
  return { field: fieldOf(meta, fieldName, use), lookup: lookup as Lookup };
}

/** LIKE's wildcards and its escape character, escaped (the default escape is backslash). */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** Parses one filter object into conditions. */
export function parseFilter(meta: ModelMeta, filter: Readonly<Record<string, unknown>>, use: string): Condition[] {
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter) || isRow(filter)) {
    throw new InvalidValueError(`${use} takes an object of field: value pairs, e.g. { name: 'Ada', bought__gte: 1 }.`);
  }
  const conditions: Condition[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) throw new InvalidValueError(`${use}: ${key} is undefined; pass null to match NULL.`);
    const { field, lookup } = splitKey(meta, key, use);
    conditions.push(condition(meta, field, lookup, value, `${use}: ${meta.label}.${key}`));
  }
  return conditions;
}

function condition(meta: ModelMeta, field: FieldMeta, lookup: Lookup | null, value: unknown, what: string): Condition {
  const param = (v: unknown) => toColumnParam(field, v, what);
  switch (lookup) {
    case null:
      if (value === null) return { kind: 'isNull', field, isNull: true };
      if (isPlainObject(value) && field.codec.kind !== 'json' && !isRow(value) && !hasQueryNode(value)) {
        const inner = Object.keys(value)[0] ?? 'lookup';
        throw new InvalidValueError(`${what}: lookups are written as key suffixes, e.g. { ${field.name}__${inner}: ... }, not as nested objects.`);
      }
      return { kind: 'compare', field, op: '=', value: param(value) };
    case 'in': {
      if (hasQueryNode(value)) {
        const node = value[QUERY_NODE]();
        const target = subqueryColumn(field, node, what);
        return { kind: 'inQuery', field, query: { ...node, order: [], columns: [target] } };
      }
      if (!Array.isArray(value)) throw new InvalidValueError(`${what} expects an array (or a query set), got ${typeof value}.`);
      if (value.length === 0) return { kind: 'never' };
      return { kind: 'in', field, values: value.map((v) => (v === null ? null : param(v))) };
    }
    case 'isNull':
      if (typeof value !== 'boolean') throw new InvalidValueError(`${what} expects true or false.`);
      return { kind: 'isNull', field, isNull: value };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (!field.codec.ordered) throw new InvalidValueError(`${what}: ${field.codec.kind} values have no order; ${lookup} is not available.`);
      if (value === null) throw new InvalidValueError(`${what}: cannot compare with null; use __isNull.`);
      return { kind: 'compare', field, op: COMPARISONS[lookup], value: param(value) };
    case 'contains':
      if (field.codec.kind === 'json') return { kind: 'jsonContains', field, value: field.codec.write(value, what) as string };
      if (!field.codec.textual) throw new InvalidValueError(`${what}: contains works on text and json fields; ${field.name} holds ${field.codec.kind} values.`);
      if (typeof value !== 'string') throw new InvalidValueError(`${what} expects a string.`);
      return { kind: 'like', field, pattern: `%${escapeLike(value)}%` };
    case 'startsWith':
      if (!field.codec.textual) throw new InvalidValueError(`${what}: startsWith works on text fields; ${field.name} holds ${field.codec.kind} values.`);
      if (typeof value !== 'string') throw new InvalidValueError(`${what} expects a string.`);
      return { kind: 'like', field, pattern: `${escapeLike(value)}%` };
  }
}

/** The column a query set passed to `__in` selects: its only values() field, or the key `field` points at. */
function subqueryColumn(field: FieldMeta, node: SelectNode, what: string): FieldMeta {
  if (node.columns !== 'row') {
    if (node.columns.length !== 1) throw new InvalidValueError(`${what}: a query set given to __in must select one field (values('x')).`);
    return node.columns[0];
  }
  if (field.relation) {
    const sameModel = node.meta.app === field.relation.app && node.meta.name.toLowerCase() === field.relation.model.toLowerCase();
    if (!sameModel) throw new InvalidValueError(`${what} points at ${field.relation.app}.${field.relation.model}, but was given a query set of ${node.meta.label}.`);
    return node.meta.byName.get(field.relation.field) ?? node.meta.pk;
  }
  return node.meta.pk;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

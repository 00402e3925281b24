import { expressionKey } from './sql-expression.js';
import type {
  CheckSchema, ColumnSchema, DatabaseSchema, ForeignKeySchema, IndexSchema, NamedSchemaObject, TableSchema, UniqueSchema,
} from './types.js';

/**
 * Differences between the schema the migration history implies (`expected`) and a live one (`actual`),
 * as plain data. Objects whose names Sediment generates are matched by definition (columns, predicate,
 * expression), never by name; objects a user named are matched by name, and reported as renamed when
 * only the name differs. Every finding says what was expected and what was found, and has a one-line
 * message for people.
 */
export type SchemaFinding =
  | TableFinding<'missing-table' | 'extra-table'>
  | ColumnFinding<'missing-column', { readonly expected: ColumnSchema }>
  | ColumnFinding<'extra-column', { readonly actual: ColumnSchema }>
  | ColumnFinding<'type-mismatch' | 'default-mismatch', Values<string | null>>
  | ColumnFinding<'nullability-mismatch', Values<boolean>>
  | ColumnFinding<'identity-mismatch', Values<string | null>>
  | (TableFinding<'comment-mismatch'> & { readonly column: string | null } & Values<string | null>)
  | (TableFinding<'primary-key-mismatch'> & Values<readonly string[] | null>)
  | ObjectFinding<'missing-foreign-key', { readonly expected: ForeignKeySchema }>
  | ObjectFinding<'extra-foreign-key', { readonly actual: ForeignKeySchema }>
  | ObjectFinding<'foreign-key-mismatch', Values<ForeignKeySchema>>
  | ObjectFinding<'missing-index', { readonly expected: IndexSchema }>
  | ObjectFinding<'extra-index', { readonly actual: IndexSchema }>
  | ObjectFinding<'index-mismatch', Values<IndexSchema>>
  | ObjectFinding<'missing-constraint', ConstraintKind & { readonly expected: UniqueSchema | CheckSchema }>
  | ObjectFinding<'extra-constraint', ConstraintKind & { readonly actual: UniqueSchema | CheckSchema }>
  | ObjectFinding<'constraint-mismatch', ConstraintKind & Values<UniqueSchema | CheckSchema>>
  | ObjectFinding<'name-mismatch', { readonly object: SchemaObjectKind; readonly expected: string; readonly actual: string }>;

export type SchemaFindingKind = SchemaFinding['kind'];
export type SchemaObjectKind = 'foreign-key' | 'index' | 'unique' | 'check';

interface TableFinding<K extends string> {
  readonly kind: K;
  readonly table: string;
  /** One line for people: what differs, the expected and the actual value. */
  readonly message: string;
}
type ColumnFinding<K extends string, Extra> = TableFinding<K> & { readonly column: string } & Extra;
type ObjectFinding<K extends string, Extra> = TableFinding<K> & { readonly name: string } & Extra;
interface Values<T> {
  readonly expected: T;
  readonly actual: T;
}
interface ConstraintKind {
  readonly constraint: 'unique' | 'check';
}

/** Every difference, sorted by table, then kind, then column or name. An empty list means they match. */
export function compareSchemas(expected: DatabaseSchema, actual: DatabaseSchema): SchemaFinding[] {
  const findings: SchemaFinding[] = [];
  const actualTables = new Map(actual.tables.map((table) => [table.name, table]));
  const expectedNames = new Set(expected.tables.map((table) => table.name));
  for (const table of expected.tables) {
    const found = actualTables.get(table.name);
    if (found) findings.push(...compareTables(table, found));
    else findings.push({ kind: 'missing-table', table: table.name, message: `Table ${table.name} is missing.` });
  }
  for (const table of actual.tables) {
    if (!expectedNames.has(table.name)) {
      findings.push({ kind: 'extra-table', table: table.name, message: `Table ${table.name} exists but no migration creates it.` });
    }
  }
  return findings.sort(byPosition);
}

function compareTables(expected: TableSchema, actual: TableSchema): SchemaFinding[] {
  const table = expected.name;
  const findings: SchemaFinding[] = [...compareColumns(expected, actual)];
  if (expected.comment !== actual.comment) {
    findings.push({
      kind: 'comment-mismatch', table, column: null, expected: expected.comment, actual: actual.comment,
      message: `Table ${table} has the comment ${show(actual.comment)}; expected ${show(expected.comment)}.`,
    });
  }
  const expectedKey = expected.primaryKey?.columns ?? null;
  const actualKey = actual.primaryKey?.columns ?? null;
  if (!sameList(expectedKey, actualKey)) {
    findings.push({
      kind: 'primary-key-mismatch', table, expected: expectedKey, actual: actualKey,
      message: `Table ${table} has the primary key ${showColumns(actualKey)}; expected ${showColumns(expectedKey)}.`,
    });
  }
  findings.push(...compareForeignKeys(table, expected.foreignKeys, actual.foreignKeys));
  findings.push(...compareIndexes(table, expected.indexes, actual.indexes));
  findings.push(...compareUniques(table, expected.uniques, actual.uniques));
  findings.push(...compareChecks(table, expected.checks, actual.checks));
  return findings;
}

function compareColumns(expected: TableSchema, actual: TableSchema): SchemaFinding[] {
  const table = expected.name;
  const findings: SchemaFinding[] = [];
  const actualColumns = new Map(actual.columns.map((column) => [column.name, column]));
  const expectedNames = new Set(expected.columns.map((column) => column.name));
  for (const want of expected.columns) {
    const column = want.name;
    const at = `${table}.${column}`;
    const got = actualColumns.get(column);
    if (!got) {
      findings.push({ kind: 'missing-column', table, column, expected: want, message: `Column ${at} (${describeColumn(want)}) is missing.` });
      continue;
    }
    if (want.type !== got.type) {
      findings.push({ kind: 'type-mismatch', table, column, expected: want.type, actual: got.type, message: `Column ${at} is ${got.type}; expected ${want.type}.` });
    }
    if (want.nullable !== got.nullable) {
      findings.push({
        kind: 'nullability-mismatch', table, column, expected: want.nullable, actual: got.nullable,
        message: `Column ${at} is ${got.nullable ? 'NULL' : 'NOT NULL'}; expected ${want.nullable ? 'NULL' : 'NOT NULL'}.`,
      });
    }
    if (want.identity !== got.identity) {
      findings.push({
        kind: 'identity-mismatch', table, column, expected: want.identity, actual: got.identity,
        message: `Column ${at} is ${got.identity ? `an identity (${got.identity})` : 'not an identity'}; expected ${want.identity ? `an identity (${want.identity})` : 'no identity'}.`,
      });
    }
    if (!sameDefault(want.default, got.default, want.type)) {
      findings.push({
        kind: 'default-mismatch', table, column, expected: want.default, actual: got.default,
        message: `Column ${at} has the default ${got.default ?? '(none)'}; expected ${want.default ?? '(none)'}.`,
      });
    }
    if (want.comment !== got.comment) {
      findings.push({
        kind: 'comment-mismatch', table, column, expected: want.comment, actual: got.comment,
        message: `Column ${at} has the comment ${show(got.comment)}; expected ${show(want.comment)}.`,
      });
    }
  }
  for (const got of actual.columns) {
    if (!expectedNames.has(got.name)) {
      findings.push({
        kind: 'extra-column', table, column: got.name, actual: got,
        message: `Column ${table}.${got.name} (${describeColumn(got)}) exists but no migration adds it.`,
      });
    }
  }
  return findings;
}

/** Pairs expected and actual objects: user names by name, generated names by definition. */
interface Matching<T> {
  readonly pairs: (readonly [T, T])[];
  /** Objects a user named that exist under another name. */
  readonly renamed: (readonly [T, T])[];
  readonly missing: T[];
  readonly extra: T[];
}

function match<T extends NamedSchemaObject>(expected: readonly T[], actual: readonly T[], key: (item: T) => string): Matching<T> {
  const free = new Set(actual);
  const pairs: (readonly [T, T])[] = [];
  const renamed: (readonly [T, T])[] = [];
  const unmatched: T[] = [];
  const take = (want: T, found: T | undefined, into: (readonly [T, T])[]) => {
    if (!found) return false;
    free.delete(found);
    into.push([want, found]);
    return true;
  };
  for (const want of expected) {
    const sameName = [...free].find((got) => got.name === want.name && (!want.generatedName || key(got) === key(want)));
    if (!take(want, sameName, pairs)) unmatched.push(want);
  }
  const missing: T[] = [];
  for (const want of unmatched) {
    const sameDefinition = [...free].find((got) => key(got) === key(want));
    if (!take(want, sameDefinition, want.generatedName ? pairs : renamed)) missing.push(want);
  }
  return { pairs, renamed, missing, extra: [...free] };
}

function renamedFindings<T extends NamedSchemaObject>(table: string, object: SchemaObjectKind, renamed: Matching<T>['renamed']): SchemaFinding[] {
  return renamed.map(([want, got]) => ({
    kind: 'name-mismatch' as const, table, name: want.name, object, expected: want.name, actual: got.name,
    message: `The ${object} ${want.name} on ${table} exists under the name ${got.name}.`,
  }));
}

function compareForeignKeys(table: string, expected: readonly ForeignKeySchema[], actual: readonly ForeignKeySchema[]): SchemaFinding[] {
  const m = match(expected, actual, (fk) => fk.columns.join(','));
  const findings: SchemaFinding[] = [
    ...m.missing.map((fk) => ({ kind: 'missing-foreign-key' as const, table, name: fk.name, expected: fk, message: `Foreign key ${describeForeignKey(table, fk)} is missing.` })),
    ...m.extra.map((fk) => ({ kind: 'extra-foreign-key' as const, table, name: fk.name, actual: fk, message: `Foreign key ${fk.name} ${describeForeignKey(table, fk)} exists but no migration adds it.` })),
    ...renamedFindings(table, 'foreign-key', m.renamed),
  ];
  for (const [want, got] of [...m.pairs, ...m.renamed]) {
    if (describeForeignKey(table, want) !== describeForeignKey(table, got)) {
      findings.push({
        kind: 'foreign-key-mismatch', table, name: got.name, expected: want, actual: got,
        message: `Foreign key ${got.name} is ${describeForeignKey(table, got)}; expected ${describeForeignKey(table, want)}.`,
      });
    }
  }
  return findings;
}

function compareIndexes(table: string, expected: readonly IndexSchema[], actual: readonly IndexSchema[]): SchemaFinding[] {
  const definition = (index: IndexSchema) => `${index.method}:${index.columns.join(',')}|${conditionKey(index.condition)}`;
  const m = match(expected, actual, definition);
  const findings: SchemaFinding[] = [
    ...m.missing.map((index) => ({ kind: 'missing-index' as const, table, name: index.name, expected: index, message: `Index ${index.name} ${describeIndex(table, index)} is missing.` })),
    ...m.extra.map((index) => ({ kind: 'extra-index' as const, table, name: index.name, actual: index, message: `Index ${index.name} ${describeIndex(table, index)} exists but no migration adds it.` })),
    ...renamedFindings(table, 'index', m.renamed),
  ];
  for (const [want, got] of m.pairs) {
    if (definition(want) !== definition(got)) {
      findings.push({
        kind: 'index-mismatch', table, name: want.name, expected: want, actual: got,
        message: `Index ${want.name} is ${describeIndex(table, got)}; expected ${describeIndex(table, want)}.`,
      });
    }
  }
  return findings;
}

function compareUniques(table: string, expected: readonly UniqueSchema[], actual: readonly UniqueSchema[]): SchemaFinding[] {
  const definition = (unique: UniqueSchema) => `${unique.columns.join(',')}|${conditionKey(unique.condition)}`;
  const m = match(expected, actual, definition);
  const describe = (unique: UniqueSchema) => `UNIQUE ${describeIndex(table, { ...unique, method: 'btree' })}`;
  const findings: SchemaFinding[] = [
    ...m.missing.map((unique) => ({ kind: 'missing-constraint' as const, constraint: 'unique' as const, table, name: unique.name, expected: unique, message: `Unique constraint ${unique.name} ${describe(unique)} is missing.` })),
    ...m.extra.map((unique) => ({ kind: 'extra-constraint' as const, constraint: 'unique' as const, table, name: unique.name, actual: unique, message: `Unique constraint ${unique.name} ${describe(unique)} exists but no migration adds it.` })),
    ...renamedFindings(table, 'unique', m.renamed),
  ];
  for (const [want, got] of m.pairs) {
    if (definition(want) !== definition(got)) {
      findings.push({
        kind: 'constraint-mismatch', constraint: 'unique', table, name: want.name, expected: want, actual: got,
        message: `Unique constraint ${want.name} is ${describe(got)}; expected ${describe(want)}.`,
      });
    }
  }
  return findings;
}

function compareChecks(table: string, expected: readonly CheckSchema[], actual: readonly CheckSchema[]): SchemaFinding[] {
  const definition = (check: CheckSchema) => expressionKey(check.expression);
  const m = match(expected, actual, definition);
  const findings: SchemaFinding[] = [
    ...m.missing.map((check) => ({ kind: 'missing-constraint' as const, constraint: 'check' as const, table, name: check.name, expected: check, message: `Check constraint ${check.name} on ${table} (${check.expression}) is missing.` })),
    ...m.extra.map((check) => ({ kind: 'extra-constraint' as const, constraint: 'check' as const, table, name: check.name, actual: check, message: `Check constraint ${check.name} on ${table} (${check.expression}) exists but no migration adds it.` })),
    ...renamedFindings(table, 'check', m.renamed),
  ];
  for (const [want, got] of m.pairs) {
    if (definition(want) !== definition(got)) {
      findings.push({
        kind: 'constraint-mismatch', constraint: 'check', table, name: want.name, expected: want, actual: got,
        message: `Check constraint ${want.name} on ${table} is (${got.expression}); expected (${want.expression}).`,
      });
    }
  }
  return findings;
}

function conditionKey(condition: string | null): string {
  return condition === null ? '' : expressionKey(condition);
}

/**
 * Defaults compare as expressions, JSON constants by value (jsonb reorders keys), and timestamp
 * constants as instants: PostgreSQL prints `'2020-01-02T03:04:05Z'` back as `'2020-01-02 03:04:05+00'`,
 * in the session's time zone (found by the reliability round trip).
 */
function sameDefault(expected: string | null, actual: string | null, type: string): boolean {
  if (expected === null || actual === null) return expected === actual;
  if (type === 'timestamp with time zone') {
    const x = instantConstant(expected);
    const y = instantConstant(actual);
    if (x !== undefined && y !== undefined) return x === y;
  }
  const a = jsonConstant(expected);
  const b = jsonConstant(actual);
  if (a !== undefined && b !== undefined) return a === b;
  return expressionKey(expected) === expressionKey(actual);
}

/** The instant (ms since the epoch) a `'…'` or `'…'::timestamp with time zone` constant names, if it is one. */
function instantConstant(sql: string): number | undefined {
  const found = /^'(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)'(?:::timestamp with time zone)?$/i.exec(sql.trim());
  if (!found) return undefined;
  const zone = found[3].toUpperCase() === 'Z' ? 'Z' : found[3].length === 3 ? `${found[3]}:00` : found[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${found[1]}T${found[2]}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}

function jsonConstant(sql: string): string | undefined {
  const found = /^'((?:[^']|'')*)'(?:::jsonb?)?$/s.exec(sql.trim());
  if (!found) return undefined;
  try {
    return stableJson(JSON.parse(found[1].replace(/''/g, "'")));
  } catch {
    return undefined;
  }
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sameList(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function describeColumn(column: ColumnSchema): string {
  return `${column.type} ${column.nullable ? 'NULL' : 'NOT NULL'}${column.identity ? ' identity' : ''}`;
}

function describeForeignKey(table: string, fk: ForeignKeySchema): string {
  const deferral = fk.deferrable ? (fk.initiallyDeferred ? ' DEFERRABLE INITIALLY DEFERRED' : ' DEFERRABLE') : '';
  return `${table} (${fk.columns.join(', ')}) -> ${fk.referencedTable} (${fk.referencedColumns.join(', ')}) ON DELETE ${fk.onDelete}${deferral}`;
}

function describeIndex(table: string, index: Pick<IndexSchema, 'columns' | 'condition' | 'method'>): string {
  const method = index.method === 'btree' ? '' : ` USING ${index.method}`;
  return `on ${table}${method} (${index.columns.join(', ')})${index.condition ? ` WHERE ${index.condition}` : ''}`;
}

function showColumns(columns: readonly string[] | null): string {
  return columns === null ? '(none)' : `(${columns.join(', ')})`;
}

function show(value: string | null): string {
  return value === null ? '(none)' : JSON.stringify(value);
}

const KIND_ORDER: readonly SchemaFindingKind[] = [
  'missing-table', 'extra-table', 'missing-column', 'extra-column', 'type-mismatch', 'nullability-mismatch',
  'identity-mismatch', 'default-mismatch', 'comment-mismatch', 'primary-key-mismatch', 'missing-foreign-key',
  'extra-foreign-key', 'foreign-key-mismatch', 'missing-index', 'extra-index', 'index-mismatch', 'missing-constraint',
  'extra-constraint', 'constraint-mismatch', 'name-mismatch',
];

function byPosition(a: SchemaFinding, b: SchemaFinding): number {
  const detail = (f: SchemaFinding) => ('column' in f && f.column !== null ? f.column : 'name' in f ? f.name : '');
  return (
    compare(a.table, b.table) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || compare(detail(a), detail(b))
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import type { OperationKind, OperationOf } from '../operations/types.js';

/**
 * The file format of every operation: its argument keys, in the order the writer prints them, and
 * what kind of value each holds. The writer renders by it and the loader validates by it, so the
 * two can never disagree about what a migration file may contain.
 *
 * The table is checked against `Operation` at compile time: a missing kind, a missing or unknown
 * argument, or an optional argument not marked `optional` (and vice versa) does not type-check.
 */
export type ArgType =
  /** A string (model, field, index, constraint or extension name). */
  | 'string'
  /** A string or null (alterModelTable: null restores the default table name). */
  | 'stringOrNull'
  | 'boolean'
  /** An `f.*` field. */
  | 'field'
  /** `{ name: f.*(...) }`, in declaration order. */
  | 'fields'
  /** Model options: dbTable, indexes, constraints, uniqueTogether, ... */
  | 'modelOptions'
  /** `index([...], { name })`. */
  | 'index'
  /** `unique(...)` or `check(...)`. */
  | 'constraint'
  /** `[['a', 'b'], ...]`. */
  | 'stringLists'
  /** SQL: a string, a list of strings, or `ops.noop`. */
  | 'sql'
  /** Nested operations (runSql stateOperations, separateDatabaseAndState). */
  | 'operations'
  /** A function written by hand (runCode forward). */
  | 'code'
  /** A function written by hand, or `ops.noop` (runCode reverse). */
  | 'codeOrNoop';

type Arg<T> = undefined extends T
  ? { readonly type: ArgType; readonly optional: true }
  : { readonly type: ArgType; readonly optional?: false };

export type OperationShape<K extends OperationKind> = {
  readonly [P in Exclude<keyof OperationOf<K>, 'kind'>]-?: Arg<OperationOf<K>[P]>;
};

const required = <T extends ArgType>(type: T) => ({ type }) as const;
const optional = <T extends ArgType>(type: T) => ({ type, optional: true }) as const;

export const operationShapes: { readonly [K in OperationKind]: OperationShape<K> } = {
  createModel: { name: required('string'), fields: required('fields'), options: optional('modelOptions') },
  deleteModel: { name: required('string') },
  renameModel: { oldName: required('string'), newName: required('string') },
  alterModelTable: { name: required('string'), table: required('stringOrNull') },
  alterModelOptions: { name: required('string'), options: required('modelOptions') },
  alterUniqueTogether: { name: required('string'), uniqueTogether: required('stringLists') },
  addField: {
    model: required('string'), name: required('string'), field: required('field'), preserveDefault: optional('boolean'),
  },
  removeField: { model: required('string'), name: required('string') },
  alterField: {
    model: required('string'), name: required('string'), field: required('field'), preserveDefault: optional('boolean'),
  },
  renameField: { model: required('string'), oldName: required('string'), newName: required('string') },
  addIndex: { model: required('string'), index: required('index') },
  removeIndex: { model: required('string'), name: required('string') },
  renameIndex: { model: required('string'), oldName: required('string'), newName: required('string') },
  addConstraint: { model: required('string'), constraint: required('constraint') },
  removeConstraint: { model: required('string'), name: required('string') },
  addIndexConcurrently: { model: required('string'), index: required('index') },
  removeIndexConcurrently: { model: required('string'), name: required('string') },
  addConstraintNotValid: { model: required('string'), constraint: required('constraint') },
  validateConstraint: { model: required('string'), name: required('string') },
  createExtension: { name: required('string') },
  runSql: {
    sql: required('sql'), reverseSql: optional('sql'), stateOperations: optional('operations'), elidable: optional('boolean'),
  },
  runCode: {
    forward: required('code'), reverse: optional('codeOrNoop'), atomic: optional('boolean'), elidable: optional('boolean'),
  },
  separateDatabaseAndState: { database: required('operations'), state: required('operations') },
};

export const operationKindNames = Object.keys(operationShapes) as OperationKind[];

export function isOperationKind(kind: unknown): kind is OperationKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(operationShapes, kind);
}

/** The shape of one kind, loosely typed for code that walks any operation. */
export function shapeOf(kind: OperationKind): Readonly<Record<string, { type: ArgType; optional?: boolean }>> {
  return operationShapes[kind] as unknown as Readonly<Record<string, { type: ArgType; optional?: boolean }>>;
}

/**
 * Field options in the order the writer prints them (the DSL's required options first, then the
 * common ones); options not listed here are printed after these, sorted by name.
 */
export const fieldOptionOrder: readonly string[] = [
  'maxLength', 'maxDigits', 'decimalPlaces',
  'onDelete', 'relatedName', 'toField', 'dbConstraint', 'through', 'dbTable',
  'primaryKey', 'null', 'blank', 'default', 'dbDefault', 'unique', 'dbIndex', 'dbColumn', 'choices',
  'dbComment', 'editable', 'helpText', 'verboseName',
];

/** Model options in the order the writer prints them; others follow, sorted. */
export const modelOptionOrder: readonly string[] = [
  'dbTable', 'managed', 'indexes', 'constraints', 'uniqueTogether', 'ordering', 'dbComment',
  'verboseName', 'verboseNamePlural',
];

/** Orders an object's keys: the listed ones first, in list order, then the rest sorted. */
export function orderedKeys(value: object, order: readonly string[]): string[] {
  const keys = Object.keys(value);
  const listed = order.filter((key) => keys.includes(key));
  const rest = keys.filter((key) => !order.includes(key)).sort();
  return [...listed, ...rest];
}

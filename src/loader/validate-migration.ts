import { unknownFieldOptions, unknownModelOptions } from '../model/known-options.js';
import { InvalidDefinitionError } from '../errors/index.js';
import type { MigrationBody, NodeRef } from '../graph/migration.js';
import { relationKinds, scalarKinds } from '../model/fields.js';
import type { Operation } from '../operations/types.js';
import { isOperationKind, operationKindNames, shapeOf, type ArgType } from '../writer/operation-shapes.js';

/**
 * Checks what a migration file exports against the file format (writer/operation-shapes.ts), so that
 * a mistake in a hand-edited file is reported when it is loaded, naming the file and the place in it,
 * rather than surfacing later as a confusing failure halfway through `migrate`.
 */

/** A problem at a path inside the migration: thrown inside, turned into one error naming the file. */
class Problem extends Error {
  constructor(readonly path: string, message: string) {
    super(message);
  }
}

const migrationKeys = ['kind', 'dependencies', 'operations', 'initial', 'atomic', 'replaces', 'runBefore'];

export function validateMigrationExports(exports: Readonly<Record<string, unknown>>, where: string, file: string): MigrationBody {
  const fail = (message: string, hint: string) => new InvalidDefinitionError(`${where}: ${message}`, { file, hint });
  const shapeHint = 'A migration file ends with `export default migration({ dependencies: [...], operations: [...] })`.';
  if (!('default' in exports) || exports.default === undefined) throw fail('the file has no default export.', shapeHint);
  const value = exports.default;
  if (!isObject(value) || value.kind !== 'migration') {
    throw fail(`the default export is not migration({...}); it is ${describe(value)}.`, shapeHint);
  }
  try {
    const unknown = Object.keys(value).filter((key) => !migrationKeys.includes(key));
    if (unknown.length > 0) {
      throw new Problem('', `unknown key ${unknown.map((k) => JSON.stringify(k)).join(', ')} in migration({...}); known keys: ${migrationKeys.slice(1).join(', ')}`);
    }
    const operations = value.operations ?? [];
    if (!Array.isArray(operations)) throw new Problem('operations', `must be a list of operations (ops.*), got ${describe(operations)}`);
    items(operations).forEach((op, i) => checkOperation(op, `operations[${i}]`));
    return {
      dependencies: pairs(value.dependencies, 'dependencies'),
      operations: operations as Operation[],
      initial: optionalBoolean(value.initial, 'initial') ?? false,
      atomic: optionalBoolean(value.atomic, 'atomic') ?? true,
      replaces: pairs(value.replaces, 'replaces'),
      runBefore: pairs(value.runBefore, 'runBefore'),
    };
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    throw fail(error.path ? `${error.path}: ${error.message}.` : `${error.message}.`, shapeHint);
  }
}

function pairs(value: unknown, path: string): NodeRef[] {
  if (value === undefined) return [];
  const ok =
    Array.isArray(value) &&
    items(value).every((pair) => Array.isArray(pair) && pair.length === 2 && items(pair).every((part) => typeof part === 'string' && part !== ''));
  if (!ok) throw new Problem(path, `must be a list of [app, migration] pairs such as [['shop', '0001_initial']], got ${describe(value)}`);
  return (value as [string, string][]).map(([app, name]) => [app, name] as const);
}

function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new Problem(path, `must be true or false, got ${describe(value)}`);
}

function checkOperation(op: unknown, path: string): void {
  if (!isObject(op)) throw new Problem(path, `must be an operation (ops.*), got ${describe(op)}`);
  const kind = op.kind;
  if (!isOperationKind(kind)) {
    // describe(), not JSON.stringify: a kind such as 10n made the message itself throw a TypeError (found by the loader fuzz test).
    throw new Problem(path, `unknown operation kind ${describe(kind)}; known kinds: ${operationKindNames.join(', ')}`);
  }
  const shape = shapeOf(kind);
  const at = `${path} (${kind})`;
  const unknown = Object.keys(op).filter((key) => key !== 'kind' && !(key in shape));
  if (unknown.length > 0) {
    throw new Problem(at, `unknown argument ${unknown.map((k) => JSON.stringify(k)).join(', ')}; ${kind} takes ${Object.keys(shape).join(', ')}`);
  }
  for (const [key, arg] of Object.entries(shape)) {
    const value = op[key];
    if (value === undefined) {
      if (!arg.optional) throw new Problem(at, `"${key}" is missing`);
      continue;
    }
    checkArgument(arg.type, value, `${at}.${key}`);
  }
}

function checkArgument(type: ArgType, value: unknown, path: string): void {
  switch (type) {
    case 'string':
      return expect(typeof value === 'string' && value !== '', path, 'a non-empty string', value);
    case 'stringOrNull':
      return expect(value === null || (typeof value === 'string' && value !== ''), path, 'a string or null', value);
    case 'boolean':
      return expect(typeof value === 'boolean', path, 'true or false', value);
    case 'field':
      return checkField(value, path);
    case 'fields':
      expect(isObject(value) && !Array.isArray(value), path, 'an object of fields ({ name: f.char(...) })', value);
      for (const [name, field] of Object.entries(value as object)) checkField(field, `${path}.${name}`);
      return;
    case 'modelOptions':
      return checkModelOptions(value, path);
    case 'index':
      return checkIndex(value, path);
    case 'constraint':
      return checkConstraint(value, path);
    case 'stringLists':
      return expect(isStringLists(value), path, "a list of lists of field names ([['a', 'b']])", value);
    case 'sql':
      return expect(
        isNoop(value) || typeof value === 'string' || (Array.isArray(value) && items(value).every((s) => typeof s === 'string')),
        path, 'an SQL string, a list of them, or ops.noop', value,
      );
    case 'operations':
      expect(Array.isArray(value), path, 'a list of operations', value);
      items(value as unknown[]).forEach((op, i) => checkOperation(op, `${path}[${i}]`));
      return;
    case 'code':
      return expect(typeof value === 'function', path, 'a function', value);
    case 'codeOrNoop':
      return expect(typeof value === 'function' || isNoop(value), path, 'a function or ops.noop', value);
  }
}

const fieldKinds: readonly string[] = [...scalarKinds, ...relationKinds];
const onDeletes = ['cascade', 'protect', 'restrict', 'setNull', 'setDefault', 'doNothing'];

function checkField(value: unknown, path: string): void {
  if (!isObject(value) || typeof value.kind !== 'string' || !fieldKinds.includes(value.kind)) {
    const got = isObject(value) && 'kind' in value ? `kind ${describe(value.kind)}` : describe(value);
    throw new Problem(path, `must be a field (f.*), got ${got}; known field kinds: ${fieldKinds.join(', ')}`);
  }
  const unknownOption = unknownFieldOptions(value)[0];
  if (unknownOption) throw new Problem(path, unknownOption);
  if ((relationKinds as readonly string[]).includes(value.kind)) {
    expect(typeof value.to === 'string' && value.to !== '', `${path}.to`, "the target model as a string ('shop.Client')", value.to);
    if (value.through !== undefined) expect(typeof value.through === 'string', `${path}.through`, 'a model name string', value.through);
  }
  if (value.kind === 'foreignKey' || value.kind === 'oneToOne') {
    expect(onDeletes.includes(value.onDelete as string), `${path}.onDelete`, `one of ${onDeletes.join(', ')}`, value.onDelete);
  }
  for (const key of ['maxLength', 'maxDigits', 'decimalPlaces']) {
    if (value[key] !== undefined) expect(Number.isInteger(value[key]), `${path}.${key}`, 'an integer', value[key]);
  }
  // `null: 'yes'` ran as a NOT NULL column (found by the reliability hostile-input tests).
  for (const key of ['null', 'unique', 'dbIndex', 'primaryKey', 'blank', 'editable', 'dbConstraint']) {
    if (value[key] !== undefined) expect(typeof value[key] === 'boolean', `${path}.${key}`, 'true or false', value[key]);
  }
  for (const key of ['dbColumn', 'dbComment', 'dbTable', 'relatedName', 'toField']) {
    if (value[key] !== undefined) expect(typeof value[key] === 'string', `${path}.${key}`, 'a string', value[key]);
  }
  const callable = isObject(value.default) && value.default.kind === 'callable';
  if (callable) {
    const name = (value.default as Record<string, unknown>).name;
    expect(name === 'now' || name === 'uuid4', `${path}.default`, 'f.now or f.uuid4', value.default);
  }
  for (const key of callable ? ['dbDefault', 'choices'] : ['default', 'dbDefault', 'choices']) {
    if (value[key] !== undefined) expect(isLiteral(value[key]), `${path}.${key}`, 'a literal (string, number, boolean, null, array, plain object)', value[key]);
  }
}

function checkModelOptions(value: unknown, path: string): void {
  expect(isObject(value) && !Array.isArray(value), path, 'an object of model options', value);
  const options = value as Record<string, unknown>;
  const unknownOption = unknownModelOptions(options)[0];
  if (unknownOption) throw new Problem(path, unknownOption);
  if (options.indexes !== undefined) {
    expect(Array.isArray(options.indexes), `${path}.indexes`, 'a list of index(...)', options.indexes);
    items(options.indexes as unknown[]).forEach((index, i) => checkIndex(index, `${path}.indexes[${i}]`));
  }
  if (options.constraints !== undefined) {
    expect(Array.isArray(options.constraints), `${path}.constraints`, 'a list of unique(...) / check(...)', options.constraints);
    items(options.constraints as unknown[]).forEach((c, i) => checkConstraint(c, `${path}.constraints[${i}]`));
  }
  if (options.uniqueTogether !== undefined) {
    expect(isStringLists(options.uniqueTogether), `${path}.uniqueTogether`, "a list of lists of field names ([['a', 'b']])", options.uniqueTogether);
  }
}

function checkIndex(value: unknown, path: string): void {
  expect(isObject(value) && value.kind === 'index', path, 'an index(...)', value);
  checkNamedParts(value as Record<string, unknown>, path);
}

function checkConstraint(value: unknown, path: string): void {
  if (isObject(value) && value.kind === 'check') {
    expect(typeof value.check === 'string' && value.check !== '', `${path}.check`, 'an SQL expression string', value.check);
    if (value.name !== undefined) expect(typeof value.name === 'string', `${path}.name`, 'a string', value.name);
    return;
  }
  expect(isObject(value) && value.kind === 'unique', path, 'a constraint (unique(...) or check(...))', value);
  checkNamedParts(value as Record<string, unknown>, path);
}

function checkNamedParts(value: Record<string, unknown>, path: string): void {
  const fields = value.fields;
  expect(Array.isArray(fields) && fields.length > 0 && items(fields).every((f) => typeof f === 'string'), `${path}.fields`, 'a non-empty list of field names', fields);
  for (const key of ['name', 'condition']) {
    if (value[key] !== undefined) expect(typeof value[key] === 'string', `${path}.${key}`, 'a string', value[key]);
  }
}

function isStringLists(value: unknown): boolean {
  return Array.isArray(value) && items(value).every((set) => Array.isArray(set) && items(set).every((name) => typeof name === 'string'));
}

function isNoop(value: unknown): boolean {
  return isObject(value) && value.kind === 'noop';
}

function isLiteral(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return true;
  if (Array.isArray(value)) return items(value).every(isLiteral);
  if (!isObject(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && Object.values(value).every(isLiteral);
}

function expect(ok: boolean, path: string, what: string, value: unknown): void {
  if (!ok) throw new Problem(path, `must be ${what}, got ${describe(value)}`);
}

/**
 * The elements of a list, holes included as undefined: forEach and every skip holes, so
 * `operations: [op, , op]` (a stray comma in a hand-edited file) passed validation and failed later
 * on `undefined.kind` (found by the reliability loader fuzz test).
 */
function items(list: readonly unknown[]): unknown[] {
  return Array.from(list);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A short description of a value for messages. */
export function describe(value: unknown): string {
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (value === undefined) return 'undefined';
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

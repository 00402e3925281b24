import { unknownFieldOptions, unknownModelOptions } from './known-options.js';
import { InvalidDefinitionError } from '../errors/index.js';
import type { ColumnNaming } from '../state/names.js';
import { generatedName, MAX_IDENTIFIER_BYTES, Naming, shortHash } from '../state/names.js';
import { compactOptions } from '../state/normalize.js';
import type { ModelState } from '../state/project-state.js';
import { ProjectState } from '../state/project-state.js';
import type { Field, ForeignKeyField, ManyToManyField, ModelReference, OnDelete } from './fields.js';
import { isAutoField, isForeignKey, relationKinds, scalarKinds } from './fields.js';
import type { Constraint, IndexDefinition, ModelDefinition, ModelOptions } from './model.js';

/**
 * Turns what each app's models.ts exports into a ProjectState: relation references become qualified
 * `'app.Model'` strings, unnamed indexes and constraints get deterministic names, options that only
 * restate a default are dropped (so that writing `null: false` never produces a migration), and every
 * mistake in the definitions is reported at once, as one InvalidDefinitionError naming each problem.
 *
 * @example
 * const state = projectStateFromModels([['shop', [Client, Computer]], ['billing', [Invoice]]]);
 */
export function projectStateFromModels(
  apps: readonly (readonly [label: string, models: readonly ModelDefinition[]])[],
  options: { columnNaming?: ColumnNaming } = {},
): ProjectState {
  const problems: string[] = [];
  const registry = registerModels(apps, problems);
  const naming = new Naming(options.columnNaming ?? 'snake_case');
  const models: ModelState[] = [];
  for (const entry of registry.entries) {
    models.push(collectModel(entry, registry, naming, problems));
  }
  const state = ProjectState.of(models);
  checkProject(state, naming, problems);
  if (problems.length > 0) {
    const summary = problems.length === 1 ? 'Invalid model definition' : `${problems.length} problems in the model definitions`;
    throw new InvalidDefinitionError(`${summary}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      hint: 'Fix the models files named above; nothing was written.',
    });
  }
  return state;
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A value in a message. Not JSON.stringify alone: a models file may hold anything, and a BigInt made
 * the message itself throw a TypeError (found by the reliability fuzz test of models files).
 */
function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value === 'bigint' ? `${value}n` : Object.prototype.toString.call(value);
  }
}

interface Entry {
  readonly app: string;
  readonly definition: ModelDefinition;
}

interface Registry {
  readonly entries: readonly Entry[];
  /** app -> lowercase model name -> declared name. */
  readonly names: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Model values, by identity, to the app that exports them. */
  readonly owners: ReadonlyMap<ModelDefinition, string>;
}

function registerModels(apps: readonly (readonly [string, readonly ModelDefinition[]])[], problems: string[]): Registry {
  const entries: Entry[] = [];
  const names = new Map<string, Map<string, string>>();
  const owners = new Map<ModelDefinition, string>();
  for (const [app, definitions] of apps) {
    if (!identifier.test(app)) problems.push(`app label ${show(app)} is not a valid identifier`);
    if (names.has(app)) {
      problems.push(`app ${app} is listed twice`);
      continue;
    }
    const byName = new Map<string, string>();
    names.set(app, byName);
    for (const definition of definitions) {
      if (definition?.kind !== 'model' || typeof definition.name !== 'string') {
        problems.push(`app ${app} exports something that is not a model() as a model`);
        continue;
      }
      if (!identifier.test(definition.name)) {
        problems.push(`${app}: model name ${show(definition.name)} is not a valid identifier`);
        continue;
      }
      const owner = owners.get(definition);
      if (owner !== undefined) {
        problems.push(
          `the model ${definition.name} is exported by both ${owner} and ${app}; a model belongs to one app ` +
            `(remove the re-export and refer to it as '${owner}.${definition.name}')`,
        );
        continue;
      }
      const lower = definition.name.toLowerCase();
      const existing = byName.get(lower);
      if (existing !== undefined) {
        problems.push(`app ${app} declares two models named ${existing} and ${definition.name} (model names are case-insensitive)`);
        continue;
      }
      byName.set(lower, definition.name);
      owners.set(definition, app);
      entries.push({ app, definition });
    }
  }
  return { entries, names, owners };
}

/** Resolves a reference as written in `app`'s models file to `'app.Model'`, or reports why it cannot. */
function resolveModelReference(
  reference: ModelReference,
  app: string,
  self: string,
  registry: Registry,
  where: string,
  problems: string[],
): string | undefined {
  if (typeof reference === 'object' && reference !== null) {
    const owner = registry.owners.get(reference as ModelDefinition);
    if (owner === undefined) {
      problems.push(`${where} refers to the model value ${reference.name}, which no app's models.ts exports`);
      return undefined;
    }
    return `${owner}.${reference.name}`;
  }
  if (typeof reference !== 'string' || reference.length === 0) {
    problems.push(`${where} has an invalid model reference ${show(reference)}`);
    return undefined;
  }
  const text = reference === 'self' ? self : reference;
  const dot = text.indexOf('.');
  const targetApp = dot === -1 ? app : text.slice(0, dot);
  const targetName = dot === -1 ? text : text.slice(dot + 1);
  const models = registry.names.get(targetApp);
  if (!models) {
    const known = [...registry.names.keys()].sort().join(', ');
    problems.push(`${where} refers to ${show(reference)}, but there is no app ${targetApp} (apps: ${known})`);
    return undefined;
  }
  const declared = models.get(targetName.toLowerCase());
  if (declared === undefined) {
    const known = [...models.values()].sort().join(', ') || 'no models';
    problems.push(`${where} refers to ${show(reference)}, but app ${targetApp} has no model ${targetName} (it has: ${known})`);
    return undefined;
  }
  return `${targetApp}.${declared}`;
}

function collectModel(entry: Entry, registry: Registry, naming: Naming, problems: string[]): ModelState {
  const { app, definition } = entry;
  const id = `${app}.${definition.name}`;
  const fields: (readonly [string, Field])[] = [];
  const given = definition.fields ?? {};
  if (typeof given !== 'object' || Array.isArray(given)) problems.push(`${id}: the fields (the second argument of model()) must be an object of f.* fields`);
  for (const [name, field] of typeof given === 'object' && !Array.isArray(given) ? Object.entries(given) : []) {
    const where = `${id}.${name}`;
    checkFieldName(name, where, problems);
    if (!isKnownField(field)) {
      problems.push(`${where} is not a field (use one of the f.* constructors)`);
      continue;
    }
    fields.push([name, canonicalField(qualifyField(field, app, definition.name, registry, where, problems))]);
  }
  const partial: ModelState = { app, name: definition.name, fields, options: {} };
  const options = collectOptions(partial, definition.options ?? {}, naming, problems);
  return { ...partial, options };
}

function isKnownField(field: unknown): field is Field {
  const kind = (field as { kind?: unknown } | undefined)?.kind;
  return (scalarKinds as readonly unknown[]).includes(kind) || (relationKinds as readonly unknown[]).includes(kind);
}

function checkFieldName(name: string, where: string, problems: string[]): void {
  if (!identifier.test(name)) problems.push(`${where}: field name is not a valid identifier`);
  else if (name.includes('__')) problems.push(`${where}: field names cannot contain "__" (it separates lookups)`);
  else if (name.endsWith('_')) problems.push(`${where}: field names cannot end with an underscore`);
  else if (name === 'pk') problems.push(`${where}: "pk" is reserved for the primary key shortcut`);
}

function qualifyField(field: Field, app: string, model: string, registry: Registry, where: string, problems: string[]): Field {
  if (field.kind === 'manyToMany') {
    const to = resolveModelReference(field.to, app, model, registry, where, problems) ?? show(field.to);
    const through =
      field.through === undefined
        ? undefined
        : resolveModelReference(field.through, app, model, registry, `${where} (through)`, problems) ?? show(field.through);
    return through === undefined ? { ...field, to } : { ...field, to, through };
  }
  if (isForeignKey(field)) {
    const to = resolveModelReference(field.to, app, model, registry, where, problems) ?? show(field.to);
    return { ...field, to };
  }
  return field;
}

const optionDefaults: Readonly<Record<string, unknown>> = {
  null: false, unique: false, dbIndex: false, primaryKey: false, blank: false, editable: true, dbConstraint: true,
};

/**
 * Drops options that restate the default, as Django's field deconstruction does, so that adding or
 * removing `null: false` in a models file (or a hand-written migration) is not a change.
 */
export function canonicalField(field: Field): Field {
  const out: Record<string, unknown> = {};
  // A foreign key is indexed unless it says dbIndex: false (Django's ForeignKey db_index=True).
  const defaults = field.kind === 'foreignKey' || field.kind === 'oneToOne' ? { ...optionDefaults, dbIndex: true } : optionDefaults;
  for (const [key, value] of Object.entries(field)) {
    if (value === undefined) continue;
    if (key in defaults && defaults[key] === value) continue;
    out[key] = value;
  }
  return out as unknown as Field;
}

/**
 * The name given to an unnamed index() or unique() of a model's options. It always carries a hash
 * of its definition, so it can never equal the name the database layer derives for a field's own
 * index or unique constraint (`table_column_idx`): both kinds may exist on the same columns.
 */
function declaredName(table: string, columns: readonly string[], condition: string | undefined, suffix: 'idx' | 'uniq'): string {
  const hash = shortHash(`${suffix}\u0000${columns.join('\u0000')}\u0000${condition ?? ''}`);
  return generatedName(table, [...columns, hash], suffix);
}

function collectOptions(model: ModelState, given: ModelOptions, naming: Naming, problems: string[]): ModelOptions {
  const id = `${model.app}.${model.name}`;
  if (typeof given === 'object' && given !== null) {
    for (const problem of unknownModelOptions(given as Record<string, unknown>)) problems.push(`${id}: ${problem}`);
  }
  const options = wellShapedOptions(id, given, problems);
  checkRawSql(id, options, problems);
  const table = naming.table({ app: model.app, name: model.name, options });
  const columnsOf = (fields: readonly string[]) =>
    fields.map((name) => {
      const field = model.fields.find(([n]) => n === name)?.[1];
      return field ? naming.column(name, field) : name;
    });
  const indexes = (options.indexes ?? []).map((index, i) => {
    if (index?.kind !== 'index') {
      problems.push(`${id}: indexes[${i}] is not an index() definition`);
      return index;
    }
    checkFieldList(model, index.fields, `${id}: index ${index.name ?? `#${i + 1}`}`, problems);
    if (index.name !== undefined) {
      checkGivenName(id, index.name, problems);
      return index;
    }
    return { ...index, name: declaredName(table, columnsOf(index.fields), index.condition, 'idx') } satisfies IndexDefinition;
  });
  const constraints = (options.constraints ?? []).map((constraint, i): Constraint => {
    const label = `${id}: constraint ${constraint?.name ?? `#${i + 1}`}`;
    if (constraint?.kind === 'unique') {
      checkFieldList(model, constraint.fields, label, problems);
      if (constraint.name !== undefined) {
        checkGivenName(id, constraint.name, problems);
        return constraint;
      }
      return { ...constraint, name: declaredName(table, columnsOf(constraint.fields), constraint.condition, 'uniq') };
    }
    if (constraint?.kind === 'check') {
      if (typeof constraint.check !== 'string' || constraint.check.trim() === '') problems.push(`${label}: the check expression is empty`);
      if (constraint.name !== undefined) {
        checkGivenName(id, constraint.name, problems);
        return constraint;
      }
      return { ...constraint, name: generatedName(table, [shortHash(String(constraint.check))], 'check') };
    }
    problems.push(`${id}: constraints[${i}] is not a unique() or check() definition`);
    return constraint;
  });
  for (const [i, set] of (options.uniqueTogether ?? []).entries()) {
    checkFieldList(model, set, `${id}: uniqueTogether[${i}]`, problems);
  }
  for (const entry of options.ordering ?? []) {
    const name = entry.replace(/^-/, '');
    if (entry === '?' || name.includes('__')) continue;
    if (!model.fields.some(([n]) => n === name)) {
      problems.push(`${id}: ordering names ${show(entry)}, but ${model.name} has no field ${name} (fields: ${fieldList(model)})`);
    }
  }
  if (options.dbTable !== undefined && (typeof options.dbTable !== 'string' || options.dbTable.trim() === '')) {
    problems.push(`${id}: dbTable must be a non-empty string`);
  } else if (options.dbTable !== undefined && Buffer.byteLength(options.dbTable) > MAX_IDENTIFIER_BYTES) {
    // PostgreSQL would cut it; makemigrations wrote it and migrate failed (found by the reliability tests).
    problems.push(`${id}: dbTable ${show(options.dbTable)} is longer than ${MAX_IDENTIFIER_BYTES} bytes, the database would cut it`);
  }
  // `managed: true` is the default; keeping it would make it a difference from the migrations' state.
  const { managed, ...rest } = options;
  return compactOptions({ ...rest, ...(managed === false ? { managed } : {}), indexes, constraints });
}

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && Array.from(value).every((x) => typeof x === 'string');
const optionalString = (value: unknown) => value === undefined || typeof value === 'string';

/**
 * The options with every part of the wrong shape reported and left out, so that the checks below can
 * trust what they read. TypeScript checks these shapes in a models file, but not in plain JavaScript
 * or behind an `as`: `indexes: 'x'` or `constraints: [null]` crashed the collector with a TypeError
 * (found by the reliability fuzz test of models files).
 */
/**
 * `check()` expressions and index / unique `condition`s are raw SQL by design (Django's Q objects
 * have no TypeScript equivalent yet), pasted into the DDL. One statement only: a `;` outside quotes
 * would end it and run what follows inside the migration's transaction.
 */
function checkRawSql(id: string, options: ModelOptions, problems: string[]): void {
  const pieces: [string, unknown][] = [
    ...(options.indexes ?? []).map((index, i) => [`indexes[${i}].condition`, index?.condition] as [string, unknown]),
    ...(options.constraints ?? []).map((c, i) => [`constraints[${i}].${c?.kind === 'check' ? 'check' : 'condition'}`, c?.kind === 'check' ? c.check : (c as { condition?: unknown })?.condition] as [string, unknown]),
  ];
  for (const [where, sql] of pieces) {
    if (typeof sql !== 'string') continue;
    const outsideQuotes = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"/g, '');
    if (outsideQuotes.includes(';')) {
      problems.push(`${id}: ${where} is raw SQL and must be one expression, but it holds a ';' (${show(sql)})`);
    }
  }
}

function wellShapedOptions(id: string, options: unknown, problems: string[]): ModelOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    problems.push(`${id}: the model options (the third argument of model()) must be an object`);
    return {};
  }
  const out: Record<string, unknown> = { ...options };
  const list = (key: string, [many, one]: readonly [string, string], ok: (item: unknown) => boolean) => {
    const value = out[key];
    if (value === undefined) return;
    if (!Array.isArray(value)) {
      problems.push(`${id}: ${key} must be a list of ${many}, got ${show(value)}`);
      delete out[key];
      return;
    }
    const items = Array.from(value as unknown[]);
    items.forEach((item, i) => {
      if (!ok(item)) problems.push(`${id}: ${key}[${i}] is not ${one}, got ${show(item)}`);
    });
    out[key] = items.filter(ok);
  };
  const fieldsAndNames = (x: Record<string, unknown>) => isStringList(x.fields) && optionalString(x.name) && optionalString(x.condition);
  const isIndex = (x: unknown) => typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'index' && fieldsAndNames(x as Record<string, unknown>);
  list('indexes', ['index() definitions', 'an index() definition'], isIndex);
  list('constraints', ['unique() or check() definitions', 'a unique() or check() definition'], (x) => {
    if (typeof x !== 'object' || x === null) return false;
    const c = x as Record<string, unknown>;
    if (c.kind === 'unique') return fieldsAndNames(c);
    return c.kind === 'check' && typeof c.check === 'string' && optionalString(c.name);
  });
  list('uniqueTogether', ['lists of field names', 'a list of field names'], isStringList);
  list('ordering', ['field names', 'a field name'], (x) => typeof x === 'string');
  for (const key of ['dbTable', 'dbComment', 'verboseName', 'verboseNamePlural']) {
    if (!optionalString(out[key])) {
      problems.push(`${id}: ${key} must be a string, got ${show(out[key])}`);
      delete out[key];
    }
  }
  if (out.managed !== undefined && typeof out.managed !== 'boolean') {
    problems.push(`${id}: managed must be true or false, got ${show(out.managed)}`);
    delete out.managed;
  }
  return out as ModelOptions;
}

/**
 * A name the user gave an index or constraint must be an identifier. Only a given name: a generated one
 * is built from the table and column names, which may legally hold quotes, spaces or non-ASCII letters
 * (`dbTable: 'Order "items"'`) and are always quoted; checking those too refused every unnamed index on
 * such a table (found by the reliability round trip).
 */
function checkGivenName(id: string, name: unknown, problems: string[]): void {
  if (typeof name !== 'string' || !identifier.test(name)) problems.push(`${id}: index or constraint name ${show(name)} is not a valid identifier`);
}

function fieldList(model: ModelState): string {
  return model.fields.map(([n]) => n).join(', ') || 'none';
}

function checkFieldList(model: ModelState, fields: readonly string[] | undefined, label: string, problems: string[]): void {
  if (!Array.isArray(fields) || fields.length === 0) {
    problems.push(`${label} names no fields`);
    return;
  }
  const seen = new Set<string>();
  for (const name of fields) {
    const field = model.fields.find(([n]) => n === name)?.[1];
    if (!field) problems.push(`${label} names the field ${show(name)}, which ${model.name} does not have (fields: ${fieldList(model)})`);
    else if (field.kind === 'manyToMany') problems.push(`${label} names the many-to-many field ${name}, which has no column`);
    if (seen.has(name)) problems.push(`${label} names ${name} twice`);
    seen.add(name);
  }
}

const onDeleteValues: readonly OnDelete[] = ['cascade', 'protect', 'restrict', 'setNull', 'setDefault', 'doNothing'];

/** Checks that need the whole project: relations' targets, keys, name clashes. */
function checkProject(state: ProjectState, naming: Naming, problems: string[]): void {
  const tables = new Map<string, string>();
  const objectNames = new Map<string, string>();
  for (const model of state.models()) {
    const id = `${model.app}.${model.name}`;
    checkModelFields(state, model, naming, problems);
    checkDuplicateUniques(model, problems);
    const table = naming.table(model);
    const other = tables.get(table);
    if (other) problems.push(`${id} and ${other} both use the table ${table}`);
    tables.set(table, id);
    for (const named of [...(model.options.indexes ?? []), ...(model.options.constraints ?? [])]) {
      const name = named.name!;
      if (typeof name !== 'string') continue;
      if (Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES) {
        problems.push(`${id}: the name ${name} is longer than ${MAX_IDENTIFIER_BYTES} bytes, the database would cut it`);
      }
      const owner = objectNames.get(name);
      if (owner) problems.push(`the name ${name} is used by two indexes or constraints (${owner} and ${id}); names are unique per database`);
      objectNames.set(name, id);
    }
  }
}

/**
 * Two ways of making the same fields unique (`unique: true`, uniqueTogether, unique()) are a mistake:
 * PostgreSQL keeps only one of two equal UNIQUE constraints in a CREATE TABLE, so the history and the
 * database would disagree about which exists.
 */
function checkDuplicateUniques(model: ModelState, problems: string[]): void {
  const seen = new Map<string, string>();
  const add = (fields: readonly string[], what: string) => {
    const key = [...fields].sort().join('\u0000');
    const other = seen.get(key);
    if (other) problems.push(`${model.app}.${model.name}: ${other} and ${what} both make (${fields.join(', ')}) unique; keep one of them`);
    else seen.set(key, what);
  };
  for (const [name, field] of model.fields) {
    if (field.kind === 'manyToMany') continue;
    if (field.primaryKey) add([name], `the primary key ${name}`);
    else if (field.unique || field.kind === 'oneToOne') add([name], `the field ${name} (unique)`);
  }
  for (const set of model.options.uniqueTogether ?? []) add(set, `uniqueTogether [${set.join(', ')}]`);
  for (const constraint of model.options.constraints ?? []) {
    if (constraint.kind === 'unique' && !constraint.condition) add(constraint.fields, `the constraint ${constraint.name}`);
  }
}

function checkModelFields(state: ProjectState, model: ModelState, naming: Naming, problems: string[]): void {
  const id = `${model.app}.${model.name}`;
  const keys = model.fields.filter(([, field]) => field.kind !== 'manyToMany' && field.primaryKey);
  if (keys.length === 0) problems.push(`${id} has no primary key (model() adds id unless a field sets primaryKey: true)`);
  if (keys.length > 1) problems.push(`${id} has ${keys.length} primary keys (${keys.map(([n]) => n).join(', ')}); a model has exactly one`);
  const columns = new Map<string, string>();
  const lowerNames = new Map<string, string>();
  for (const [name, field] of model.fields) {
    const where = `${id}.${name}`;
    const lower = name.toLowerCase();
    if (lowerNames.has(lower)) problems.push(`${id} has fields ${lowerNames.get(lower)} and ${name}, which differ only in case`);
    lowerNames.set(lower, name);
    if (field.kind !== 'manyToMany') {
      const column = naming.column(name, field);
      if (columns.has(column)) problems.push(`${id}: fields ${columns.get(column)} and ${name} both use the column ${column}`);
      columns.set(column, name);
    }
    checkField(state, model, field, where, problems);
  }
}

/**
 * Options whose type TypeScript checks in a models file, but not in plain JavaScript or behind an `as`:
 * `null: 'yes'` was written to the migration as it was and made a NOT NULL column (found by the
 * reliability hostile-input tests).
 */
const booleanOptions = ['null', 'unique', 'dbIndex', 'primaryKey', 'blank', 'editable', 'dbConstraint'] as const;
const stringOptions = ['dbColumn', 'dbComment', 'helpText', 'verboseName', 'relatedName', 'toField', 'dbTable'] as const;

function checkOptionTypes(field: Field, where: string, problems: string[]): void {
  const options = field as unknown as Record<string, unknown>;
  for (const key of booleanOptions) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') problems.push(`${where}: ${key} must be true or false, got ${show(options[key])}`);
  }
  for (const key of stringOptions) {
    const value = options[key];
    if (value === undefined) continue;
    const named = key === 'dbColumn' || key === 'dbTable';
    if (typeof value !== 'string' || (named && value === '')) problems.push(`${where}: ${key} must be a ${named ? 'non-empty ' : ''}string, got ${show(value)}`);
    else if ((key === 'dbColumn' || key === 'dbTable') && Buffer.byteLength(value) > MAX_IDENTIFIER_BYTES) {
      problems.push(`${where}: ${key} ${show(value)} is longer than ${MAX_IDENTIFIER_BYTES} bytes, the database would cut it`);
    }
  }
}

function checkField(state: ProjectState, model: ModelState, field: Field, where: string, problems: string[]): void {
  for (const problem of unknownFieldOptions(field as unknown as Record<string, unknown>)) problems.push(`${where}: ${problem}`);
  checkOptionTypes(field, where, problems);
  if (field.kind === 'manyToMany') {
    checkManyToMany(state, model, field, where, problems);
    return;
  }
  if (field.primaryKey && field.null) problems.push(`${where}: a primary key cannot be null: true`);
  if (isAutoField(field) && !field.primaryKey) problems.push(`${where}: f.${field.kind}() must be the primary key (primaryKey: true)`);
  if ('maxLength' in field && field.maxLength !== undefined && !(Number.isInteger(field.maxLength) && field.maxLength > 0)) {
    problems.push(`${where}: maxLength must be a positive integer`);
  }
  if (field.kind === 'decimal') {
    const { maxDigits, decimalPlaces } = field;
    if (!Number.isInteger(maxDigits) || maxDigits! < 1) problems.push(`${where}: maxDigits must be a positive integer`);
    else if (!Number.isInteger(decimalPlaces) || decimalPlaces! < 0) problems.push(`${where}: decimalPlaces must be an integer >= 0`);
    else if (decimalPlaces! > maxDigits!) problems.push(`${where}: decimalPlaces (${decimalPlaces}) cannot exceed maxDigits (${maxDigits})`);
  }
  if (isForeignKey(field)) checkForeignKey(state, field, where, problems);
}

function checkForeignKey(state: ProjectState, field: ForeignKeyField, where: string, problems: string[]): void {
  if (!onDeleteValues.includes(field.onDelete)) {
    problems.push(`${where}: onDelete must be one of ${onDeleteValues.join(', ')}`);
  }
  if (field.onDelete === 'setNull' && !field.null) problems.push(`${where}: onDelete: 'setNull' needs null: true`);
  if (field.onDelete === 'setDefault' && field.default === undefined && field.dbDefault === undefined) {
    problems.push(`${where}: onDelete: 'setDefault' needs a default`);
  }
  const target = state.resolve(field.to as string, '');
  if (!target) return;
  if (field.toField !== undefined) {
    const toField = target.fields.find(([n]) => n === field.toField)?.[1];
    if (!toField) {
      problems.push(`${where}: toField ${field.toField} does not exist on ${target.app}.${target.name} (fields: ${fieldList(target)})`);
    } else if (toField.kind === 'manyToMany') {
      problems.push(`${where}: toField ${field.toField} is a many-to-many field`);
    } else if (!toField.primaryKey && !toField.unique && !uniqueByConstraint(target, field.toField)) {
      problems.push(`${where}: toField ${target.app}.${target.name}.${field.toField} must be unique (unique: true or the primary key)`);
    }
  }
}

function uniqueByConstraint(model: ModelState, fieldName: string): boolean {
  return (model.options.constraints ?? []).some(
    (c) => c.kind === 'unique' && !c.condition && c.fields.length === 1 && c.fields[0] === fieldName,
  );
}

function checkManyToMany(state: ProjectState, model: ModelState, field: ManyToManyField, where: string, problems: string[]): void {
  if (field.through === undefined) return;
  const through = state.resolve(field.through as string, '');
  const target = state.resolve(field.to as string, '');
  if (!through || !target) return;
  const pointsAt = (m: ModelState) =>
    through.fields.some(([, f]) => isForeignKey(f) && (f.to as string).toLowerCase() === `${m.app}.${m.name}`.toLowerCase());
  if (!pointsAt(model) || !pointsAt(target)) {
    problems.push(
      `${where}: the through model ${through.app}.${through.name} needs a foreign key to ${model.app}.${model.name} ` +
        `and one to ${target.app}.${target.name}`,
    );
  }
}

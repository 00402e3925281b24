import { relationKinds, scalarKinds } from '../model/fields.js';
import type { Operation } from '../operations/types.js';
import { MigrationRenderError } from './errors.js';
import { array, call, object, raw, type Expr } from './layout.js';
import { isPlainObject, literal, propertyKey, quote } from './literal.js';
import {
  fieldOptionOrder, isOperationKind, modelOptionOrder, operationKindNames, orderedKeys, shapeOf, type ArgType,
} from './operation-shapes.js';

/** The names a rendered file imports from 'sediment-migrations'; filled in while rendering. */
export type SedimentImport = 'check' | 'f' | 'index' | 'migration' | 'ops' | 'unique';

export interface RenderContext {
  readonly imports: Set<SedimentImport>;
}

/** `ops.addField({ model: 'Client', name: 'bought', field: f.integer({ null: true }) })` */
export function operationExpr(op: Operation, where: string, ctx: RenderContext): Expr {
  const kind = (op as { kind?: unknown }).kind;
  if (!isOperationKind(kind)) {
    throw new MigrationRenderError(
      `Cannot write ${where}: unknown operation kind ${JSON.stringify(kind)}; known kinds: ${operationKindNames.join(', ')}.`,
    );
  }
  const shape = shapeOf(kind);
  const unknown = Object.keys(op).filter((key) => key !== 'kind' && !(key in shape));
  if (unknown.length > 0) {
    throw new MigrationRenderError(
      `Cannot write ${where} (${kind}): unknown argument ${unknown.map((k) => JSON.stringify(k)).join(', ')}; ` +
        `${kind} takes ${Object.keys(shape).join(', ')}.`,
    );
  }
  const entries: (readonly [string, Expr])[] = [];
  for (const [key, arg] of Object.entries(shape)) {
    const value = (op as unknown as Record<string, unknown>)[key];
    if (value === undefined) {
      if (!arg.optional) throw new MigrationRenderError(`Cannot write ${where} (${kind}): "${key}" is missing.`);
      continue;
    }
    entries.push([key, argumentExpr(arg.type, value, `${where}.${key}`, ctx)]);
  }
  ctx.imports.add('ops');
  return call(`ops.${kind}`, object(entries));
}

function argumentExpr(type: ArgType, value: unknown, where: string, ctx: RenderContext): Expr {
  switch (type) {
    case 'string':
    case 'stringOrNull':
    case 'boolean':
    case 'stringLists':
      return literal(value, where);
    case 'field':
      return fieldExpr(value, where, ctx);
    case 'fields':
      return fieldsExpr(value, where, ctx);
    case 'modelOptions':
      return modelOptionsExpr(value, where, ctx);
    case 'index':
      return indexExpr(value, where, ctx);
    case 'constraint':
      return constraintExpr(value, where, ctx);
    case 'sql':
      return isNoop(value) ? noopExpr(ctx) : literal(value, where);
    case 'operations':
      if (!Array.isArray(value)) throw new MigrationRenderError(`Cannot write ${where}: expected a list of operations.`);
      return array(value.map((op: Operation, i) => operationExpr(op, `${where}[${i}]`, ctx)));
    case 'code':
    case 'codeOrNoop':
      if (type === 'codeOrNoop' && isNoop(value)) return noopExpr(ctx);
      throw new MigrationRenderError(
        `Cannot write ${where}: a runCode function exists only in the migration file someone wrote; it cannot be generated from data.`,
        { hint: 'Write data migrations by hand: `sediment makemigrations --empty` gives a file to start from.' },
      );
  }
}

function isNoop(value: unknown): boolean {
  return isPlainObject(value) && value.kind === 'noop' && Object.keys(value).length === 1;
}

function noopExpr(ctx: RenderContext): Expr {
  ctx.imports.add('ops');
  return raw('ops.noop');
}

function fieldsExpr(value: unknown, where: string, ctx: RenderContext): Expr {
  if (!isPlainObject(value)) throw new MigrationRenderError(`Cannot write ${where}: expected an object of fields.`);
  return object(Object.entries(value).map(([name, field]) => [propertyKey(name), fieldExpr(field, `${where}.${name}`, ctx)] as const));
}

const fieldKinds: readonly string[] = [...scalarKinds, ...relationKinds];

/** `f.char({ maxLength: 255 })`, `f.foreignKey('shop.Client', { onDelete: 'cascade' })`. */
export function fieldExpr(value: unknown, where: string, ctx: RenderContext): Expr {
  if (!isPlainObject(value) || typeof value.kind !== 'string' || !fieldKinds.includes(value.kind)) {
    throw new MigrationRenderError(`Cannot write ${where}: not a field (f.*); known field kinds: ${fieldKinds.join(', ')}.`);
  }
  ctx.imports.add('f');
  const { kind, to, ...options } = value;
  const isRelation = (relationKinds as readonly string[]).includes(kind);
  const args: Expr[] = [];
  if (isRelation) {
    if (typeof to !== 'string') {
      throw new MigrationRenderError(`Cannot write ${where}: a relation target in a migration is a string 'app.Model', got ${typeof to}.`);
    }
    args.push(raw(quote(to)));
  } else if (to !== undefined) {
    (options as Record<string, unknown>).to = to;
  }
  const entries = orderedKeys(options, fieldOptionOrder)
    .filter((key) => options[key] !== undefined)
    .map((key) => [propertyKey(key), fieldOptionExpr(key, options[key], `${where}.${key}`, ctx)] as const);
  if (entries.length > 0) args.push(object(entries));
  return call(`f.${kind}`, ...args);
}

function fieldOptionExpr(key: string, value: unknown, where: string, ctx: RenderContext): Expr {
  if (key === 'default' && isPlainObject(value) && value.kind === 'callable') {
    if (value.name !== 'now' && value.name !== 'uuid4') {
      throw new MigrationRenderError(`Cannot write ${where}: unknown callable default ${JSON.stringify(value.name)} (known: f.now, f.uuid4).`);
    }
    ctx.imports.add('f');
    return raw(`f.${value.name}`);
  }
  return literal(value, where);
}

function modelOptionsExpr(value: unknown, where: string, ctx: RenderContext): Expr {
  if (!isPlainObject(value)) throw new MigrationRenderError(`Cannot write ${where}: expected an object of model options.`);
  const entries = orderedKeys(value, modelOptionOrder)
    .filter((key) => value[key] !== undefined)
    .map((key): readonly [string, Expr] => {
      const item = value[key];
      const at = `${where}.${key}`;
      if (key === 'indexes' && Array.isArray(item)) return [key, array(item.map((x, i) => indexExpr(x, `${at}[${i}]`, ctx)))];
      if (key === 'constraints' && Array.isArray(item)) {
        return [key, array(item.map((x, i) => constraintExpr(x, `${at}[${i}]`, ctx)))];
      }
      return [propertyKey(key), literal(item, at)];
    });
  return object(entries);
}

/** The DSL call's options object: only the given keys, in order; anything else cannot be written. */
function dslOptions(value: Record<string, unknown>, allowed: readonly string[], where: string, what: string): Expr[] {
  const extra = Object.keys(value).filter((key) => !allowed.includes(key) && value[key] !== undefined);
  if (extra.length > 0) throw new MigrationRenderError(`Cannot write ${where}: ${what} has no option ${extra.join(', ')}.`);
  const entries = allowed
    .filter((key) => key !== 'kind' && key !== 'fields' && key !== 'check' && value[key] !== undefined)
    .map((key) => [key, literal(value[key], `${where}.${key}`)] as const);
  return entries.length > 0 ? [object(entries)] : [];
}

/** `index(['brand'], { name: 'shop_computer_brand_idx' })` */
function indexExpr(value: unknown, where: string, ctx: RenderContext): Expr {
  if (!isPlainObject(value) || value.kind !== 'index') throw new MigrationRenderError(`Cannot write ${where}: not an index(...).`);
  ctx.imports.add('index');
  return call('index', literal(value.fields, `${where}.fields`), ...dslOptions(value, ['kind', 'fields', 'name', 'condition'], where, 'index()'));
}

/** `unique(['a', 'b'], { name })` or `check('price > 0', { name })` */
function constraintExpr(value: unknown, where: string, ctx: RenderContext): Expr {
  if (isPlainObject(value) && value.kind === 'unique') {
    ctx.imports.add('unique');
    return call('unique', literal(value.fields, `${where}.fields`), ...dslOptions(value, ['kind', 'fields', 'name', 'condition'], where, 'unique()'));
  }
  if (isPlainObject(value) && value.kind === 'check') {
    ctx.imports.add('check');
    return call('check', literal(value.check, `${where}.check`), ...dslOptions(value, ['kind', 'check', 'name'], where, 'check()'));
  }
  throw new MigrationRenderError(`Cannot write ${where}: not a constraint (unique(...) or check(...)).`);
}

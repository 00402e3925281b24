import { f, type Field } from './fields.js';

/** `index(['brand'], { name })`: a (possibly partial or multi-column) index. Field names, not columns. */
export interface IndexDefinition {
  readonly kind: 'index';
  readonly fields: readonly string[];
  readonly name?: string;
  /** SQL predicate for a partial index (PostgreSQL, SQLite). */
  readonly condition?: string;
}

export interface UniqueConstraint {
  readonly kind: 'unique';
  readonly fields: readonly string[];
  readonly name?: string;
  /** SQL predicate: a partial unique index rather than a table constraint. */
  readonly condition?: string;
}

export interface CheckConstraint {
  readonly kind: 'check';
  /** SQL boolean expression over column names. */
  readonly check: string;
  readonly name?: string;
}

export type Constraint = UniqueConstraint | CheckConstraint;

export interface ModelOptions {
  readonly dbTable?: string;
  readonly indexes?: readonly IndexDefinition[];
  readonly constraints?: readonly Constraint[];
  readonly uniqueTogether?: readonly (readonly string[])[];
  /** false: Sediment records the model but never creates, alters or drops its table. */
  readonly managed?: boolean;
  readonly dbComment?: string;
  /** Options with no database effect, recorded for data migrations. */
  readonly ordering?: readonly string[];
  readonly verboseName?: string;
  readonly verboseNamePlural?: string;
}

/** A model as a models file declares it. The app is assigned when the app's models are collected. */
export interface ModelDefinition {
  readonly kind: 'model';
  readonly name: string;
  readonly fields: Readonly<Record<string, Field>>;
  readonly options: ModelOptions;
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Declares a model. Without a field that sets `primaryKey: true`, the model gets
 * `id: f.bigAuto({ primaryKey: true })` first, as Django's DEFAULT_AUTO_FIELD does.
 */
export function model(name: string, fields: Record<string, Field>, options: ModelOptions = {}): ModelDefinition {
  if (typeof name !== 'string' || !identifier.test(name)) {
    throw new TypeError(`model(): the model name must be an identifier, got ${JSON.stringify(name)}`);
  }
  const hasPrimaryKey = Object.values(fields).some((field) => field.kind !== 'manyToMany' && field.primaryKey);
  const all = hasPrimaryKey ? { ...fields } : { id: f.bigAuto({ primaryKey: true }), ...fields };
  return Object.freeze({ kind: 'model', name, fields: Object.freeze(all), options: Object.freeze({ ...options }) });
}

export function index(fields: readonly string[], options: { name?: string; condition?: string } = {}): IndexDefinition {
  return Object.freeze({ kind: 'index', fields: [...fields], ...defined(options) });
}

export function unique(fields: readonly string[], options: { name?: string; condition?: string } = {}): UniqueConstraint {
  return Object.freeze({ kind: 'unique', fields: [...fields], ...defined(options) });
}

export function check(expression: string, options: { name?: string } = {}): CheckConstraint {
  return Object.freeze({ kind: 'check', check: expression, ...defined(options) });
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

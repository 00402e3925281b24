/**
 * The field DSL (`f.*`). A field is readonly plain data with a `kind`: the same object is what a
 * models file declares, what a migration file stores, what the state holds and what the writer
 * prints back. Options are kept only when given, so two fields compare equal by their JSON.
 */

/** A callable default that runs in the application, never in the database: `f.now`, `f.uuid4`. */
export interface CallableDefault {
  readonly kind: 'callable';
  readonly name: 'now' | 'uuid4';
}

/** JSON-like literal values that a default, a choice or a `dbDefault` may hold. */
export type Literal = null | boolean | number | string | readonly Literal[] | { readonly [key: string]: Literal };

export type DefaultValue = Literal | CallableDefault;

export type Choices = readonly (readonly [Literal, string])[];

export interface CommonOptions {
  readonly null?: boolean;
  readonly default?: DefaultValue;
  /** A default kept in the database (`DEFAULT ...` stays on the column). */
  readonly dbDefault?: Literal;
  readonly unique?: boolean;
  readonly dbIndex?: boolean;
  readonly primaryKey?: boolean;
  readonly dbColumn?: string;
  readonly choices?: Choices;
  readonly dbComment?: string;
  /** Options with no database effect (help texts, validators' names, ...) are still recorded. */
  readonly blank?: boolean;
  readonly editable?: boolean;
  readonly helpText?: string;
  readonly verboseName?: string;
}

export type OnDelete = 'cascade' | 'protect' | 'restrict' | 'setNull' | 'setDefault' | 'doNothing';

export const scalarKinds = [
  'auto', 'bigAuto', 'smallAuto',
  'char', 'text', 'slug', 'email', 'url',
  'integer', 'bigInteger', 'smallInteger', 'positiveInteger',
  'float', 'decimal', 'boolean',
  'date', 'time', 'dateTime', 'duration',
  'uuid', 'json', 'binary',
] as const;
export type ScalarKind = (typeof scalarKinds)[number];

export const relationKinds = ['foreignKey', 'oneToOne', 'manyToMany'] as const;
export type RelationKind = (typeof relationKinds)[number];
export type FieldKind = ScalarKind | RelationKind;

export interface ScalarField extends CommonOptions {
  readonly kind: ScalarKind;
  /** `char`, `slug`, `email`, `url`. */
  readonly maxLength?: number;
  /** `decimal`. */
  readonly maxDigits?: number;
  readonly decimalPlaces?: number;
}

/**
 * A model reference as declared: `'Client'` (same app), `'shop.Client'`, or the model value itself.
 * In state and in migration files it is always the string `'app.Model'`.
 */
export type ModelReference = string | { readonly kind: 'model'; readonly name: string };

export interface ForeignKeyField extends CommonOptions {
  readonly kind: 'foreignKey' | 'oneToOne';
  readonly to: ModelReference;
  readonly onDelete: OnDelete;
  readonly relatedName?: string;
  readonly toField?: string;
  /** false: no FOREIGN KEY constraint in the database, the column and index only. */
  readonly dbConstraint?: boolean;
}

export interface ManyToManyField {
  readonly kind: 'manyToMany';
  readonly to: ModelReference;
  readonly through?: ModelReference;
  readonly relatedName?: string;
  /** Join table name override for the automatic join table. */
  readonly dbTable?: string;
  readonly blank?: boolean;
  readonly helpText?: string;
  readonly verboseName?: string;
}

export type RelationField = ForeignKeyField | ManyToManyField;
export type Field = ScalarField | RelationField;

type Opts<T> = Omit<T, 'kind'>;
type CharOptions = Opts<ScalarField> & { readonly maxLength: number };
type DecimalOptions = Opts<ScalarField> & { readonly maxDigits: number; readonly decimalPlaces: number };
type RelationOptions = Omit<Opts<ForeignKeyField>, 'to' | 'onDelete'> & { readonly onDelete: OnDelete };
type ManyToManyOptions = Omit<Opts<ManyToManyField>, 'to'>;

/** Drops keys whose value is undefined, so that equal fields have equal JSON. */
function clean<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
  return Object.freeze(out) as T;
}

function scalar(kind: ScalarKind) {
  return (options: Opts<ScalarField> = {}): ScalarField => clean({ kind, ...options });
}

function sized(kind: ScalarKind, defaultMaxLength?: number) {
  return (options?: Partial<CharOptions>): ScalarField => {
    const maxLength = options?.maxLength ?? defaultMaxLength;
    if (maxLength === undefined) throw new TypeError(`f.${kind}() needs { maxLength }`);
    return clean({ kind, ...options, maxLength });
  };
}

export const f = {
  auto: scalar('auto'),
  bigAuto: scalar('bigAuto'),
  smallAuto: scalar('smallAuto'),
  char: (options: CharOptions): ScalarField => sized('char')(options),
  text: scalar('text'),
  slug: sized('slug', 50),
  email: sized('email', 254),
  url: sized('url', 200),
  integer: scalar('integer'),
  bigInteger: scalar('bigInteger'),
  smallInteger: scalar('smallInteger'),
  positiveInteger: scalar('positiveInteger'),
  float: scalar('float'),
  decimal: (options: DecimalOptions): ScalarField => clean({ kind: 'decimal', ...options }),
  boolean: scalar('boolean'),
  date: scalar('date'),
  time: scalar('time'),
  dateTime: scalar('dateTime'),
  duration: scalar('duration'),
  uuid: scalar('uuid'),
  json: scalar('json'),
  binary: scalar('binary'),
  foreignKey: (to: ModelReference, options: RelationOptions): ForeignKeyField =>
    clean({ kind: 'foreignKey', to, ...options }),
  oneToOne: (to: ModelReference, options: RelationOptions): ForeignKeyField =>
    clean({ kind: 'oneToOne', to, ...options }),
  manyToMany: (to: ModelReference, options: ManyToManyOptions = {}): ManyToManyField =>
    clean({ kind: 'manyToMany', to, ...options }),
  /** Default: the current time, computed when a row is written. */
  now: Object.freeze({ kind: 'callable', name: 'now' }) as CallableDefault,
  /** Default: a random UUID, computed when a row is written. */
  uuid4: Object.freeze({ kind: 'callable', name: 'uuid4' }) as CallableDefault,
};

export function isRelation(field: Field): field is RelationField {
  return field.kind === 'foreignKey' || field.kind === 'oneToOne' || field.kind === 'manyToMany';
}

export function isForeignKey(field: Field): field is ForeignKeyField {
  return field.kind === 'foreignKey' || field.kind === 'oneToOne';
}

export function isManyToMany(field: Field): field is ManyToManyField {
  return field.kind === 'manyToMany';
}

/** Auto-incrementing key kinds: their values come from a sequence/identity. */
export function isAutoField(field: Field): boolean {
  return field.kind === 'auto' || field.kind === 'bigAuto' || field.kind === 'smallAuto';
}

/** True when the field has a column in its model's table (many-to-many fields do not). */
export function hasColumn(field: Field): boolean {
  return field.kind !== 'manyToMany';
}

export function isCallableDefault(value: unknown): value is CallableDefault {
  return typeof value === 'object' && value !== null && (value as CallableDefault).kind === 'callable';
}

export function isNullable(field: Field): boolean {
  return field.kind !== 'manyToMany' && field.null === true;
}

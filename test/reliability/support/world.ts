import type { OnDelete } from '../../../src/model/fields.js';

/**
 * A random project that evolves step by step, the way a team's models.ts files do: models created,
 * deleted and renamed (also when other apps point at them), fields of every kind added, removed,
 * renamed and altered, foreign keys (across apps, to themselves), many-to-many fields, indexes,
 * unique and check constraints, uniqueTogether, custom table names — on tables that already hold rows.
 *
 * Everything has a stable id, so a test knows what a step did (which table is which model after a
 * rename, which column is which field) without asking the code under test. fast-check generates
 * *proposals* (numbers that pick a model, a field, a change); `interpretStep` turns them into a valid
 * change of the world. The rules below keep every generated change one that a real project could
 * apply to a table with rows without a hand-written data migration — anything else would be the
 * test's fault, not Sediment's:
 *
 * - values written by the row writer (rows.ts) are distinct per row in every scalar column but
 *   booleans, NULL in every other row of a nullable column, and a foreign key names the first row
 *   of its target (nullable foreign keys and one-to-ones are NULL);
 * - a field that becomes unique, or joins a unique set, must already hold those distinct values:
 *   it existed when the step began and did not just go from NULL to NOT NULL (NULLs are filled with
 *   one value); booleans and foreign keys never join a unique set;
 * - a NOT NULL foreign key added to, or made NOT NULL on, a table with rows points at a table with
 *   rows (the one-off default is the first row's key, 1); one-to-ones and self references stay nullable;
 * - names never come back within a step (a field removed and another added under its name would be
 *   a different story for the rows than for the test).
 */

export const APPS = ['shop', 'billing'] as const;
export type AppLabel = (typeof APPS)[number];

export const scalarTypes = [
  'char', 'text', 'slug', 'email', 'url',
  'integer', 'bigInteger', 'smallInteger', 'positiveInteger',
  'float', 'decimal', 'boolean',
  'date', 'time', 'dateTime', 'duration',
  'uuid', 'json', 'binary',
] as const;
export type ScalarType = (typeof scalarTypes)[number];

/** Types a column can change between without a USING clause or losing what the rows hold. */
const families: readonly (readonly ScalarType[])[] = [
  ['char', 'slug', 'email', 'url', 'text'],
  ['integer', 'bigInteger', 'smallInteger', 'positiveInteger'],
  ['float', 'decimal'],
];
export const familyOf = (type: ScalarType): readonly ScalarType[] => families.find((fam) => fam.includes(type)) ?? [type];

export type DefaultChoice = 'none' | 'literal' | 'callable' | 'db';
export type PkKind = 'auto' | 'bigAuto' | 'smallAuto';

export interface ScalarDef {
  readonly kind: 'scalar';
  readonly type: ScalarType;
  readonly null: boolean;
  readonly default: DefaultChoice;
  readonly unique: boolean;
  readonly dbIndex: boolean;
  /** char-like types only. */
  readonly maxLength: number;
  /** A column name that needs quoting (a quote, a space, non-ASCII), or none. */
  readonly dbColumn?: string;
  /** A column comment with a quote and a semicolon. */
  readonly comment?: boolean;
  /** Options without a database effect (helpText, choices): still recorded, so still a migration. */
  readonly help?: boolean;
}

export interface RelationDef {
  readonly kind: 'fk' | 'oneToOne';
  /** The id of the target model. */
  readonly to: number;
  readonly null: boolean;
  readonly onDelete: OnDelete;
  readonly dbConstraint: boolean;
}

export interface ManyToManyDef {
  readonly kind: 'm2m';
  readonly to: number;
}

export type FieldDef = ScalarDef | RelationDef | ManyToManyDef;

export interface FieldSpec {
  readonly id: number;
  readonly name: string;
  readonly def: FieldDef;
}

export interface IndexSpec {
  readonly id: number;
  /** Field ids; `desc` marks the first key descending. */
  readonly fields: readonly number[];
  readonly desc: boolean;
  readonly name?: string;
  readonly partial: boolean;
}

export interface UniqueSpec {
  readonly id: number;
  readonly fields: readonly number[];
  readonly name?: string;
  readonly partial: boolean;
}

export interface CheckSpec {
  readonly id: number;
  readonly expression: string;
  readonly name?: string;
}

export interface ModelSpec {
  readonly id: number;
  readonly app: AppLabel;
  readonly name: string;
  readonly pk: PkKind;
  readonly fields: readonly FieldSpec[];
  readonly indexes: readonly IndexSpec[];
  readonly uniques: readonly UniqueSpec[];
  readonly checks: readonly CheckSpec[];
  readonly together: readonly (readonly number[])[];
  readonly dbTable?: string;
  /** A table comment with a quote and a semicolon. */
  readonly comment?: boolean;
}

export interface World {
  readonly models: readonly ModelSpec[];
  readonly nextId: number;
}

export const emptyWorld: World = { models: [], nextId: 1 };

export const charLike: ReadonlySet<ScalarType> = new Set<ScalarType>(['char', 'slug', 'email', 'url']);

export const fieldName = (m: ModelSpec, id: number) => m.fields.find((x) => x.id === id)?.name ?? `#${id}`;

export function describeDef(def: FieldDef): string {
  if (def.kind === 'scalar') {
    const opts = [
      def.null ? 'null' : 'not null', def.default !== 'none' ? `default:${def.default}` : '', def.unique ? 'unique' : '', def.dbIndex ? 'dbIndex' : '',
      def.dbColumn ? `column ${JSON.stringify(def.dbColumn)}` : '', def.comment ? 'comment' : '', def.help ? 'helpText+choices' : '',
    ]
      .filter(Boolean).join(' ');
    return `${def.type}${charLike.has(def.type) ? `(${def.maxLength})` : ''} ${opts}`;
  }
  if (def.kind === 'm2m') return `m2m -> #${def.to}`;
  return `${def.kind} -> #${def.to} ${def.null ? 'null' : 'not null'} ${def.onDelete}${def.dbConstraint ? '' : ' no-constraint'}`;
}

/** The world as readable text, for failure messages. */
export function describeWorld(world: World): string {
  if (world.models.length === 0) return '  (no models)';
  return world.models
    .map((m) => {
      const head = `  ${m.app}.${m.name} #${m.id} pk:${m.pk}${m.dbTable ? ` table ${JSON.stringify(m.dbTable)}` : ''}${m.comment ? ' (comment)' : ''}`;
      const fields = m.fields.map((x) => `      ${x.name} #${x.id}: ${describeDef(x.def)}`);
      const extras = [
        ...m.indexes.map((i) => `      index ${i.name ?? '(unnamed)'} (${i.fields.map((id) => fieldName(m, id)).join(', ')})${i.desc ? ' desc' : ''}${i.partial ? ' partial' : ''}`),
        ...m.uniques.map((u) => `      unique ${u.name ?? '(unnamed)'} (${u.fields.map((id) => fieldName(m, id)).join(', ')})${u.partial ? ' partial' : ''}`),
        ...m.together.map((t) => `      uniqueTogether (${t.map((id) => fieldName(m, id)).join(', ')})`),
        ...m.checks.map((c) => `      check ${c.name ?? '(unnamed)'} ${c.expression}`),
      ];
      return [head, ...fields, ...extras].join('\n');
    })
    .join('\n');
}

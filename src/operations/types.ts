import type { Field } from '../model/fields.js';
import type { Kysely } from 'kysely';
import type { HistoricalModel } from '../data/historical-apps.js';
import type { Constraint, IndexDefinition, ModelOptions } from '../model/model.js';

/**
 * Operations are readonly plain data with a `kind`: what `ops.*` returns in a migration file, what the
 * autodetector produces, what the optimizer reduces and what the writer prints. Behaviour lives in the
 * per-kind specs (see registry.ts), never on the data.
 */

export interface CreateModel {
  readonly kind: 'createModel';
  readonly name: string;
  readonly fields: Readonly<Record<string, Field>>;
  readonly options?: ModelOptions;
}
export interface DeleteModel { readonly kind: 'deleteModel'; readonly name: string }
export interface RenameModel { readonly kind: 'renameModel'; readonly oldName: string; readonly newName: string }
export interface AlterModelTable { readonly kind: 'alterModelTable'; readonly name: string; readonly table: string | null }
/** Options that do not change the table itself (ordering, verbose names, managed, dbComment). */
export interface AlterModelOptions {
  readonly kind: 'alterModelOptions';
  readonly name: string;
  readonly options: ModelOptions;
}
export interface AlterUniqueTogether {
  readonly kind: 'alterUniqueTogether';
  readonly name: string;
  readonly uniqueTogether: readonly (readonly string[])[];
}

export interface AddField {
  readonly kind: 'addField';
  readonly model: string;
  readonly name: string;
  readonly field: Field;
  /**
   * false: the field's `default` is a one-off value used to fill existing rows and is not kept in the
   * state (the questioner's "provide a one-off default" answer, Django's preserve_default=False).
   */
  readonly preserveDefault?: boolean;
}
export interface RemoveField { readonly kind: 'removeField'; readonly model: string; readonly name: string }
export interface AlterField {
  readonly kind: 'alterField';
  readonly model: string;
  readonly name: string;
  readonly field: Field;
  readonly preserveDefault?: boolean;
}
export interface RenameField {
  readonly kind: 'renameField';
  readonly model: string;
  readonly oldName: string;
  readonly newName: string;
}

export interface AddIndex { readonly kind: 'addIndex'; readonly model: string; readonly index: IndexDefinition }
export interface RemoveIndex { readonly kind: 'removeIndex'; readonly model: string; readonly name: string }
export interface RenameIndex {
  readonly kind: 'renameIndex';
  readonly model: string;
  readonly oldName: string;
  readonly newName: string;
}
export interface AddConstraint { readonly kind: 'addConstraint'; readonly model: string; readonly constraint: Constraint }
export interface RemoveConstraint { readonly kind: 'removeConstraint'; readonly model: string; readonly name: string }

/** PostgreSQL: CREATE INDEX CONCURRENTLY; needs a non-atomic migration. */
export interface AddIndexConcurrently {
  readonly kind: 'addIndexConcurrently';
  readonly model: string;
  readonly index: IndexDefinition;
}
export interface RemoveIndexConcurrently {
  readonly kind: 'removeIndexConcurrently';
  readonly model: string;
  readonly name: string;
}
/** PostgreSQL: ADD CONSTRAINT ... NOT VALID (check constraints), validated later by validateConstraint. */
export interface AddConstraintNotValid {
  readonly kind: 'addConstraintNotValid';
  readonly model: string;
  readonly constraint: Constraint;
}
export interface ValidateConstraint { readonly kind: 'validateConstraint'; readonly model: string; readonly name: string }
export interface CreateExtension { readonly kind: 'createExtension'; readonly name: string }

/** The historical models of the project as of the migration that runs the code. */
export interface HistoricalApps {
  /**
   * The model as the migration history defines it at this point (never the models file), for the
   * running migration's own app and the apps it depends on. See src/data/ for the query API.
   */
  getModel(app: string, name: string): HistoricalModel;
}

/** What a `runCode` function receives. */
export interface RunCodeContext {
  readonly apps: HistoricalApps;
  /**
   * Kysely on the migration's own connection and transaction. Its tables are untyped (`any`): a data
   * migration sees the schema as of its point in history, which no generated type describes.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
}
export type RunCodeFunction = (context: RunCodeContext) => unknown | Promise<unknown>;

/** `ops.noop`: a reverse that does nothing (Django's RunPython.noop / RunSQL.noop). */
export interface Noop { readonly kind: 'noop' }

export interface RunSql {
  readonly kind: 'runSql';
  readonly sql: string | readonly string[] | Noop;
  /** Without it the operation is irreversible. */
  readonly reverseSql?: string | readonly string[] | Noop;
  readonly stateOperations?: readonly Operation[];
  /** true: dropped by squashing. */
  readonly elidable?: boolean;
}
export interface RunCode {
  readonly kind: 'runCode';
  readonly forward: RunCodeFunction;
  readonly reverse?: RunCodeFunction | Noop;
  readonly atomic?: boolean;
  readonly elidable?: boolean;
}
export interface SeparateDatabaseAndState {
  readonly kind: 'separateDatabaseAndState';
  readonly database: readonly Operation[];
  readonly state: readonly Operation[];
}

export type Operation =
  | CreateModel
  | DeleteModel
  | RenameModel
  | AlterModelTable
  | AlterModelOptions
  | AlterUniqueTogether
  | AddField
  | RemoveField
  | AlterField
  | RenameField
  | AddIndex
  | RemoveIndex
  | RenameIndex
  | AddConstraint
  | RemoveConstraint
  | AddIndexConcurrently
  | RemoveIndexConcurrently
  | AddConstraintNotValid
  | ValidateConstraint
  | CreateExtension
  | RunSql
  | RunCode
  | SeparateDatabaseAndState;

export type OperationKind = Operation['kind'];
export type OperationOf<K extends OperationKind> = Extract<Operation, { kind: K }>;

import type { Field } from '../../model/fields.js';
import type { CheckConstraint, Constraint, IndexDefinition } from '../../model/model.js';
import type { Naming } from '../../state/names.js';
import type { ModelState, ProjectState } from '../../state/project-state.js';

/**
 * All SQL that changes a schema sits behind one SchemaEditor per backend. Methods speak of models and
 * fields; the editor maps them to tables and columns with `naming`. Every method either executes its
 * statements or, in collect mode (sqlmigrate), only records them: callers cannot tell the difference.
 *
 * Contract for implementations:
 * - identifiers are always quoted; generated names come from state/names.ts and fit 63 bytes;
 * - existing constraint/index names are found by introspection (tables may have been renamed since
 *   the names were generated), never assumed;
 * - models with `managed: false` are never touched: the operations check that before calling here.
 */
export interface SchemaEditor {
  readonly naming: Naming;
  /** Runs (or in collect mode, records) one statement. */
  execute(sql: string, params?: readonly unknown[]): Promise<void>;

  /** CREATE TABLE with columns, primary key, unique/check constraints, FKs, indexes and M2M join tables. */
  createModel(model: ModelState, state: ProjectState): Promise<void>;
  /** DROP TABLE, and the automatic join tables of its many-to-many fields. */
  deleteModel(model: ModelState, state: ProjectState): Promise<void>;
  /** Renames the table (and what is named after it: join tables, sequences) from `from` to `to`. */
  renameModel(from: ModelState, to: ModelState, fromState: ProjectState, toState: ProjectState): Promise<void>;
  /** ALTER TABLE ... RENAME TO, for a changed `dbTable`. */
  alterDbTable(model: ModelState, oldTable: string, newTable: string): Promise<void>;
  alterTableComment(model: ModelState, oldComment: string | undefined, newComment: string | undefined): Promise<void>;

  /**
   * Adds a column (or a join table for a many-to-many field). A `default` fills existing rows and is
   * dropped from the column afterwards unless it is a `dbDefault` (Django's behaviour: defaults live in
   * the application).
   */
  addField(model: ModelState, name: string, field: Field, state: ProjectState): Promise<void>;
  removeField(model: ModelState, name: string, field: Field, state: ProjectState): Promise<void>;
  /**
   * Changes a column from `old` to `new`: type (with a USING cast), nullability (filling NULLs with the
   * new default first when there is one), defaults, unique, index, foreign key, comment, and a rename
   * when the column name changed. `fromModel`/`toModel` are the model before and after.
   */
  alterField(
    fromModel: ModelState,
    oldName: string,
    oldField: Field,
    toModel: ModelState,
    newName: string,
    newField: Field,
    fromState: ProjectState,
    toState: ProjectState,
  ): Promise<void>;

  addIndex(model: ModelState, index: IndexDefinition, options?: { concurrently?: boolean }): Promise<void>;
  removeIndex(model: ModelState, index: IndexDefinition, options?: { concurrently?: boolean }): Promise<void>;
  renameIndex(model: ModelState, oldName: string, newName: string): Promise<void>;
  addConstraint(model: ModelState, constraint: Constraint, options?: { notValid?: boolean }): Promise<void>;
  removeConstraint(model: ModelState, constraint: Constraint): Promise<void>;
  validateConstraint(model: ModelState, constraint: CheckConstraint): Promise<void>;
  alterUniqueTogether(
    model: ModelState,
    oldSets: readonly (readonly string[])[],
    newSets: readonly (readonly string[])[],
  ): Promise<void>;

  createExtension(name: string): Promise<void>;
  dropExtension(name: string): Promise<void>;
}

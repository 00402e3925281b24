import type { Connection } from '../base/connection.js';
import type { SchemaEditor } from '../base/schema-editor.js';
import { SedimentError } from '../../errors/index.js';
import type { Naming } from '../../state/names.js';
import type { EditorContext } from './editor-context.js';
import { alterField } from './alter-field.js';
import { addField, removeField } from './field-changes.js';
import {
  addConstraint, addIndex, alterUniqueTogether, removeConstraint, removeIndex, renameIndex, validateConstraint,
} from './index-changes.js';
import { alterTableComment, createModel, deleteModel, renameModel, renameTable } from './model-changes.js';
import { declaredNames } from '../../schema/object-names.js';
import { inlineParameters, quoteName, terminated } from './sql.js';

export interface PostgresSchemaEditorOptions {
  /**
   * Collect mode (sqlmigrate): statements are appended here, each ending with `;`, instead of running.
   * Catalog look-ups still run on the connection.
   */
  readonly collect?: string[];
  /**
   * Whether CREATE/DROP INDEX CONCURRENTLY can run. Default: the backend's feature (false on PGlite).
   */
  readonly concurrentIndexes?: boolean;
}

/**
 * The schema editor for PostgreSQL servers and PGlite. Every method maps models and fields to tables
 * and columns with `naming`, and works inside `current_schema()`.
 *
 * @example
 * const sql: string[] = [];
 * const editor = createPostgresSchemaEditor(connection, new Naming(), { collect: sql });
 * await editor.createModel(state.get('shop', 'Client'), state);
 * // sql: ['CREATE TABLE "shop_client" (...);']
 */
export function createPostgresSchemaEditor(
  connection: Connection,
  naming: Naming,
  options: PostgresSchemaEditorOptions = {},
): SchemaEditor {
  const { collect } = options;
  const execute = async (sql: string, params?: readonly unknown[]): Promise<void> => {
    if (collect) collect.push(terminated(inlineParameters(sql, params)));
    else await connection.query(sql, params);
  };
  const ctx: EditorContext = { connection, naming, collecting: collect !== undefined, run: (sql) => execute(sql) };
  const concurrent = options.concurrentIndexes ?? connection.backend.features.concurrentIndexes;

  return {
    naming,
    execute,
    createModel: (model, state) => createModel(ctx, model, state),
    deleteModel: (model) => deleteModel(ctx, model),
    renameModel: (from, to, fromState, toState) => renameModel(ctx, from, to, fromState, toState),
    alterDbTable: (model, oldTable, newTable) => renameTable(ctx, oldTable, newTable, undefined, declaredNames(model)),
    alterTableComment: (model, _oldComment, newComment) => alterTableComment(ctx, model, newComment),
    addField: (model, name, field, state) => addField(ctx, model, name, field, state),
    removeField: (model, name, field) => removeField(ctx, model, name, field),
    alterField: (fromModel, oldName, oldField, toModel, newName, newField, fromState, toState) =>
      alterField(ctx, { fromModel, oldName, oldField, toModel, newName, newField, fromState, toState }),
    addIndex: async (model, index, opts) => addIndex(ctx, model, index, (opts?.concurrently ?? false) && concurrent),
    removeIndex: async (model, index, opts) =>
      removeIndex(ctx, model, index, (opts?.concurrently ?? false) && concurrent),
    renameIndex: (_model, oldName, newName) => renameIndex(ctx, oldName, newName),
    addConstraint: (model, constraint, opts) => addConstraint(ctx, model, constraint, opts?.notValid ?? false),
    removeConstraint: (model, constraint) => removeConstraint(ctx, model, constraint),
    validateConstraint: (model, constraint) => validateConstraint(ctx, model, constraint),
    alterUniqueTogether: (model, oldSets, newSets) => alterUniqueTogether(ctx, model, oldSets, newSets),
    createExtension: (name) => createExtension(ctx, name),
    dropExtension: (name) => execute(`DROP EXTENSION IF EXISTS ${quoteName(name)}`),
  };
}

/**
 * CREATE EXTENSION IF NOT EXISTS, with a clear error when the database does not ship the extension
 * (checked before running, so the transaction is not aborted by the failure).
 */
async function createExtension(ctx: EditorContext, name: string): Promise<void> {
  if (ctx.collecting) return ctx.run(`CREATE EXTENSION IF NOT EXISTS ${quoteName(name)}`);
  const { rows } = await ctx.connection.query<{ name: string }>(
    'SELECT name FROM pg_catalog.pg_available_extensions WHERE name = $1',
    [name],
  );
  if (rows.length === 0) {
    throw new SedimentError('ExtensionUnavailable', `The PostgreSQL extension ${name} is not available in ${ctx.connection.description}.`, {
      hint: ctx.connection.description.startsWith('PGlite')
        ? 'PGlite ships contrib extensions as separate modules that must be loaded when the database is opened.'
        : `Install the package that provides ${name} on the database server (e.g. postgresql-contrib).`,
      sql: `CREATE EXTENSION IF NOT EXISTS ${quoteName(name)}`,
      databaseState: 'unchanged by this statement',
    });
  }
  await ctx.run(`CREATE EXTENSION IF NOT EXISTS ${quoteName(name)}`);
}


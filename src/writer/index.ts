/**
 * The migration-file writer: operations (plain data) in, formatted TypeScript out.
 *
 * @example
 * import { renderMigration } from './writer/index.js';
 * const text = renderMigration({ dependencies: [['shop', '0001_initial']], operations }, { date: new Date() });
 */
export { renderMigration, renderEmptyMigration, formatDate } from './render-migration.js';
export type { MigrationContent, RenderOptions } from './render-migration.js';
export { MigrationRenderError } from './errors.js';
export { quote, propertyKey } from './literal.js';
export { SEDIMENT_VERSION } from './version.js';
export { operationShapes, operationKindNames, isOperationKind } from './operation-shapes.js';
export type { ArgType, OperationShape } from './operation-shapes.js';

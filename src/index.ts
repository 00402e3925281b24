/**
 * Sediment's public API: what models files, migration files and sediment.config.ts import from 'sediment-migrations'.
 *
 * @example
 * import { model, f } from 'sediment-migrations';
 * export const Client = model('Client', { name: f.char({ maxLength: 255 }) });
 */
export { f } from './model/fields.js';
export type {
  Field, ScalarField, ForeignKeyField, ManyToManyField, FieldKind, OnDelete, Literal, DefaultValue, CallableDefault,
} from './model/fields.js';
export { model, index, unique, check } from './model/model.js';
export type { ModelDefinition, ModelOptions, IndexDefinition, Constraint, UniqueConstraint, CheckConstraint } from './model/model.js';
export { migration } from './model/migration.js';
export type { MigrationDefinition, MigrationFileExport } from './model/migration.js';
export { ops } from './operations/ops.js';
export type { Operation, RunCodeContext, RunCodeFunction } from './operations/types.js';
export type {
  HistoricalModel, HistoricalRow, QuerySet, Manager, ManyToManyManager, ReverseForeignKeyManager, Filter, BatchOptions,
  BulkCreateOptions, BulkCreateResult, GetOrCreateResult,
} from './data/index.js';
export { defineConfig } from './config/define-config.js';
export type { SedimentConfig } from './config/define-config.js';
export * from './errors/index.js';

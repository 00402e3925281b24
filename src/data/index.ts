/**
 * The data API of `ops.runCode`: historical models and their query sets (SPEC §4).
 *
 * @example
 * ops.runCode({
 *   forward: async ({ apps }) => {
 *     const Client = apps.getModel('shop', 'Client');            // as of THIS migration
 *     await Client.objects.filter({ bought: null }).update({ bought: 0 });   // one UPDATE
 *     for await (const c of Client.objects.all()) {              // streams, 1000 rows per query
 *       c.bought = await c.computers.count();                    // one grouped query per batch
 *       await c.save();                                          // written in bulk per batch
 *     }
 *     const { inserted, skipped } = await Event.objects.bulkCreate(rows, { onConflict: 'ignore' });
 *   },
 *   reverse: ops.noop,
 * })
 *
 * Filters are `{ field: value, field__lookup: value }` with the lookups in, isNull, gt, gte, lt, lte,
 * contains and startsWith (lookups.ts); values cross between JavaScript and the database as values.ts
 * documents; every write runs under a savepoint and raises a typed IntegrityError (session.ts).
 */
export type { HistoricalModel } from './historical-apps.js';
export { HistoricalRow } from './row-base.js';
export { QuerySet } from './query-set.js';
export type { BatchOptions, Filter, Values, ValuesRow } from './query-set.js';
export { Manager } from './manager.js';
export type { BulkCreateOptions, BulkCreateResult, GetOrCreateResult } from './manager.js';
export { ManyToManyManager, ReverseForeignKeyManager } from './related.js';
export { LOOKUPS } from './lookups.js';
export type { Lookup } from './lookups.js';
export {
  DoesNotExistError, MultipleObjectsReturnedError, UnknownNameError, MissingDependencyError, InvalidValueError, UnsupportedQueryError,
} from './errors.js';
export { silentProgress, jsonProgress, ttyProgress, describeProgress } from './progress.js';
export type { ProgressEvent, ProgressReporter } from './progress.js';

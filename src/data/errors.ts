import { SedimentError, type ErrorDetails } from '../errors/index.js';

/**
 * Errors of the historical-model API (`apps.getModel(...)`, `Model.objects...`). Each names the model
 * by its qualified id (`shop.Client`) and, where the mistake is a name, what exists instead.
 */

/** `get()` matched no row (Django's Model.DoesNotExist). */
export class DoesNotExistError extends SedimentError {
  constructor(
    readonly model: string,
    readonly lookup: string,
    details: ErrorDetails = {},
  ) {
    super('DoesNotExist', `${model} matching ${lookup} does not exist.`, details);
  }
}

/** `get()` matched more than one row (Django's Model.MultipleObjectsReturned). */
export class MultipleObjectsReturnedError extends SedimentError {
  constructor(
    readonly model: string,
    readonly lookup: string,
    readonly found: number,
    details: ErrorDetails = {},
  ) {
    super(
      'multiple-objects-returned',
      `get() returned more than one ${model} for ${lookup}: it matched ${found > 20 ? 'more than 20' : found} rows.`,
      { hint: 'Narrow the lookup to a unique field, or use filter(...).first() to take one on purpose.', ...details },
    );
  }
}

/** An app, model, field or lookup that does not exist at this point of the migration history. */
export class UnknownNameError extends SedimentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('UnknownName', message, details);
  }
}

/** `apps.getModel()` of an app that the running migration does not depend on. */
export class MissingDependencyError extends SedimentError {
  constructor(
    readonly migration: string,
    readonly app: string,
    message: string,
    details: ErrorDetails = {},
  ) {
    super('MissingDependency', message, details);
  }
}

/** A value that cannot be stored in (or compared with) a field of the kind it was given for. */
export class InvalidValueError extends SedimentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('InvalidValue', message, details);
  }
}

/** A well-formed call that the data API does not support (say, changing a row's primary key). */
export class UnsupportedQueryError extends SedimentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('UnsupportedQuery', message, details);
  }
}

/** "a, b and c" for messages. */
export function listNames(names: readonly string[], none = 'none'): string {
  if (names.length === 0) return none;
  return names.join(', ');
}

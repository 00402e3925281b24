import { SedimentError, type ErrorDetails } from '../errors/index.js';

/**
 * Asked to write something a migration file cannot express: a function (runCode bodies exist only in
 * files people write), a value that is not a literal, an option the DSL has no syntax for.
 */
export class MigrationRenderError extends SedimentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('Unrenderable', message, details);
  }
}

import type { Field } from '../model/fields.js';
import { SedimentError } from '../errors/index.js';
import type { NotNullQuestion } from './questioner.js';
import { fieldId } from './questioner.js';

/**
 * A NOT NULL field has no value for existing rows and nobody said where one should come from. Thrown
 * by the autodetector when the questioner answers "quit"; nothing has been written.
 */
export class NotNullWithoutDefaultError extends SedimentError {
  readonly app: string;
  readonly model: string;
  readonly field: string;

  constructor(question: NotNullQuestion) {
    const id = fieldId(question);
    const message =
      question.operation === 'addField'
        ? `Cannot add the NOT NULL field ${id} without a default: the database needs a value for the rows that already exist.`
        : `Cannot make ${id} NOT NULL without a default: rows that already exist may hold NULL.`;
    const handled =
      question.operation === 'addField'
        ? `--assume-handled ${id} (only if the table has no rows)`
        : `--assume-handled ${id} (existing NULLs were replaced by a data migration)`;
    super('NotNullWithoutDefault', message, {
      hint:
        `Give the field a default or null: true in models.ts, or run makemigrations again with ` +
        `--default ${id}=<json> (a one-off value for existing rows, e.g. --default ${id}=${exampleDefault(question.definition)}) ` +
        `or ${handled}. Nothing was written.`,
    });
    this.app = question.app;
    this.model = question.model;
    this.field = question.field;
  }
}

/** The person at the terminal cancelled a question (Ctrl-C). Nothing has been written. */
export class QuestionCancelledError extends SedimentError {
  constructor(question: string) {
    super('Cancelled', `Cancelled while answering: ${question}`, { hint: 'Nothing was written.' });
  }
}

/** A plausible --default value for the field's kind, for the hint. */
function exampleDefault(field: Field): string {
  switch (field.kind) {
    case 'char': case 'text': case 'slug': case 'email': case 'url':
      return `'""'`;
    case 'boolean':
      return 'false';
    case 'date': case 'time': case 'dateTime':
      return 'now';
    case 'uuid':
      return 'uuid4';
    case 'json':
      return `'{}'`;
    default:
      return '0';
  }
}

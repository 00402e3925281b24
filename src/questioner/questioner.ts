import type { DefaultValue, Field } from '../model/fields.js';
import type { ModelState } from '../state/project-state.js';

/**
 * What the autodetector asks when the models alone cannot say what the user meant. A questioner
 * answers; it never prints on its own, never exits and never decides what to generate: the
 * autodetector turns answers into operations (and a "quit" into an error).
 *
 * Implementations: FlagQuestioner (answers given up front as command-line flags) and
 * InteractiveQuestioner (asks on a terminal, after looking at the flags first).
 */
export interface Questioner {
  /** Was `from` (deleted) renamed to `to` (created)? */
  askRenameModel(question: RenameModelQuestion): Promise<boolean>;
  /** Was `oldName` (removed) renamed to `newName` (added) on the same model? */
  askRenameField(question: RenameFieldQuestion): Promise<boolean>;
  /** A NOT NULL field without a default is being added to a table that may have rows. */
  askNotNullAddition(question: NotNullQuestion): Promise<NotNullAnswer>;
  /** A nullable field becomes NOT NULL without a default; existing rows may hold NULL. */
  askNotNullAlteration(question: NotNullQuestion): Promise<NotNullAnswer>;
  /** Should these leaf migrations of one app be merged (`makemigrations --merge`)? */
  askMerge(question: MergeQuestion): Promise<boolean>;
}

export interface RenameModelQuestion {
  readonly app: string;
  readonly oldName: string;
  readonly newName: string;
  readonly from: ModelState;
  readonly to: ModelState;
  /**
   * true: the old model is gone and both have the same fields (ignoring what relations point at),
   * which is when a person should be asked. The autodetector also asks about dissimilar pairs — fields
   * changed too, or a new model reuses the old name — so that renames declared up front
   * (`--rename-model`) are honoured; questioners answer "no" to those unless the rename was declared.
   */
  readonly similar: boolean;
}

export interface RenameFieldQuestion {
  readonly app: string;
  /** The model's name in the models file (after any model rename). */
  readonly model: string;
  /** The model's name before a model rename in the same run, if it was renamed. */
  readonly oldModel: string;
  readonly oldName: string;
  readonly newName: string;
  readonly oldField: Field;
  readonly newField: Field;
  /** true: the old field is gone and the definition is the same (see RenameModelQuestion.similar). */
  readonly similar: boolean;
}

export interface NotNullQuestion {
  readonly app: string;
  readonly model: string;
  readonly field: string;
  /** The field as the models file declares it. */
  readonly definition: Field;
  readonly operation: 'addField' | 'alterField';
}

export interface MergeQuestion {
  readonly app: string;
  readonly leaves: readonly string[];
}

/**
 * - default: fill existing rows with `value` once (the migration gets `preserveDefault: false`);
 * - handled: generate the operation as declared, the user takes care of existing rows (a data
 *   migration already backfilled them, or the table is empty);
 * - quit: stop; the autodetector throws NotNullWithoutDefaultError.
 */
export type NotNullAnswer =
  | { readonly kind: 'default'; readonly value: DefaultValue }
  | { readonly kind: 'handled' }
  | { readonly kind: 'quit' };

/** `app.Model.field`, the way flags and messages name a field. */
export const fieldId = (q: { app: string; model: string; field: string }): string => `${q.app}.${q.model}.${q.field}`;

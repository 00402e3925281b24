import { UsageError } from '../errors/index.js';
import type { DefaultValue } from '../model/fields.js';
import { parseDefaultValue } from './defaults.js';

/** The questioner's command-line flags as the CLI parsed them (repeatable flags are arrays). */
export interface QuestionerFlags {
  /** `--rename-field app.Model.old=new` */
  readonly renameFields?: readonly string[];
  /** `--rename-model app.Old=New` */
  readonly renameModels?: readonly string[];
  /** `--default app.Model.field=<json>` (or `now`, `uuid4`) */
  readonly defaults?: readonly string[];
  /** `--assume-handled app.Model.field` */
  readonly assumeHandled?: readonly string[];
  /** `--no-input`: never ask; unanswered questions take their safe answer. */
  readonly noInput?: boolean;
}

/** Every answer given by a flag keeps the flag's text, to report flags that were never used. */
interface FromFlag {
  readonly flag: string;
}
export interface DeclaredModelRename extends FromFlag {
  readonly app: string;
  readonly oldName: string;
  readonly newName: string;
}
export interface DeclaredFieldRename extends FromFlag {
  readonly app: string;
  readonly model: string;
  readonly oldName: string;
  readonly newName: string;
}
export interface DeclaredDefault extends FromFlag {
  readonly app: string;
  readonly model: string;
  readonly field: string;
  readonly value: DefaultValue;
}
export interface DeclaredHandled extends FromFlag {
  readonly app: string;
  readonly model: string;
  readonly field: string;
}

/** The flags, parsed and validated. */
export interface QuestionerAnswers {
  readonly renameModels: readonly DeclaredModelRename[];
  readonly renameFields: readonly DeclaredFieldRename[];
  readonly defaults: readonly DeclaredDefault[];
  readonly assumeHandled: readonly DeclaredHandled[];
  readonly noInput: boolean;
}

const name = '[A-Za-z_][A-Za-z0-9_]*';
const renameModelPattern = new RegExp(`^(${name})\\.(${name})=(${name})$`);
const renameFieldPattern = new RegExp(`^(${name})\\.(${name})\\.(${name})=(${name})$`);
const fieldPattern = new RegExp(`^(${name})\\.(${name})\\.(${name})$`);

/**
 * Parses and validates the questioner flags; every malformed value is a UsageError (exit code 2)
 * that shows the expected shape.
 *
 * @example
 * parseQuestionerFlags({ defaults: ['shop.Client.bought=0'], assumeHandled: ['shop.Client.email'] });
 */
export function parseQuestionerFlags(flags: QuestionerFlags = {}): QuestionerAnswers {
  const renameModels = (flags.renameModels ?? []).map((flag) => {
    const m = renameModelPattern.exec(flag.trim());
    if (!m) throw usage('--rename-model', flag, 'app.OldName=NewName', 'shop.Customer=Client');
    return { flag, app: m[1], oldName: m[2], newName: m[3] };
  });
  const renameFields = (flags.renameFields ?? []).map((flag) => {
    const m = renameFieldPattern.exec(flag.trim());
    if (!m) throw usage('--rename-field', flag, 'app.Model.oldName=newName', 'shop.Client.name=fullName');
    return { flag, app: m[1], model: m[2], oldName: m[3], newName: m[4] };
  });
  const defaults = (flags.defaults ?? []).map((flag) => {
    const eq = flag.indexOf('=');
    const m = eq === -1 ? null : fieldPattern.exec(flag.slice(0, eq).trim());
    if (!m) throw usage('--default', flag, 'app.Model.field=<json>', 'shop.Client.bought=0');
    const parsed = parseDefaultValue(flag.slice(eq + 1));
    if ('error' in parsed) throw new UsageError(`--default ${flag}: ${parsed.error}.`, { hint: shellHint });
    return { flag, app: m[1], model: m[2], field: m[3], value: parsed.value };
  });
  const assumeHandled = (flags.assumeHandled ?? []).map((flag) => {
    const m = fieldPattern.exec(flag.trim());
    if (!m) throw usage('--assume-handled', flag, 'app.Model.field', 'shop.Client.bought');
    return { flag, app: m[1], model: m[2], field: m[3] };
  });
  checkDuplicates(renameModels.map((r) => [`${r.app}.${r.oldName.toLowerCase()}`, r.flag]), '--rename-model', 'the same model');
  checkDuplicates(
    renameFields.map((r) => [`${r.app}.${r.model.toLowerCase()}.${r.oldName}`, r.flag]),
    '--rename-field',
    'the same field',
  );
  checkDuplicates(
    [...defaults, ...assumeHandled].map((d) => [`${d.app}.${d.model.toLowerCase()}.${d.field}`, d.flag]),
    '--default/--assume-handled',
    'the same field (give one answer per field)',
  );
  return { renameModels, renameFields, defaults, assumeHandled, noInput: flags.noInput === true };
}

const shellHint = `Quote the whole value for the shell, e.g. --default 'shop.Client.name="unknown"'.`;

function usage(flag: string, value: string, shape: string, example: string): UsageError {
  return new UsageError(`${flag} ${JSON.stringify(value)}: expected ${shape}.`, { hint: `For example: ${flag} ${example}` });
}

function checkDuplicates(entries: readonly (readonly [string, string])[], flag: string, what: string): void {
  const seen = new Map<string, string>();
  for (const [key, text] of entries) {
    const previous = seen.get(key);
    if (previous !== undefined) throw new UsageError(`${flag}: ${JSON.stringify(previous)} and ${JSON.stringify(text)} answer for ${what}.`);
    seen.set(key, text);
  }
}

import { checkDefaultForField, parseDefaultValue } from './defaults.js';
import { QuestionCancelledError } from './errors.js';
import type { FlagQuestioner } from './flag-questioner.js';
import type { Choice, Prompt } from './prompt.js';
import { CANCELLED } from './prompt.js';
import type {
  MergeQuestion, NotNullAnswer, NotNullQuestion, Questioner, RenameFieldQuestion, RenameModelQuestion,
} from './questioner.js';
import { fieldId } from './questioner.js';

type NotNullChoice = 'default' | 'handled' | 'quit';

/**
 * Asks on a terminal. Answers given as flags come first (so a scripted answer never prompts); only
 * renames of similar models/fields are asked about, as Django does.
 *
 * @example
 * const questioner = new InteractiveQuestioner(clackPrompt(), FlagQuestioner.fromFlags(flags));
 */
export class InteractiveQuestioner implements Questioner {
  constructor(
    private readonly prompt: Prompt,
    private readonly flags: FlagQuestioner,
  ) {}

  async askRenameModel(q: RenameModelQuestion): Promise<boolean> {
    if (this.flags.declaredModelRename(q)) return true;
    if (!q.similar) return false;
    return this.confirm(`Was the model ${q.app}.${q.oldName} renamed to ${q.newName}? (No: the table of ${q.oldName} and its rows are dropped.)`);
  }

  async askRenameField(q: RenameFieldQuestion): Promise<boolean> {
    if (this.flags.declaredFieldRename(q)) return true;
    if (!q.similar) return false;
    return this.confirm(`Was the field ${q.app}.${q.model}.${q.oldName} renamed to ${q.newName} (a ${q.newField.kind} field)?`);
  }

  async askNotNullAddition(q: NotNullQuestion): Promise<NotNullAnswer> {
    const declared = this.flags.declaredNotNull(q);
    if (declared) return declared;
    const message =
      `${fieldId(q)} is a new NOT NULL field without a default, and the table of ${q.model} may already have rows: ` +
      `the database needs a value to put in them. What should happen?`;
    return this.askNotNull(q, message, [
      { value: 'default', label: 'Provide a one-off default now', hint: 'it fills the existing rows; the field keeps no default' },
      { value: 'quit', label: 'Quit, and let me add a default (or null: true) in models.ts' },
    ]);
  }

  async askNotNullAlteration(q: NotNullQuestion): Promise<NotNullAnswer> {
    const declared = this.flags.declaredNotNull(q);
    if (declared) return declared;
    const message =
      `${fieldId(q)} becomes NOT NULL without a default, but rows that already exist may hold NULL ` +
      `and the database would refuse the change. What should happen?`;
    return this.askNotNull(q, message, [
      { value: 'default', label: 'Provide a one-off default now', hint: 'it replaces NULL in the existing rows' },
      {
        value: 'handled',
        label: 'Ignore for now: a data migration (runCode or runSql) before this one replaces the NULLs',
        hint: 'the migration fails if a NULL is left',
      },
      { value: 'quit', label: 'Quit, and let me add a default in models.ts' },
    ]);
  }

  async askMerge(q: MergeQuestion): Promise<boolean> {
    return this.confirm(
      `Merge ${q.leaves.join(', ')} of ${q.app}? This only works when their operations do not touch the same models or fields.`,
    );
  }

  private async askNotNull(q: NotNullQuestion, message: string, choices: readonly Choice<NotNullChoice>[]): Promise<NotNullAnswer> {
    const choice = await this.prompt.select(message, choices);
    if (choice === CANCELLED) throw new QuestionCancelledError(message);
    if (choice === 'handled') return { kind: 'handled' };
    if (choice === 'quit') return { kind: 'quit' };
    const question = `One-off value for ${fieldId(q)} (JSON, or now / uuid4):`;
    const text = await this.prompt.text(question, {
      placeholder: q.definition.kind === 'boolean' ? 'false' : q.definition.kind.includes('nteger') ? '0' : '"..."',
      validate: (value) => {
        const parsed = parseDefaultValue(value);
        return 'error' in parsed ? parsed.error : checkDefaultForField(q.definition, parsed.value);
      },
    });
    if (text === CANCELLED) throw new QuestionCancelledError(question);
    const parsed = parseDefaultValue(text);
    // The prompt validated the text; a prompt that skips validation still gets a clear error here.
    if ('error' in parsed) throw new QuestionCancelledError(`${question} ${parsed.error}`);
    return { kind: 'default', value: parsed.value };
  }

  private async confirm(message: string): Promise<boolean> {
    const answer = await this.prompt.confirm(message, { initial: false });
    if (answer === CANCELLED) throw new QuestionCancelledError(message);
    return answer;
  }
}

import { UsageError } from '../errors/index.js';
import { checkDefaultForField } from './defaults.js';
import type { QuestionerAnswers, QuestionerFlags } from './flags.js';
import { parseQuestionerFlags } from './flags.js';
import type {
  MergeQuestion, NotNullAnswer, NotNullQuestion, Questioner, RenameFieldQuestion, RenameModelQuestion,
} from './questioner.js';
import { fieldId } from './questioner.js';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Answers from command-line flags only (`--no-input`, or no terminal). A rename that no flag declares
 * is answered "no"; a NOT NULL question that no flag answers is "quit", which the autodetector turns
 * into NotNullWithoutDefaultError naming the flags that would answer it. A merge is answered "yes",
 * as Django does without input.
 *
 * @example
 * const questioner = FlagQuestioner.fromFlags({ defaults: ['shop.Client.bought=0'] });
 */
export class FlagQuestioner implements Questioner {
  /** Flags some question consulted; the others are reported by unusedFlags(). */
  private readonly used = new Set<string>();
  /** Renames that looked likely (similar) but no flag declared: answered "no", worth a warning. */
  private readonly declined: string[] = [];

  constructor(readonly answers: QuestionerAnswers) {}

  static fromFlags(flags: QuestionerFlags = {}): FlagQuestioner {
    return new FlagQuestioner(parseQuestionerFlags(flags));
  }

  async askRenameModel(question: RenameModelQuestion): Promise<boolean> {
    const yes = this.declaredModelRename(question);
    if (!yes && question.similar) this.declined.push(`--rename-model ${question.app}.${question.oldName}=${question.newName}`);
    return yes;
  }

  async askRenameField(question: RenameFieldQuestion): Promise<boolean> {
    const yes = this.declaredFieldRename(question);
    if (!yes && question.similar) {
      this.declined.push(`--rename-field ${question.app}.${question.model}.${question.oldName}=${question.newName}`);
    }
    return yes;
  }

  async askNotNullAddition(question: NotNullQuestion): Promise<NotNullAnswer> {
    return this.declaredNotNull(question) ?? { kind: 'quit' };
  }

  async askNotNullAlteration(question: NotNullQuestion): Promise<NotNullAnswer> {
    return this.declaredNotNull(question) ?? { kind: 'quit' };
  }

  async askMerge(_question: MergeQuestion): Promise<boolean> {
    return true;
  }

  /** True if a `--rename-model` flag declares this rename. */
  declaredModelRename(q: RenameModelQuestion): boolean {
    const found = this.answers.renameModels.find(
      (r) => r.app === q.app && same(r.oldName, q.oldName) && same(r.newName, q.newName),
    );
    if (found) this.used.add(found.flag);
    return found !== undefined;
  }

  /** True if a `--rename-field` flag declares this rename (naming the model by its new or old name). */
  declaredFieldRename(q: RenameFieldQuestion): boolean {
    const found = this.answers.renameFields.find(
      (r) =>
        r.app === q.app &&
        (same(r.model, q.model) || same(r.model, q.oldModel)) &&
        r.oldName === q.oldName &&
        r.newName === q.newName,
    );
    if (found) this.used.add(found.flag);
    return found !== undefined;
  }

  /** The answer a `--default` or `--assume-handled` flag gives, if any; a default that cannot fit the field is a UsageError. */
  declaredNotNull(q: NotNullQuestion): NotNullAnswer | undefined {
    const matches = (d: { app: string; model: string; field: string }) => d.app === q.app && same(d.model, q.model) && d.field === q.field;
    const declared = this.answers.defaults.find(matches);
    if (declared) {
      this.used.add(declared.flag);
      const problem = checkDefaultForField(q.definition, declared.value);
      if (problem) throw new UsageError(`--default ${declared.flag}: ${problem}.`, { hint: `Give a value that fits ${fieldId(q)}.` });
      return { kind: 'default', value: declared.value };
    }
    const handled = this.answers.assumeHandled.find(matches);
    if (handled) {
      this.used.add(handled.flag);
      return { kind: 'handled' };
    }
    return undefined;
  }

  /**
   * Renames that looked likely but were answered "no" because no flag declared them, as the flag
   * that would declare each. Without input the autodetector then drops and recreates; the CLI
   * should say so, e.g. "shop.Client was deleted and shop.Customer created; if it was a rename,
   * run again with --rename-model shop.Client=Customer".
   */
  declinedRenames(): string[] {
    return [...this.declined];
  }

  /**
   * Flags that no question consulted, in the order given: usually a typo, or a rename whose old and
   * new names the autodetector did not see removed and added. The CLI should warn about them.
   */
  unusedFlags(): string[] {
    const { renameModels, renameFields, defaults, assumeHandled } = this.answers;
    const option = (flag: string, list: readonly { flag: string }[]) => list.some((x) => x.flag === flag);
    return [...renameModels, ...renameFields, ...defaults, ...assumeHandled]
      .map((x) => x.flag)
      .filter((flag) => !this.used.has(flag))
      .map((flag) =>
        option(flag, renameModels) ? `--rename-model ${flag}`
        : option(flag, renameFields) ? `--rename-field ${flag}`
        : option(flag, defaults) ? `--default ${flag}`
        : `--assume-handled ${flag}`,
      );
  }
}

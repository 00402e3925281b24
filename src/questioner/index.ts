import { FlagQuestioner } from './flag-questioner.js';
import type { QuestionerFlags } from './flags.js';
import { InteractiveQuestioner } from './interactive-questioner.js';
import type { Prompt } from './prompt.js';
import { clackPrompt } from './prompt.js';
import type { Questioner } from './questioner.js';

export type {
  Questioner, RenameModelQuestion, RenameFieldQuestion, NotNullQuestion, NotNullAnswer, MergeQuestion,
} from './questioner.js';
export { fieldId } from './questioner.js';
export { FlagQuestioner } from './flag-questioner.js';
export { InteractiveQuestioner } from './interactive-questioner.js';
export { parseQuestionerFlags } from './flags.js';
export type { QuestionerFlags, QuestionerAnswers } from './flags.js';
export { parseDefaultValue, checkDefaultForField } from './defaults.js';
export { clackPrompt, CANCELLED } from './prompt.js';
export type { Prompt, Choice, Cancelled } from './prompt.js';
export { NotNullWithoutDefaultError, QuestionCancelledError } from './errors.js';

/**
 * A questioner that can also report the flags no question used (typos) and the likely renames that
 * were answered "no" for want of a flag (see FlagQuestioner.declinedRenames).
 */
export type FlaggedQuestioner = Questioner & { unusedFlags(): string[]; declinedRenames(): string[] };

/**
 * The questioner for `makemigrations`: asks on a terminal when `interactive` (and not `noInput`),
 * answers from the flags otherwise. Flag values are validated here: a malformed one is a UsageError.
 *
 * @example
 * const questioner = createQuestioner({ interactive: process.stdin.isTTY === true, defaults: ['shop.Client.bought=0'] });
 * const changes = await detectChanges(from, to, questioner, { leaves });
 * for (const flag of questioner.unusedFlags()) warn(`${flag} was not used`);
 * for (const flag of questioner.declinedRenames()) warn(`if this was a rename, run again with ${flag}`);
 */
export function createQuestioner(options: QuestionerFlags & { readonly interactive: boolean; readonly prompt?: Prompt }): FlaggedQuestioner {
  const fromFlags = FlagQuestioner.fromFlags(options);
  if (!options.interactive || fromFlags.answers.noInput) return fromFlags;
  const interactive = new InteractiveQuestioner(options.prompt ?? clackPrompt(), fromFlags);
  // A person answers the likely renames here, so none is declined for want of a flag.
  return Object.assign(interactive, { unusedFlags: () => fromFlags.unusedFlags(), declinedRenames: () => [] });
}

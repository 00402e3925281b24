import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectChanges } from '../../src/autodetect/detect.js';
import { f, model } from '../../src/index.js';
import {
  CANCELLED, checkDefaultForField, createQuestioner, FlagQuestioner, InteractiveQuestioner, parseDefaultValue,
  parseQuestionerFlags, QuestionCancelledError,
} from '../../src/questioner/index.js';
import type { Choice, NotNullQuestion, Prompt, RenameFieldQuestion, RenameModelQuestion } from '../../src/questioner/index.js';
import { project } from './helpers.js';

const Client = model('Client', { name: f.char({ maxLength: 255 }) });
const renameModel = (similar: boolean): RenameModelQuestion => {
  const state = project({ shop: [Client] }).get('shop', 'Client');
  return { app: 'shop', oldName: 'Client', newName: 'Customer', from: state, to: { ...state, name: 'Customer' }, similar };
};
const renameField = (similar: boolean): RenameFieldQuestion => ({
  app: 'shop', model: 'Customer', oldModel: 'Client', oldName: 'name', newName: 'fullName',
  oldField: f.text(), newField: f.text(), similar,
});
const notNull = (operation: 'addField' | 'alterField', definition = f.integer()): NotNullQuestion => ({
  app: 'shop', model: 'Client', field: 'rank', definition, operation,
});

// ----------------------------------------------------------------------------------- flags

test('flags are parsed into declared answers', () => {
  const answers = parseQuestionerFlags({
    renameModels: ['shop.Client=Customer'],
    renameFields: ['shop.Client.name=fullName'],
    defaults: ['shop.Client.rank=0', 'shop.Client.joined=now', 'shop.Client.label="x"'],
    assumeHandled: ['shop.Client.email'],
    noInput: true,
  });
  assert.deepEqual(answers.renameModels.map((r) => [r.app, r.oldName, r.newName]), [['shop', 'Client', 'Customer']]);
  assert.deepEqual(answers.renameFields.map((r) => [r.model, r.oldName, r.newName]), [['Client', 'name', 'fullName']]);
  assert.deepEqual(answers.defaults.map((d) => d.value), [0, f.now, 'x']);
  assert.deepEqual(answers.assumeHandled.map((d) => d.field), ['email']);
  assert.equal(answers.noInput, true);
});

for (const [flags, pattern] of [
  [{ renameModels: ['Client=Customer'] }, /--rename-model.*app\.OldName=NewName/],
  [{ renameFields: ['shop.Client.name'] }, /--rename-field.*app\.Model\.oldName=newName/],
  [{ defaults: ['shop.Client=0'] }, /--default.*app\.Model\.field=<json>/],
  [{ defaults: ['shop.Client.name=unknown'] }, /not JSON \(a string needs double quotes: "unknown"\)/],
  [{ assumeHandled: ['shop.Client.name=1'] }, /--assume-handled/],
  [{ defaults: ['shop.Client.rank=0'], assumeHandled: ['shop.Client.rank'] }, /answer for the same field/],
] as const) {
  test(`a malformed flag is a usage error: ${JSON.stringify(flags)}`, () => {
    assert.throws(() => parseQuestionerFlags(flags), (error: { code: string; message: string }) => {
      assert.equal(error.code, 'UsageError');
      assert.match(error.message, pattern);
      return true;
    });
  });
}

test('one-off default values are JSON, now or uuid4', () => {
  assert.deepEqual(parseDefaultValue(' {"a": [1, 2]} '), { value: { a: [1, 2] } });
  assert.deepEqual(parseDefaultValue('uuid4'), { value: f.uuid4 });
  assert.ok('error' in parseDefaultValue('{oops'));
});

test('a one-off default must fit the field', () => {
  assert.equal(checkDefaultForField(f.integer(), 3), undefined);
  assert.match(checkDefaultForField(f.integer(), 1.5)!, /integer/);
  assert.match(checkDefaultForField(f.boolean(), 'yes')!, /true or false/);
  assert.match(checkDefaultForField(f.char({ maxLength: 2 }), 'abc')!, /maxLength/);
  assert.match(checkDefaultForField(f.integer(), f.now)!, /'now'/);
  assert.equal(checkDefaultForField(f.dateTime(), f.now), undefined);
  assert.match(checkDefaultForField(f.text(), null)!, /NOT NULL/);
});

// ----------------------------------------------------------------------------------- FlagQuestioner

test('the flag questioner says yes only to declared renames, by the new or the old model name', async () => {
  const q = FlagQuestioner.fromFlags({ renameModels: ['shop.Client=Customer'], renameFields: ['shop.Client.name=fullName'] });
  assert.equal(await q.askRenameModel(renameModel(false)), true);
  assert.equal(await q.askRenameModel({ ...renameModel(true), newName: 'Buyer' }), false);
  assert.equal(await q.askRenameField(renameField(true)), true);
  assert.equal(await q.askRenameField({ ...renameField(true), newName: 'title' }), false);
});

test('the flag questioner answers NOT NULL questions from --default and --assume-handled, else quit', async () => {
  assert.deepEqual(await FlagQuestioner.fromFlags({ defaults: ['shop.Client.rank=5'] }).askNotNullAddition(notNull('addField')), { kind: 'default', value: 5 });
  assert.deepEqual(await FlagQuestioner.fromFlags({ assumeHandled: ['shop.client.rank'] }).askNotNullAlteration(notNull('alterField')), { kind: 'handled' });
  assert.deepEqual(await FlagQuestioner.fromFlags({}).askNotNullAlteration(notNull('alterField')), { kind: 'quit' });
});

test('the flag questioner reports the flags no question used', async () => {
  const q = FlagQuestioner.fromFlags({ defaults: ['shop.Client.rank=5', 'shop.Client.typo=1'], renameModels: ['shop.A=B'] });
  await q.askNotNullAddition(notNull('addField'));
  assert.deepEqual(q.unusedFlags(), ['--rename-model shop.A=B', '--default shop.Client.typo=1']);
});

test('likely renames answered no for want of a flag are reported as the flag to pass', async () => {
  const q = FlagQuestioner.fromFlags({ noInput: true });
  await q.askRenameModel(renameModel(true));
  await q.askRenameModel({ ...renameModel(false), newName: 'Other' });
  await q.askRenameField(renameField(true));
  assert.deepEqual(q.declinedRenames(), ['--rename-model shop.Client=Customer', '--rename-field shop.Customer.name=fullName']);
});

test('without input a merge is answered yes, as Django does', async () => {
  assert.equal(await FlagQuestioner.fromFlags({ noInput: true }).askMerge({ app: 'shop', leaves: ['0002_a', '0002_b'] }), true);
});

// ----------------------------------------------------------------------------------- InteractiveQuestioner

/** A prompt that plays back answers and records the questions. */
function scripted(...answers: unknown[]): Prompt & { asked: string[]; validations: (string | undefined)[] } {
  const asked: string[] = [];
  const validations: (string | undefined)[] = [];
  const next = () => {
    if (answers.length === 0) throw new Error(`unexpected question: ${asked[asked.length - 1]}`);
    return answers.shift();
  };
  return {
    asked,
    validations,
    async confirm(message) {
      asked.push(`confirm: ${message}`);
      return next() as boolean;
    },
    async select<T extends string>(message: string, choices: readonly Choice<T>[]) {
      asked.push(`select: ${message} [${choices.map((c) => c.value).join('|')}]`);
      return next() as T;
    },
    async text(message, options) {
      asked.push(`text: ${message}`);
      const answer = next();
      if (typeof answer === 'string' && options?.validate) {
        for (const bad of ['"nope"', '{']) validations.push(options.validate(bad));
        validations.push(options.validate(answer));
      }
      return answer as string;
    },
  };
}

test('declared answers are used without prompting', async () => {
  const prompt = scripted();
  const q = new InteractiveQuestioner(prompt, FlagQuestioner.fromFlags({ renameModels: ['shop.Client=Customer'], defaults: ['shop.Client.rank=1'] }));
  assert.equal(await q.askRenameModel(renameModel(true)), true);
  assert.deepEqual(await q.askNotNullAddition(notNull('addField')), { kind: 'default', value: 1 });
  assert.deepEqual(prompt.asked, []);
});

test('similar renames are asked, dissimilar ones are not', async () => {
  const prompt = scripted(true);
  const q = new InteractiveQuestioner(prompt, FlagQuestioner.fromFlags());
  assert.equal(await q.askRenameField(renameField(true)), true);
  assert.equal(await q.askRenameModel(renameModel(false)), false);
  assert.deepEqual(prompt.asked, ['confirm: Was the field shop.Customer.name renamed to fullName (a text field)?']);
});

test('a NOT NULL addition offers a one-off default or quit, and validates the value', async () => {
  const prompt = scripted('default', '42');
  const q = new InteractiveQuestioner(prompt, FlagQuestioner.fromFlags());
  assert.deepEqual(await q.askNotNullAddition(notNull('addField')), { kind: 'default', value: 42 });
  assert.match(prompt.asked[0], /\[default\|quit\]$/);
  assert.match(prompt.validations[0]!, /integer/);
  assert.match(prompt.validations[1]!, /not JSON/);
  assert.equal(prompt.validations[2], undefined);
});

test('a NOT NULL alteration also offers "handled by a data migration"', async () => {
  const prompt = scripted('handled');
  const q = new InteractiveQuestioner(prompt, FlagQuestioner.fromFlags());
  assert.deepEqual(await q.askNotNullAlteration(notNull('alterField')), { kind: 'handled' });
  assert.match(prompt.asked[0], /\[default\|handled\|quit\]$/);
});

test('cancelling a prompt is a QuestionCancelledError, never an exit', async () => {
  const q = new InteractiveQuestioner(scripted(CANCELLED), FlagQuestioner.fromFlags());
  await assert.rejects(q.askNotNullAlteration(notNull('alterField')), QuestionCancelledError);
});

test('createQuestioner is interactive only on a terminal without --no-input', () => {
  const prompt = scripted();
  assert.ok(createQuestioner({ interactive: true, prompt }) instanceof InteractiveQuestioner);
  assert.ok(createQuestioner({ noInput: true, interactive: true, prompt }) instanceof FlagQuestioner);
  assert.ok(createQuestioner({ interactive: false }) instanceof FlagQuestioner);
  assert.deepEqual(createQuestioner({ interactive: true, prompt, assumeHandled: ['shop.A.b'] }).unusedFlags(), ['--assume-handled shop.A.b']);
});

test('an interactive one-off default ends up in the alterField, not kept in the state', async () => {
  const before = project({ shop: [model('Client', { bought: f.integer({ null: true }) })] });
  const after = project({ shop: [model('Client', { bought: f.integer() })] });
  const q = new InteractiveQuestioner(scripted('default', '0'), FlagQuestioner.fromFlags());
  const changes = await detectChanges(before, after, q, { leaves: { shop: '0001_initial' } });
  assert.deepEqual(changes.shop[0].operations, [
    { kind: 'alterField', model: 'Client', name: 'bought', field: { kind: 'integer', default: 0 }, preserveDefault: false },
  ]);
});

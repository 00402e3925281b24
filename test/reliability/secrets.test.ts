import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { FULL_SCALE } from './support/scale.js';
import { expectRun, runSediment, transcript, withProject, type CliResult } from '../support/cli.js';

/**
 * Secrets (issue 8, item 12): whatever form a connection string takes — a URL, a libpq keyword
 * string, a JDBC or ADO.NET string, a typo, a malformed port — and whatever a command does with it
 * (connects, fails to connect, refuses it, prints --json, prints a --traceback), the password never
 * reaches stdout or stderr. (redact() itself, form by form: secret-urls.test.ts.)
 */

const SECRET = 'pw-Z9q7xK';

const shopModels = `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
});
`;

/** Connection strings that carry SECRET and reach nothing (port 1), or are malformed. */
const DEAD_FORMS = [
  `postgres://postgres:${SECRET}@127.0.0.1:1/x`,
  `postgresql://postgres:${SECRET}@127.0.0.1:1/x?password=${SECRET}`,
  `postgres://postgres:ab@${SECRET}@127.0.0.1:1/x`,
  `postgres:/postgres:${SECRET}@127.0.0.1:1/x`,
  `host=127.0.0.1 port=1 dbname=x user=postgres password=${SECRET}`,
  `jdbc:postgresql://127.0.0.1:1/x?user=postgres&password=${SECRET}`,
  `Server=127.0.0.1;Database=x;User Id=postgres;Password=${SECRET};`,
  `postgres://postgres:${SECRET}@127.0.0.1:99999/x`,
  `postgres://postgres:${SECRET}@[::1/x`,
  `postgres://postgres:${SECRET}@127.0.0.1:abc/x`,
  `postgres://postgres:${SECRET}@127.0.0.1:1/x?sslmode=verify-full&sslrootcert=/nonexistent/root.crt`,
  `postgres://postgres:${SECRET}@localhost:1/x?connect_timeout=1`,
  `mysql://root:${SECRET}@127.0.0.1:1/x`,
  `${SECRET}`,
];

const COMMANDS: readonly (readonly string[])[] = [
  ['migrate'],
  ['showmigrations'],
  ['doctor'],
  ['sqlmigrate', 'shop', '0001'],
  ['sequences'],
  ['migrate', '--plan'],
];

const FLAG_SETS: readonly (readonly string[])[] = [[], ['--json', '--traceback']];

/** At CI size each (form, command) pair runs with one flag set, alternating; full size runs both. */
function flagSetsFor(index: number): readonly (readonly string[])[] {
  return FULL_SCALE ? FLAG_SETS : [FLAG_SETS[index % FLAG_SETS.length]];
}

function assertNoSecret(result: CliResult, secret: string): void {
  const leaked = `${result.stdout}\n${result.stderr}`.toLowerCase().includes(secret.toLowerCase());
  assert.ok(!leaked, `the password was printed:\n${transcript(result)}`);
  assert.doesNotMatch(result.stderr, /internal error/, transcript(result));
}

/** Runs the jobs `width` at a time. */
async function inParallel<T>(jobs: readonly (() => Promise<T>)[], width = 4): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]();
    }
  }));
  return results;
}

test(`no command prints the password of any of ${DEAD_FORMS.length} connection string forms, with or without --json and --traceback`, async () => {
  await withProject('pglite', { apps: { shop: shopModels } }, async (project) => {
    expectRun(await project.run('makemigrations'), { code: 0 });
    const jobs = DEAD_FORMS.flatMap((form, f) =>
      COMMANDS.flatMap((command, c) => flagSetsFor(f + c).map((flags) => async () => {
        const result = await runSediment(project.root, [...command, ...flags, '--database', form], 60_000);
        assertNoSecret(result, SECRET);
        assert.notEqual(result.code, 0, `${result.command} cannot have succeeded`);
        return result;
      })),
    );
    const results = await inParallel(jobs);
    assert.equal(results.length, DEAD_FORMS.length * COMMANDS.length * (FULL_SCALE ? FLAG_SETS.length : 1));
  });
});

test('a live server reached with a password in the userinfo and the query: nothing prints it', { skip: !process.env.SEDIMENT_TEST_POSTGRES_URL }, async () => {
  await withProject('postgres', { apps: { shop: shopModels } }, async (project) => {
    expectRun(await project.run('makemigrations'), { code: 0 });
    // Trust authentication accepts any password, so these connect.
    const secret = `pw-${randomBytes(4).toString('hex')}`;
    const live = new URL(project.databaseUrl!);
    live.password = secret;
    live.searchParams.set('password', secret);
    const url = live.toString();
    for (const [c, command] of [...COMMANDS, ['doctor', '--fix']].entries()) {
      for (const flags of flagSetsFor(c)) {
        const result = await project.runWith({ noDatabaseFlag: true }, ...command, ...flags, '--database', url);
        assertNoSecret(result, secret);
      }
    }
  });
});

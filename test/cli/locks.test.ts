import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { describe, test } from 'node:test';
import { connectPglite } from '../../src/backends/pglite/pglite-connection.js';
import { lockFilePath } from '../../src/backends/pglite/folder-lock.js';
import { connectPostgres, connectTimeoutSeconds } from '../../src/backends/postgres/pg-connection.js';
import { acquireMigrateLock } from '../../src/backends/postgres/migrate-lock.js';
import { ConnectionError } from '../../src/errors/index.js';
import { assertRun, expectRun, handWritten, runSediment, withProject } from '../support/cli.js';

/**
 * Locks and hangs (issue 8, items 1, 10, 11; SPEC §5): a PGlite data folder is opened by one process
 * at a time, a waiter names the holder (host, pid, command, since when) and gives up after
 * --lock-timeout; migrate's statements wait for table locks at most `statementLockTimeout`; a server
 * that accepts and never answers fails within the connect timeout.
 */
const server = process.env.SEDIMENT_TEST_POSTGRES_URL;
const needsServer = server ? false : 'needs a PostgreSQL server: set SEDIMENT_TEST_POSTGRES_URL';

const shopModels = `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
});
`;

/** The pid of a process that has exited: no process has it now (until the system reuses it). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('a PGlite data folder is opened by one process at a time', () => {
  test('migrate with --lock-timeout 1 while another process has the folder open exits 1 naming that process, and runs once it is closed', async () => {
    await withProject('pglite', { apps: { shop: shopModels } }, async (project) => {
      expectRun(await project.run('makemigrations'), { code: 0 });
      const holder = await connectPglite(project.path('db'), { lock: { command: 'sediment migrate (the test holds it)' } });
      try {
        const result = expectRun(await project.run('migrate', '--lock-timeout', '1'), {
          code: 1,
          stderr: ['is in use by sediment migrate (the test holds it)', `pid ${process.pid} on `, 'since ', '--lock-timeout'],
          notStderr: ['not a data directory of another PostgreSQL version', 'Aborted'],
        });
        assertRun(result, result.stdout.includes('Waiting for the PGlite database'), 'the waiter says what it waits for');
        expectRun(await project.run('showmigrations', '--lock-timeout', '0'), { code: 1, stderr: ['is in use by sediment migrate (the test holds it)'] });
      } finally {
        await holder.close();
      }
      expectRun(await project.run('migrate'), { code: 0, stdout: ['Applying shop.0001_initial... OK'], notStdout: ['Waiting'] });
      assert.deepEqual(await project.history(), ['shop.0001_initial']);
    });
  });

  test('a lock file left by a process that no longer exists is taken over without waiting', async () => {
    await withProject('pglite', { apps: { shop: shopModels } }, async (project) => {
      expectRun(await project.run('makemigrations'), { code: 0 });
      const { hostname } = await import('node:os');
      writeFileSync(lockFilePath(project.path('db')), JSON.stringify({
        pid: deadPid(), host: hostname(), command: 'sediment migrate', since: new Date().toISOString(), token: 'crashed',
      }));
      expectRun(await project.run('migrate', '--lock-timeout', '0'), { code: 0, stdout: ['Applying shop.0001_initial... OK'], notStdout: ['Waiting'] });
    });
  });

  test('a lock file of a process on another host is never presumed dead: the waiter names the host and the file to remove', async () => {
    await withProject('pglite', { apps: { shop: shopModels } }, async (project) => {
      writeFileSync(lockFilePath(project.path('db')), JSON.stringify({
        pid: 4242, host: 'other-host.example', command: 'sediment migrate', since: '2026-01-02T03:04:05.000Z', token: 'elsewhere',
      }));
      expectRun(await project.run('showmigrations', '--lock-timeout', '0'), {
        code: 1,
        stderr: ['pid 4242 on other-host.example', 'since 2026-01-02 03:04:05 UTC', lockFilePath(project.path('db'))],
      });
    });
  });

  test('--lock-timeout takes a number of seconds: anything else is bad usage', async () => {
    await withProject('pglite', { apps: { shop: shopModels } }, async (project) => {
      expectRun(await project.run('migrate', '--lock-timeout', 'soon'), { code: 2, stderr: ['--lock-timeout takes a number of seconds'] });
    });
  });
});

describe('the migrate lock on a PostgreSQL server names its holder and can be given up', { skip: needsServer }, () => {
  test('migrate and doctor --fix with --lock-timeout 1 while a session holds the lock exit 1 naming its host, pid, command and start', async () => {
    await withProject('postgres', { apps: { shop: shopModels } }, async (project) => {
      expectRun(await project.run('makemigrations'), { code: 0 });
      const session = await connectPostgres(project.databaseUrl!);
      // application_name holds 63 bytes: the command line is the part that gets cut, so keep it short here.
      const release = await acquireMigrateLock(session, 'sediment_migrations', { command: 'sediment migrate (test)' });
      try {
        const { rows: [{ pid: backendPid }] } = await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        for (const args of [['migrate'], ['doctor', '--fix']]) {
          const result = expectRun(await project.run(...args, '--lock-timeout', '1'), {
            code: 1,
            stderr: ['sediment migrate (test)', `pid ${process.pid} on `, `PostgreSQL backend pid ${backendPid}`, 'since ', 'gave up'],
          });
          assertRun(result, !/Waiting for process \d+/.test(result.stdout), 'the waiter names the process, not only a backend pid');
        }
        // Under --json every line on stdout is JSON, the wait included, with the holder as data.
        const json = await project.run('migrate', '--json', '--lock-timeout', '1');
        const lines = json.stdout.split('\n').filter(Boolean).map((line) => {
          try {
            return JSON.parse(line) as { event?: string; holder?: { pid: number } };
          } catch {
            return assert.fail(`a line of migrate --json is not JSON: ${line}`);
          }
        });
        assertRun(json, lines.some((line) => line.event === 'lock-wait' && line.holder?.pid === process.pid), 'a lock-wait event names the holder');
      } finally {
        await release();
        await session.close();
      }
      expectRun(await project.run('migrate'), { code: 0, stdout: ['Applying shop.0001_initial... OK'] });
    });
  });

  test('an alterField waiting behind a session that holds its table fails fast with a hint naming the table and statementLockTimeout; nothing is applied', async () => {
    await withProject('postgres', { apps: { shop: shopModels } }, async (project) => {
      expectRun(await project.run('makemigrations'), { code: 0 });
      expectRun(await project.run('migrate'), { code: 0 });
      project.write('sediment.config.ts', `import { defineConfig } from 'sediment-migrations';

export default defineConfig({ database: 'pglite:./db', apps: { shop: 'src/shop' }, statementLockTimeout: 1 });
`);
      project.writeMigration('shop', '0002_name_text', handWritten({
        dependencies: [['shop', '0001_initial']],
        operations: ["ops.alterField({ model: 'Client', name: 'name', field: f.text() })"],
      }));
      const reader = await connectPostgres(project.databaseUrl!);
      try {
        // An open transaction that has read the table holds ACCESS SHARE on it until it ends.
        await reader.query('BEGIN');
        await reader.query('SELECT count(*) FROM shop_client');
        expectRun(await project.runWith({ killAfterMs: 60_000 }, 'migrate'), {
          code: 1,
          stderr: ['lock timeout', 'on table "shop_client"', 'statementLockTimeout', 'rolled back', 'not applied'],
        });
      } finally {
        await reader.query('ROLLBACK').catch(() => {});
        await reader.close();
      }
      assert.deepEqual(await project.history(), ['shop.0001_initial']);
      expectRun(await project.run('migrate'), { code: 0, stdout: ['Applying shop.0002_name_text... OK'] });
    });
  });
});

describe('a server that accepts connections and never answers', () => {
  async function silentListener(): Promise<{ server: Server; port: number }> {
    // Accepts every connection and never writes a byte: a stuck pooler or proxy.
    const sockets = new Set<import('node:net').Socket>();
    const listener = createServer((socket) => sockets.add(socket));
    listener.on('close', () => sockets.forEach((s) => s.destroy()));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const address = listener.address();
    assert.ok(address && typeof address === 'object');
    const close = listener.close.bind(listener);
    listener.close = ((cb?: (err?: Error) => void) => {
      sockets.forEach((s) => s.destroy());
      return close(cb);
    }) as typeof listener.close;
    return { server: listener, port: address.port };
  }

  test('showmigrations with ?connect_timeout=1 exits 1 within the timeout naming the target without its password', async () => {
    const { server: listener, port } = await silentListener();
    try {
      await withProject('pglite', { apps: { shop: shopModels } }, async (project) => {
        const url = `postgres://postgres:s3cret@127.0.0.1:${port}/x?connect_timeout=1`;
        const result = expectRun(await runSediment(project.root, ['showmigrations', '--database', url], 60_000), {
          code: 1,
          stderr: [`postgres@127.0.0.1:${port}/x`, 'no answer within 1 s', 'connect_timeout'],
          notStderr: ['s3cret'],
        });
        assertRun(result, result.stdout === '', 'nothing on stdout');
      });
    } finally {
      listener.close();
    }
  });

  test('without connect_timeout the connection gives up after the default 10 s, with a ConnectionError', async () => {
    const { server: listener, port } = await silentListener();
    try {
      assert.equal(connectTimeoutSeconds(`postgres://u@127.0.0.1:${port}/x`, {}), 10);
      assert.equal(connectTimeoutSeconds(`postgres://u@127.0.0.1:${port}/x`, { PGCONNECT_TIMEOUT: '3' }), 3);
      assert.equal(connectTimeoutSeconds(`postgres://u@127.0.0.1:${port}/x?connect_timeout=0`, {}), 0);
      await assert.rejects(connectPostgres(`postgres://u:pw@127.0.0.1:${port}/x`), (error: unknown) => {
        assert.ok(error instanceof ConnectionError);
        assert.match(error.message, /no answer within 10 s/);
        assert.doesNotMatch(error.message, /pw/);
        return true;
      });
    } finally {
      listener.close();
    }
  });
});

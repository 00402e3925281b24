import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeTarget, parseDatabaseUrl, redact } from '../../src/database/url.js';

/**
 * Issue 8, item 12: a database password is never printed in any form. Every connection-string form
 * below holds the password `s3cret`; parsing it (the error, when it fails), describing it and
 * redacting it never show it. (The CLI-level sweep over every command is still to be written.)
 */
const forms = [
  'postgres://postgres:s3cret@127.0.0.1:5432/x',
  'postgresql://postgres:s3cret@127.0.0.1:5432/x',
  'postgres://postgres:ab@s3cret@127.0.0.1:5432/x',
  'postgres://postgres@127.0.0.1:5432/x?password=s3cret',
  'postgres://postgres@127.0.0.1:5432/x?PASSWORD=s3cret&sslmode=disable',
  'postgres://postgres:s3cret@127.0.0.1:99999/x',
  'postgres://postgres:s3cret@127.0.0.1:abc/x',
  'postgres://postgres:s3cret@[::1/x',
  'postgres://postgres:s3cret/x',
  'postgres://postgres:s3cret@127.0.0.1/x?sslmode=verify-full&sslrootcert=/nonexist',
  'postgres:/postgres:s3cret@127.0.0.1:1/x',
  'postgres:postgres:s3cret@127.0.0.1/x',
  'host=127.0.0.1 dbname=x user=postgres password=s3cret',
  "host=127.0.0.1 dbname=x user=postgres password='s3cret'",
  'jdbc:postgresql://127.0.0.1:5432/x?user=postgres&password=s3cret',
  'Server=127.0.0.1;Database=x;User Id=postgres;Password=s3cret;',
  'Host=127.0.0.1;Username=postgres;Pwd=s3cret',
  'mysql://root:s3cret@127.0.0.1/x',
  'postgres:s3cret@127.0.0.1/x',
  'postgres://:s3cret@127.0.0.1/x',
];

describe('database URLs with a password: never printed', () => {
  for (const url of forms) {
    test(`${url.replace('s3cret', 'PW')}: the parse error, the target description and the redacted form hide it`, () => {
      let message = '';
      try {
        parseDatabaseUrl(url);
      } catch (error) {
        const e = error as { message: string; hint?: string };
        message = `${e.message}\n${e.hint ?? ''}`;
      }
      assert.ok(!message.includes('s3cret'), message);
      assert.ok(!describeTarget(url).includes('s3cret'), describeTarget(url));
      assert.ok(!redact(url).includes('s3cret'), redact(url));
    });
  }
});

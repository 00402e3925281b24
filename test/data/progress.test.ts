import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PassThrough } from 'node:stream';
import { describeProgress, jsonProgress, ProgressTracker, silentProgress, ttyProgress, type ProgressEvent } from '../../src/data/progress.js';

const event: ProgressEvent = {
  migration: 'shop.0004_prepopulate_bought', model: 'shop.Client', done: 120000, total: 1000000,
  rowsPerSecond: 48000, secondsLeft: 18.3, finished: false,
};

test('a progress line says rows done of the estimate, the rate and the time left', () => {
  assert.equal(describeProgress(event), 'shop.Client: 120,000 / 1,000,000 rows · 48,000 rows/s · 18 s left');
  assert.equal(describeProgress({ ...event, total: null, secondsLeft: null }), 'shop.Client: 120,000 rows · 48,000 rows/s');
  assert.equal(describeProgress({ ...event, done: 1000000, total: 1000000, finished: true }), 'shop.Client: 1,000,000 / 1,000,000 rows · 48,000 rows/s · done');
  assert.match(describeProgress({ ...event, secondsLeft: 600 }), /10 min left/);
});

test('the JSON reporter writes one event per line, at most once per interval and always the last', () => {
  const lines: string[] = [];
  const reporter = jsonProgress((line) => lines.push(line), 60_000);
  reporter.report(event);
  reporter.report({ ...event, done: 130000 });
  reporter.report({ ...event, done: 1000000, finished: true });
  assert.equal(lines.length, 2);
  assert.deepEqual(JSON.parse(lines[0]), { event: 'progress', ...event });
  assert.equal(JSON.parse(lines[1]).finished, true);
});

test('the terminal reporter is silent when the output is not a TTY', () => {
  const output = new PassThrough();
  assert.equal(ttyProgress(output), silentProgress);
  assert.equal(silentProgress.enabled, false);
});

test('the terminal reporter draws a progress bar on a TTY once an iteration has run for a while', async () => {
  const output = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
  let written = '';
  output.on('data', (chunk: Buffer) => (written += chunk.toString()));
  const reporter = ttyProgress(output, 0);
  reporter.report({ ...event, done: 1 });
  await new Promise((resolve) => setTimeout(resolve, 200)); // the bar library loads on first use
  reporter.report({ ...event, done: 500000 });
  reporter.report({ ...event, done: 1000000, total: 1000000, finished: true });
  assert.match(written, /shop\.Client: 1,000,000 \/ 1,000,000 rows/);
});

test('the terminal bar leaves Ctrl-C to migrate: while it is drawn no SIGINT, SIGTERM or keypress handler of its own is installed', async () => {
  // @clack's bar read stdin in raw mode and answered Ctrl-C with process.exit(0) (issue 8, item 9).
  const output = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
  output.resume();
  const listeners = () => ({ SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM'), keypress: process.stdin.listenerCount('keypress') });
  const before = listeners();
  const reporter = ttyProgress(output, 0);
  reporter.report({ ...event, done: 1 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  reporter.report({ ...event, done: 500000 });
  assert.deepEqual(listeners(), before);
  reporter.report({ ...event, done: 1000000, total: 1000000, finished: true });
});

test('the tracker measures the rate and estimates the time left, never reporting a total below what is done', () => {
  const events: ProgressEvent[] = [];
  const tracker = new ProgressTracker({ enabled: true, report: (e) => void events.push(e) }, 'm', 'shop.Client', 100, 0);
  tracker.advance(60);
  tracker.advance(60);
  tracker.finish();
  assert.equal(events.length, 3);
  assert.equal(events[1].total, 120, 'an estimate that was too low grows with the rows done');
  assert.equal(events[2].finished, true);
  assert.equal(events[2].secondsLeft, 0);
  assert.ok(events.every((e) => e.rowsPerSecond > 0));
});

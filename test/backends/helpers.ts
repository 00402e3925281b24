import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Connection } from '../../src/backends/base/connection.js';
import type { Operation } from '../../src/operations/types.js';
import { compareSchemas } from '../../src/schema/compare.js';
import { expectedSchema } from '../../src/schema/expected-schema.js';
import { Naming } from '../../src/state/names.js';
import { ProjectState } from '../../src/state/project-state.js';
import type { ApplyOptions } from '../support/apply-operations.js';
import { applyBackwards, applyForwards } from '../support/apply-operations.js';
import { testTargets } from '../support/databases.js';

/** Registers one test per database target: "<sentence> [pglite]", "<sentence> [postgres]". */
export function testOnEachTarget(name: string, fn: (connection: Connection, target: string, t: TestContext) => Promise<void>): void {
  for (const target of testTargets()) {
    test(`${name} [${target.name}]`, (t) => target.with((connection) => fn(connection, target.name, t)));
  }
}

/** Fails with every finding, one per line, when the live schema is not the one `state` implies. */
export async function assertSchemaMatches(connection: Connection, state: ProjectState, when: string): Promise<void> {
  const findings = compareSchemas(expectedSchema(state, new Naming(), connection.backend), await connection.backend.introspect(connection));
  assert.deepEqual(findings.map((finding) => finding.message), [], `schema differs from the state ${when}`);
}

/** Applies `setup` and checks the result; returns the state after it. */
export async function given(connection: Connection, app: string, setup: readonly Operation[]): Promise<ProjectState> {
  const state = await applyForwards(connection, ProjectState.empty(), app, setup);
  await assertSchemaMatches(connection, state, 'after the setup operations');
  return state;
}

/**
 * The round trip every operation must survive: forwards, the schema equals the state after; backwards,
 * it equals the state before. Returns the state after, with the database left as it was before.
 */
export async function assertRoundTrip(
  connection: Connection,
  before: ProjectState,
  app: string,
  operations: readonly Operation[],
  options: ApplyOptions & { between?: () => Promise<void> } = {},
): Promise<ProjectState> {
  const after = await applyForwards(connection, before, app, operations, options);
  await assertSchemaMatches(connection, after, 'after applying forwards');
  await options.between?.();
  await applyBackwards(connection, before, app, operations, options);
  await assertSchemaMatches(connection, before, 'after applying backwards');
  return after;
}

export async function rows<Row = Record<string, unknown>>(connection: Connection, sql: string, params?: unknown[]): Promise<Row[]> {
  return (await connection.query<Row>(sql, params)).rows;
}

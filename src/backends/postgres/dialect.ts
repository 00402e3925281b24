import type { ColumnTypes, SqlSpelling } from '../base/backend.js';
import type { PlanDialect } from '../../schema/table-plan.js';
import { columnType } from './column-types.js';
import { inlineParameters, literalSql, quoteLiteral, quoteName } from './sql.js';

/** PostgreSQL's quoting and literals (PGlite's too). */
export const postgresSql: SqlSpelling = {
  quoteName,
  quoteLiteral,
  placeholder: (index) => `$${index}`,
  inlineParameters,
  literal: literalSql,
};

export const postgresTypes: ColumnTypes = { columnType: (model, field, state) => columnType(model, field, state) };

/** What table plans need of PostgreSQL. */
export const postgresPlan: PlanDialect = { sql: postgresSql, types: postgresTypes };

import type { Connection } from '../backends/base/connection.js';
import { COUNT_CAP } from '../backends/base/backend.js';
import type { DataLoss } from '../executor/data-loss.js';
import { CANCELLED, clackPrompt } from '../questioner/prompt.js';
import type { Output } from './output.js';

/** A data loss with what the database holds there now, when Sediment could count it. */
export interface CountedLoss extends DataLoss {
  readonly rows?: number;
}

export async function countLosses(connection: Connection, losses: readonly DataLoss[]): Promise<CountedLoss[]> {
  const counted: CountedLoss[] = [];
  for (const loss of losses) counted.push({ ...loss, rows: await connection.backend.countRows(connection, loss.table, loss.column) });
  return counted;
}

/** "drops table shop_item (1,000 rows)" / "drops column shop_item.code (12 rows with a value)". */
export function describeLoss(loss: CountedLoss): string {
  const what = loss.column ? `column ${loss.table}.${loss.column}` : `table ${loss.table}`;
  if (loss.rows === undefined) return `drops ${what}`;
  const count = loss.rows > COUNT_CAP ? `more than ${COUNT_CAP.toLocaleString('en-US')}` : loss.rows.toLocaleString('en-US');
  const unit = loss.column ? `row${loss.rows === 1 ? '' : 's'} with a value` : `row${loss.rows === 1 ? '' : 's'}`;
  return `drops ${what} (${count} ${unit})`;
}

/**
 * Says what a run destroys before it runs; on a TTY (unless --no-input) asks, and answers false
 * when the user declines. Losses that destroy no row (empty tables, counted) are listed but never
 * asked about.
 */
export async function confirmDataLoss(
  output: Output,
  losses: readonly CountedLoss[],
  options: { readonly ask: boolean; readonly subject: string },
): Promise<boolean> {
  if (losses.length === 0) return true;
  const c = output.color;
  const lines = losses.map((loss) => `  ${loss.migration}: ${loss.operation} — ${describeLoss(loss)}`);
  output.warn(`${options.subject} destroys data that cannot be brought back by migrating the other way:\n${lines.join('\n')}`);
  const atStake = losses.some((loss) => loss.rows === undefined || loss.rows > 0);
  if (!options.ask || !atStake) return true;
  const answer = await clackPrompt({ output: process.stderr }).confirm(c.bold('Continue and drop this data?'), { initial: false });
  return answer !== CANCELLED && answer;
}

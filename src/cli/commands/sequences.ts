import { describeSequence, keySequences, resetSequences } from '../../doctor/index.js';
import type { Output } from '../output.js';
import { announceTarget, loadProject, withConnection, type GlobalOptions } from '../project.js';

interface SequencesOptions {
  readonly reset?: boolean;
  readonly all?: boolean;
  readonly json?: boolean;
}

/**
 * `sediment sequences [--reset] [--all] [--json]`: the key sequences (serial and identity columns)
 * that would hand out a key their table already has — seed 004's "duplicate key value violates unique
 * constraint ..._pkey". Exit 1 when some are behind (a failed check), 0 when none are or after --reset
 * moved them past the largest keys (Django's sqlsequencereset, applied).
 */
export async function sequences(output: Output, global: GlobalOptions, options: SequencesOptions): Promise<number> {
  const project = await loadProject(global);
  return withConnection(project, async (connection) => {
    const all = await keySequences(connection);
    const behind = all.filter((s) => s.behind);
    if (options.reset) {
      const reset = await resetSequences(connection, behind);
      const now = await keySequences(connection);
      if (options.json) {
        output.json({ reset: reset.map((r) => ({ ...r.sequence, nextValue: r.nextValue, previousNextValue: r.sequence.nextValue })), sequences: now });
        return now.some((s) => s.behind) ? 1 : 0;
      }
      if (reset.length === 0) output.line(`Nothing to reset: all ${all.length} key sequence${all.length === 1 ? ' is' : 's are'} ahead of their tables' largest keys.`);
      for (const { sequence, nextValue } of reset) {
        output.line(`Reset ${sequence.sequence}: the next ${sequence.table}.${sequence.column} is ${nextValue} (it was ${sequence.nextValue}; the largest is ${sequence.maxKey}).`);
      }
      return now.some((s) => s.behind) ? 1 : 0;
    }
    if (options.json) {
      output.json({ sequences: options.all ? all : behind });
      return behind.length ? 1 : 0;
    }
    const shown = options.all ? all : behind;
    for (const sequence of shown) {
      output.line(`${sequence.behind ? output.color.red('behind') : output.color.green('ok    ')}  ${describeSequence(sequence)}`);
    }
    if (behind.length === 0) {
      output.line(`All ${all.length} key sequence${all.length === 1 ? ' is' : 's are'} ahead of their tables' largest keys.`);
      return 0;
    }
    output.line();
    output.line(`${behind.length} key sequence${behind.length === 1 ? ' is' : 's are'} behind: run 'sediment sequences --reset' to move ${behind.length === 1 ? 'it' : 'them'} past the largest key${behind.length === 1 ? '' : 's'}.`);
    return 1;
  }, { readOnly: !options.reset, warn: (message) => output.warn(message), announce: announceTarget(output) });
}

import { parseNumber } from '../autodetect/arrange.js';
import { SedimentError, type ErrorDetails } from '../errors/index.js';
import type { NodeRef } from '../graph/migration.js';
import { nodeKey } from '../graph/migration.js';
import type { ConflictAnalysis } from './branches.js';

/**
 * What `makemigrations --merge` writes, or, with `--linearize`, which dependency it rewrites. Pure:
 * names and text in, names and text out; the CLI reads and writes the files.
 */

/** `makemigrations --merge --linearize` cannot rewrite the branches safely; a merge migration can. */
export class LinearizeError extends SedimentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('CannotLinearize', message, details);
  }
}

/** File names past this many characters are shortened (the same budget as generated names). */
const MAX_NAME = 60;

/**
 * The merge migration's name: the next number after the highest leaf, then `merge_` and the leaves
 * (`0003_merge_0002_client_email_0002_order_total`). Long ones keep each leaf's number and first
 * word, then only the numbers. `words` (`--name`) replaces everything after the number.
 */
export function mergeName(leaves: readonly string[], words?: string): string {
  const number = String(Math.max(...leaves.map(parseNumber)) + 1).padStart(4, '0');
  if (words) return `${number}_${words}`;
  const sorted = [...leaves].sort();
  const candidates = [
    sorted,
    sorted.map((leaf) => leaf.split('_').slice(0, 2).join('_')),
    sorted.map((leaf) => leaf.split('_')[0]),
  ];
  for (const parts of candidates) {
    const name = `${number}_merge_${parts.join('_')}`;
    if (name.length <= MAX_NAME) return name;
  }
  return `${number}_merge`;
}

/** The merge migration's content: a dependency on every leaf, no operations. */
export function mergeContent(analysis: ConflictAnalysis): { dependencies: NodeRef[]; operations: [] } {
  return { dependencies: [...analysis.leaves].sort().map((leaf) => [analysis.app, leaf] as const), operations: [] };
}

/** One dependency to rewrite so that the branches run one after the other. */
export interface Linearization {
  readonly migration: string;
  readonly file: string;
  readonly from: NodeRef;
  readonly to: NodeRef;
}

/**
 * How to linearize instead of merging: each branch after the first (by leaf name) starts from the
 * previous branch's leaf instead of the common ancestor. Only for branches that change different
 * models (otherwise their order matters and a person must choose it), and only when each such branch
 * has exactly one migration that depends on the ancestor. Returns the edits, or why it cannot.
 */
export function planLinearization(analysis: ConflictAnalysis): { readonly edits: Linearization[] } | { readonly refused: string } {
  if (!analysis.disjoint) {
    return { refused: 'the branches change the same models or fields (or run raw SQL/code), so their order matters: write a merge migration and check the result instead' };
  }
  const ancestor = analysis.commonAncestor;
  if (ancestor === null) return { refused: 'the branches share no migration to start from' };
  const branches = [...analysis.branches].sort((a, b) => (a.leaf < b.leaf ? -1 : a.leaf > b.leaf ? 1 : 0));
  const edits: Linearization[] = [];
  for (let i = 1; i < branches.length; i++) {
    const starts = branches[i].migrations.filter((m) => m.dependencies.some(([app, name]) => app === analysis.app && name === ancestor));
    if (starts.length !== 1) {
      return { refused: `the branch of ${branches[i].leaf} does not start with exactly one migration that depends on ${nodeKey(analysis.app, ancestor)}` };
    }
    const previousLeaf = branches[i - 1].leaf.slice(analysis.app.length + 1);
    edits.push({ migration: nodeKey(starts[0].app, starts[0].name), file: starts[0].file, from: [analysis.app, ancestor], to: [analysis.app, previousLeaf] });
  }
  return { edits };
}

/**
 * The file's source with the dependency `from` replaced by `to`, or undefined when `from` is not
 * written exactly once as a `['app', 'name']` pair (then a person must edit it).
 */
export function rewriteDependency(source: string, from: NodeRef, to: NodeRef): string | undefined {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pair = new RegExp(`\\[\\s*(['"\`])${escape(from[0])}\\1\\s*,\\s*(['"\`])${escape(from[1])}\\2\\s*\\]`, 'g');
  const found = source.match(pair);
  if (!found || found.length !== 1) return undefined;
  return source.replace(pair, (_match, quote: string) => `[${quote}${to[0]}${quote}, ${quote}${to[1]}${quote}]`);
}

/**
 * Ordering primitives for the migration graph, on dense integer ids. Node ids are assigned in
 * tie-break order (app order, then name), so "the smallest ready id" is the deterministic choice.
 * Everything here is iterative: a graph of thousands of migrations must not overflow the call stack.
 */

/** A binary min-heap of integers. */
export class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const items = this.items;
    let i = items.push(value) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent] <= value) break;
      items[i] = items[parent];
      i = parent;
    }
    items[i] = value;
  }

  pop(): number | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop() as number;
    if (items.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= items.length) break;
        const right = left + 1;
        const child = right < items.length && items[right] < items[left] ? right : left;
        if (items[child] >= last) break;
        items[i] = items[child];
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}

/** Name every outcome: an order of all nodes, or a cycle that prevents one. */
export type TopologicalResult =
  | { readonly kind: 'order'; readonly order: readonly number[] }
  | { readonly kind: 'cycle'; readonly cycle: readonly number[] };

/**
 * Kahn's algorithm: dependencies before dependents, and among the nodes that are ready the one with
 * the smallest id first. O((n + e) log n). When some nodes can never become ready, they contain a
 * cycle, which is returned with each node depending on the next.
 */
export function topologicalOrder(parents: readonly (readonly number[])[], children: readonly (readonly number[])[]): TopologicalResult {
  const n = parents.length;
  const waiting = new Int32Array(n);
  const ready = new MinHeap();
  for (let id = 0; id < n; id++) {
    waiting[id] = parents[id].length;
    if (waiting[id] === 0) ready.push(id);
  }
  const order: number[] = [];
  for (let id = ready.pop(); id !== undefined; id = ready.pop()) {
    order.push(id);
    for (const child of children[id]) if (--waiting[child] === 0) ready.push(child);
  }
  if (order.length === n) return { kind: 'order', order };
  return { kind: 'cycle', cycle: findCycle(parents, waiting) };
}

/**
 * Every node Kahn's algorithm left behind still waits for a left-behind parent, so walking from the
 * smallest such node to its smallest waiting parent, again and again, must come back to a node already
 * on the walk: that stretch is a cycle. It is rotated to start at its smallest node.
 */
function findCycle(parents: readonly (readonly number[])[], waiting: Int32Array): number[] {
  let start = 0;
  while (waiting[start] === 0) start++;
  const step = new Map<number, number>();
  const walk: number[] = [];
  let node = start;
  while (!step.has(node)) {
    step.set(node, walk.length);
    walk.push(node);
    let next = -1;
    for (const parent of parents[node]) if (waiting[parent] > 0 && (next === -1 || parent < next)) next = parent;
    node = next;
  }
  const cycle = walk.slice(step.get(node));
  let smallest = 0;
  for (let i = 1; i < cycle.length; i++) if (cycle[i] < cycle[smallest]) smallest = i;
  return [...cycle.slice(smallest), ...cycle.slice(0, smallest)];
}

/** All nodes reachable from `starts` through `edges` (the starts included), as a membership array. */
export function reach(starts: Iterable<number>, edges: readonly (readonly number[])[]): Uint8Array {
  const seen = new Uint8Array(edges.length);
  const stack: number[] = [];
  for (const start of starts) {
    if (!seen[start]) {
      seen[start] = 1;
      stack.push(start);
    }
  }
  while (stack.length > 0) {
    const node = stack.pop() as number;
    for (const next of edges[node]) {
      if (!seen[next]) {
        seen[next] = 1;
        stack.push(next);
      }
    }
  }
  return seen;
}

/**
 * Two traces merged into one tree for comparison: spans are matched by their path of
 * (service, operation) from the root, so repeated calls along the same path add up. Each merged
 * node says whether it occurs only in A, only in B, or in both, with counts and total durations.
 */
import type { CompactTrace } from '../api/types.js';

/** One node of the merged tree, in pre-order. */
export interface CompareRow {
  depth: number;
  service: string;
  operation: string;
  countA: number;
  countB: number;
  durationA: number;
  durationB: number;
  presence: 'a' | 'b' | 'both';
}

interface Node extends CompareRow {
  children: string[];
}

/** Merges A and B; children keep the order they first appear in (A before B). */
export function compareTraces(a: CompactTrace, b: CompactTrace): CompareRow[] {
  const nodes = new Map<string, Node>();
  const roots: string[] = [];
  const add = (trace: CompactTrace, side: 'A' | 'B') => {
    const keys: string[] = new Array<string>(trace.spanCount);
    for (let row = 0; row < trace.spanCount; row++) {
      const service = trace.services[trace.rows.service[row]!] ?? '';
      const operation = trace.names[trace.rows.name[row]!] ?? '';
      const p = trace.rows.parent[row]!;
      const parentKey = p >= 0 ? keys[p]! : '';
      const key = `${parentKey}\u0001${service}\u0000${operation}`;
      keys[row] = key;
      let node = nodes.get(key);
      if (!node) {
        node = { depth: trace.rows.depth[row]!, service, operation, countA: 0, countB: 0, durationA: 0, durationB: 0, presence: 'both', children: [] };
        nodes.set(key, node);
        if (p >= 0) nodes.get(parentKey)!.children.push(key);
        else roots.push(key);
      }
      if (side === 'A') {
        node.countA++;
        node.durationA += trace.rows.durationUs[row]!;
      } else {
        node.countB++;
        node.durationB += trace.rows.durationUs[row]!;
      }
    }
  };
  add(a, 'A');
  add(b, 'B');
  const out: CompareRow[] = [];
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const node = nodes.get(stack.pop()!)!;
    const { children, ...row } = node;
    row.presence = node.countA === 0 ? 'b' : node.countB === 0 ? 'a' : 'both';
    out.push(row);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return out;
}

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

/** Merges A and B; children keep the order they first appear in (A before B). */
export function compareTraces(a: CompactTrace, b: CompactTrace): CompareRow[] {
  // A node is its parent node plus a (service, operation) pair: keyed by the parent's number and
  // the pair's code, so a key stays small however deep the path (path strings made two 50 000-span
  // traces take ~400 ms). Nodes are rows of the output from the start, their tree
  // links in typed arrays (first child, last child, next sibling) instead of an array per node.
  const index = new Map<number | string, number>();
  const nodes: CompareRow[] = [];
  const capacity = a.spanCount + b.spanCount;
  const firstChild = new Int32Array(capacity).fill(-1);
  const lastChild = new Int32Array(capacity).fill(-1);
  const nextSibling = new Int32Array(capacity).fill(-1);
  const roots: number[] = [];
  // Names as codes shared by both traces; a (service, operation) pair is one number, and with the
  // parent node's number it stays a small integer (a fast map key) for traces of ordinary size.
  const serviceCodes = new Map<string, number>();
  const nameCodes = new Map<string, number>();
  const codesOf = (names: readonly string[], codes: Map<string, number>) => names.map((name) => {
    let code = codes.get(name);
    if (code === undefined) codes.set(name, (code = codes.size));
    return code;
  });
  const servicesOf = [codesOf(a.services, serviceCodes), codesOf(b.services, serviceCodes)];
  const namesOf = [codesOf(a.names, nameCodes), codesOf(b.names, nameCodes)];
  const pairs = Math.max(1, serviceCodes.size * nameCodes.size);
  const smallKeys = pairs * (capacity + 1) < 2 ** 31;
  const add = (trace: CompactTrace, side: 'A' | 'B') => {
    const services = servicesOf[side === 'A' ? 0 : 1]!;
    const names = namesOf[side === 'A' ? 0 : 1]!;
    const nodeOf = new Int32Array(trace.spanCount);
    const r = trace.rows;
    for (let row = 0; row < trace.spanCount; row++) {
      const p = r.parent[row]!;
      const parent = p >= 0 ? nodeOf[p]! : -1;
      const pair = (services[r.service[row]!] ?? 0) * nameCodes.size + (names[r.name[row]!] ?? 0);
      const key = smallKeys ? (parent + 1) * pairs + pair : `${parent},${pair}`;
      let id = index.get(key);
      if (id === undefined) {
        id = nodes.length;
        index.set(key, id);
        nodes.push({
          depth: r.depth[row]!, service: trace.services[r.service[row]!] ?? '', operation: trace.names[r.name[row]!] ?? '',
          countA: 0, countB: 0, durationA: 0, durationB: 0, presence: 'both',
        });
        if (parent < 0) roots.push(id);
        else if (lastChild[parent]! < 0) firstChild[parent] = lastChild[parent] = id;
        else lastChild[parent] = nextSibling[lastChild[parent]!] = id;
      }
      nodeOf[row] = id;
      const node = nodes[id]!;
      if (side === 'A') {
        node.countA++;
        node.durationA += r.durationUs[row]!;
      } else {
        node.countB++;
        node.durationB += r.durationUs[row]!;
      }
    }
  };
  add(a, 'A');
  add(b, 'B');
  const out: CompareRow[] = [];
  const stack = [...roots].reverse();
  const children: number[] = [];
  while (stack.length > 0) {
    const id = stack.pop()!;
    const node = nodes[id]!;
    node.presence = node.countA === 0 ? 'b' : node.countB === 0 ? 'a' : 'both';
    out.push(node);
    children.length = 0;
    for (let c = firstChild[id]!; c >= 0; c = nextSibling[c]!) children.push(c);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return out;
}

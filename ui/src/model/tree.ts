/**
 * Tree operations over a compact trace's pre-order columns: visible rows under collapsed
 * subtrees, children, ancestors. Linear scans over typed arrays; no per-span objects.
 */

/** The columns these functions need: pre-order rows with parent index and subtree size. */
export interface TreeColumns {
  parent: ArrayLike<number>;
  subtree: ArrayLike<number>;
}

/**
 * Rows shown when the rows in `collapsed` hide their descendants (the collapsed row itself stays
 * visible), in row order. With `only` given, shows just those rows and their ancestors.
 */
export function visibleRows(tree: TreeColumns, collapsed: ReadonlySet<number>, only?: ReadonlySet<number>): Int32Array {
  const n = tree.parent.length;
  if (only !== undefined) return onlyWithAncestors(tree, only, collapsed);
  const out = new Int32Array(n);
  if (collapsed.size === 0) {
    // The first paint's case: every row, with no set lookup per row.
    for (let row = 0; row < n; row++) out[row] = row;
    return out;
  }
  let count = 0;
  for (let row = 0; row < n; ) {
    out[count++] = row;
    row += collapsed.has(row) ? tree.subtree[row]! : 1;
  }
  return out.subarray(0, count);
}

function onlyWithAncestors(tree: TreeColumns, only: ReadonlySet<number>, collapsed: ReadonlySet<number>): Int32Array {
  const keep = new Uint8Array(tree.parent.length);
  for (const row of only) {
    for (let r = row; r >= 0 && !keep[r]; r = tree.parent[r]!) keep[r] = 1;
  }
  const out: number[] = [];
  for (let row = 0; row < keep.length; ) {
    if (!keep[row]) {
      row++;
      continue;
    }
    out.push(row);
    row += collapsed.has(row) ? tree.subtree[row]! : 1;
  }
  return Int32Array.from(out);
}

/** Direct children of a row, in row order (pre-order: each child is followed by its subtree). */
export function childrenOf(tree: TreeColumns, row: number): number[] {
  const out: number[] = [];
  const end = row + tree.subtree[row]!;
  for (let child = row + 1; child < end; child += tree.subtree[child]!) out.push(child);
  return out;
}

/** Rows from the root down to `row`'s parent. */
export function ancestorsOf(tree: TreeColumns, row: number): number[] {
  const out: number[] = [];
  for (let r = tree.parent[row]!; r >= 0; r = tree.parent[r]!) out.push(r);
  return out.reverse();
}

/** Rows with at least one child (the ones that can be collapsed). */
export function parentsWithChildren(tree: TreeColumns): number[] {
  const out: number[] = [];
  for (let row = 0; row < tree.subtree.length; row++) if (tree.subtree[row]! > 1) out.push(row);
  return out;
}

/** Rows at `depth` or deeper that have children: collapsing them shows the tree down to `depth`. */
export function collapseBelow(tree: TreeColumns & { depth: ArrayLike<number> }, depth: number): Set<number> {
  const out = new Set<number>();
  for (let row = 0; row < tree.subtree.length; row++) {
    if (tree.subtree[row]! > 1 && tree.depth[row]! >= depth) out.add(row);
  }
  return out;
}

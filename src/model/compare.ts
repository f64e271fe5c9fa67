/** Ordering shared by every sorted list the APIs return. */

/** Orders strings by UTF-16 code units, as `<` does: stable across locales, unlike localeCompare. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

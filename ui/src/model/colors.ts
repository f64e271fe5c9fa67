/** Service colours: stable per service name across every view and every trace. */

/** Distinct hues that read on light and dark backgrounds. */
export const PALETTE: readonly string[] = [
  '#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#86bcb6', '#d37295',
  '#8cd17d', '#a0cbe8', '#ffbe7d', '#b6992d', '#499894', '#f1ce63', '#d4a6c8', '#fabfd2', '#79706e', '#bab0ac',
];

/** The colour of a service: an FNV-1a hash of its name into PALETTE. */
export function serviceColor(service: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < service.length; i++) {
    h ^= service.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return PALETTE[(h >>> 0) % PALETTE.length]!;
}

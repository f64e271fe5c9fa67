/** Light and dark themes: a data-theme attribute on <html>, remembered in localStorage (and for the server, a cookie). */
import { rememberForServer } from './server-hints.js';

/** A theme name. */
export type Theme = 'light' | 'dark';

const KEY = 'ariadne.theme';

/** The remembered theme, else the system's preference. */
export function initialTheme(): Theme {
  const saved = globalThis.localStorage?.getItem(KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Applies and remembers a theme. */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  globalThis.localStorage?.setItem(KEY, theme);
  rememberForServer(theme);
}

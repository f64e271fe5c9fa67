/**
 * What the server needs to draw a /trace/ page's first screen as the app will (src/query/ui/
 * first-screen.ts): the theme and the time zone, kept in cookies because the page's own request
 * is all the server sees before any script runs.
 */
import type { Theme } from './theme.js';

/** Cookie names the server reads (the same strings as in first-screen.ts). */
export const THEME_COOKIE = 'ariadne-theme';
export const TIME_ZONE_COOKIE = 'ariadne-tz';

const YEAR_S = 365 * 24 * 3600;

/** Remembers the theme and the browser's current UTC offset for the server's next page. */
export function rememberForServer(theme: Theme): void {
  const offset = new Date().getTimezoneOffset();
  document.cookie = `${THEME_COOKIE}=${theme}; path=/; max-age=${YEAR_S}; samesite=lax`;
  document.cookie = `${TIME_ZONE_COOKIE}=${offset}; path=/; max-age=${YEAR_S}; samesite=lax`;
}

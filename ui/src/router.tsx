/**
 * The app's client-side routing: the browser's history, read through useSyncExternalStore. The UI
 * has a few routes whose state lives in the query string (paths are matched by small pure functions
 * in model/), so this is all it needs, and it keeps
 * a routing library's ~100 kB out of the script every page must compile before it can paint.
 */
import { useCallback, useLayoutEffect, useMemo, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/** Where the app is: path and query string (with its "?", or empty). */
export interface AppLocation {
  pathname: string;
  search: string;
}

/** How to navigate: `replace` rewrites the current history entry instead of adding one. */
export interface NavigateOptions {
  replace?: boolean;
}

const listeners = new Set<() => void>();
let current: AppLocation = read();

function read(): AppLocation {
  return { pathname: window.location.pathname, search: window.location.search };
}

/** Re-reads the location and wakes subscribers when it changed (one object per location, so renders compare by identity). */
function sync(): void {
  const next = read();
  if (next.pathname === current.pathname && next.search === current.search) return;
  current = next;
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', sync);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Goes to an app URL (path plus optional query) without reloading the page. */
export function navigate(to: string, options: NavigateOptions = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  sync();
}

/** The current location; the component re-renders when it changes. */
export function useLocation(): AppLocation {
  return useSyncExternalStore(subscribe, () => current);
}

/** {@link navigate}, for components. */
export function useNavigate(): typeof navigate {
  return navigate;
}

/** A new query string, or a function of the current one. */
export type SearchParamsUpdate = URLSearchParams | ((current: URLSearchParams) => URLSearchParams);

/**
 * The query string as URLSearchParams, and a setter that navigates to the same path with new
 * parameters (a new history entry unless `replace`); an updater sees the latest parameters.
 */
export function useSearchParams(): [URLSearchParams, (update: SearchParamsUpdate, options?: NavigateOptions) => void] {
  const { search } = useLocation();
  const params = useMemo(() => new URLSearchParams(search), [search]);
  const set = useCallback((update: SearchParamsUpdate, options?: NavigateOptions) => {
    const next = typeof update === 'function' ? update(new URLSearchParams(window.location.search)) : update;
    const query = next.toString();
    navigate(`${window.location.pathname}${query === '' ? '' : `?${query}`}`, options);
  }, []);
  return [params, set];
}

/** Props of {@link Link}: an anchor's, with `to` for its app URL. */
export type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string; replace?: boolean };

/**
 * An anchor to an app URL: a plain click navigates in place; modified clicks (new tab, new window,
 * download) and other targets keep the browser's own behaviour.
 */
export function Link({ to, replace, onClick, ...rest }: LinkProps) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (rest.target !== undefined && rest.target !== '_self') return;
    e.preventDefault();
    navigate(to, { replace: replace ?? false });
  };
  return <a {...rest} href={to} onClick={click} />;
}

/** A {@link Link} marked `active` (class and aria-current) while the location is at or under its path. */
export function NavLink({ className, ...props }: LinkProps) {
  const { pathname } = useLocation();
  const active = pathname === props.to || pathname.startsWith(`${props.to}/`);
  return <Link {...props} className={[className, active ? 'active' : undefined].filter(Boolean).join(' ') || undefined} aria-current={active ? 'page' : undefined} />;
}

/** Navigates once when rendered (e.g. "/" → "/search"). */
export function Navigate({ to, replace }: { to: string; replace?: boolean }) {
  useLayoutEffect(() => navigate(to, { replace: replace ?? false }), [to, replace]);
  return null;
}

/** Reading the app's paths outside React (the start-up prefetch needs them before the first render). */

/** The id a /trace/:id path names (a compare pair "a...b" included), or undefined for other or malformed paths. */
export function traceIdOfPath(path: string): string | undefined {
  const match = /^\/trace\/([^/]+)\/*$/.exec(path);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
}

/**
 * The built UI (ui/dist) held in memory: a few hundred kB, read once at startup, with gzip
 * variants made once, so serving it costs no file-system access and no path can escape the folder.
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One file ready to send. */
export interface StaticFile {
  /** URL path, e.g. "/assets/index-3f2a1b.js". */
  path: string;
  contentType: string;
  body: Buffer;
  /** Gzip-compressed body, when compression saves at least a tenth. */
  gzip?: Buffer;
  /** Cache-Control value: a year for content-hashed assets, revalidate for the rest. */
  cacheControl: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Content type for a file name by its extension; unknown ones are served as opaque bytes. */
export function contentTypeOf(fileName: string): string {
  return CONTENT_TYPES[extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

/** Vite names built assets `<name>-<hash>.<ext>` under assets/: those never change content. */
const HASHED = /^\/assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

/** Cache policy for a URL path: immutable for content-hashed assets, no-cache otherwise. */
export function cacheControlOf(path: string): string {
  return HASHED.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/**
 * Reads every file under `dir` (recursively) into memory, keyed by URL path. Returns undefined
 * when `dir` has no index.html, i.e. the UI was not built.
 */
export async function loadStaticFiles(dir: string): Promise<Map<string, StaticFile> | undefined> {
  let names: string[];
  try {
    names = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
  } catch {
    return undefined;
  }
  const files = new Map<string, StaticFile>();
  for (const file of names) {
    const path = `/${relative(dir, file).split(sep).join('/')}`;
    const body = await readFile(file);
    const contentType = contentTypeOf(file);
    const entry: StaticFile = { path, contentType, body, cacheControl: cacheControlOf(path) };
    if (compressible(contentType) && body.length > 1024) {
      const gz = gzipSync(body, { level: 9 });
      if (gz.length < body.length * 0.9) entry.gzip = gz;
    }
    files.set(path, entry);
  }
  return files.has('/index.html') ? files : undefined;
}

function compressible(contentType: string): boolean {
  return /^(text\/|application\/json|image\/svg)/.test(contentType);
}

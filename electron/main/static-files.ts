/**
 * Serving the built renderer (the app:// protocol in the app, HTTP in the harness): one rule for
 * which file a URL path may name, so that no path escapes the renderer folder.
 */
import { existsSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** The file under `root` that `urlPath` names, with its content type; undefined for anything else. */
export function staticFile(root: string, urlPath: string): { path: string; type: string } | undefined {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (rel.includes('\0')) return undefined;
  const base = resolve(root);
  const path = resolve(base, `.${rel === '/' ? '/index.html' : rel}`);
  if (!path.startsWith(base + sep)) return undefined;
  if (!existsSync(path) || !statSync(path).isFile()) return undefined;
  return { path, type: CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' };
}

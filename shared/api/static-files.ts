import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Files of a built single-page app (the portal's `dist/`), looked up safely: a request
 * path never leaves the folder, and anything that is not a file gets `index.html`, so the
 * app's own router decides what to show.
 */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export interface StaticFile {
  body: Buffer;
  contentType: string;
  /** Hashed asset names never change content, so they may be cached for good; index.html must not be. */
  immutable: boolean;
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

export async function readStaticFile(root: string, requestPath: string | undefined): Promise<StaticFile | undefined> {
  const relative = path.normalize(`/${requestPath ?? ''}`).replace(/^(\.\.[/\\])+/, '');
  let file = path.join(root, relative);
  if (!file.startsWith(root + path.sep) && file !== root) return undefined;
  if (!(await isFile(file))) file = path.join(root, 'index.html');
  if (!(await isFile(file))) return undefined;
  return {
    body: await readFile(file),
    contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    immutable: file.startsWith(path.join(root, 'assets') + path.sep),
  };
}

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStaticFile } from './static-files.js';

const root = mkdtempSync(path.join(tmpdir(), 'portal-dist-'));
mkdirSync(path.join(root, 'assets'));
writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>portal</title>');
writeFileSync(path.join(root, 'assets', 'index-abc.js'), 'console.log(1)');
writeFileSync(path.join(path.dirname(root), 'outside-secret.txt'), 'secret');

describe('readStaticFile', () => {
  it('serves assets with their type, cacheable for good', async () => {
    const file = await readStaticFile(root, 'assets/index-abc.js');
    expect(file).toMatchObject({ contentType: 'text/javascript; charset=utf-8', immutable: true });
    expect(file!.body.toString()).toBe('console.log(1)');
  });

  it('answers index.html, not to be cached, for the root and anything that is not a file', async () => {
    for (const request of [undefined, '', 'connections/new', 'assets']) {
      const file = await readStaticFile(root, request);
      expect(file, String(request)).toMatchObject({ contentType: 'text/html; charset=utf-8', immutable: false });
    }
  });

  it('never leaves the folder', async () => {
    for (const request of ['../outside-secret.txt', '../../etc/passwd', '/../outside-secret.txt', 'assets/../../outside-secret.txt']) {
      const file = await readStaticFile(root, request);
      expect(file?.body.toString(), request).not.toBe('secret');
    }
  });

  it('answers nothing when the portal is not built', async () => {
    expect(await readStaticFile(path.join(root, 'missing'), 'index.html')).toBeUndefined();
  });
});

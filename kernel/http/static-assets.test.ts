import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { contentTypeOf, resolveAsset } from './static-assets.ts';

const root = mkdtempSync(join(tmpdir(), 'maskin-assets-'));
const assets = join(root, 'assets');
mkdirSync(join(assets, 'css'), { recursive: true });
writeFileSync(join(root, 'outside.txt'), 'secret');
writeFileSync(join(assets, 'index.html'), '<p>');
writeFileSync(join(assets, 'css', 'a.css'), 'a{}');
symlinkSync(join(root, 'outside.txt'), join(assets, 'link.txt'));
symlinkSync(root, join(assets, 'up'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('resolves files inside the folder, index.html for the root', async () => {
  expect(await resolveAsset(assets, '/')).toMatch(/index\.html$/);
  expect(await resolveAsset(assets, '')).toMatch(/index\.html$/);
  expect(await resolveAsset(assets, '/css/a.css')).toMatch(/a\.css$/);
});

it('refuses traversal, odd segments and symlinks out of the folder', async () => {
  for (const path of [
    '/../outside.txt',
    '/css/../../outside.txt',
    '/./index.html',
    '//index.html',
    '/css\\..\\..\\outside.txt',
    '/index.html\0',
    '/link.txt',
    '/up/outside.txt',
    '/css',
    'index.html',
  ]) {
    expect(await resolveAsset(assets, path), path).toBeUndefined();
  }
});

it('names content types by extension, octet-stream otherwise', () => {
  expect(contentTypeOf('a.HTML')).toBe('text/html; charset=utf-8');
  expect(contentTypeOf('a.mjs')).toBe('text/javascript; charset=utf-8');
  expect(contentTypeOf('a.unknown')).toBe('application/octet-stream');
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_CSP,
  APP_ORIGIN,
  isAllowedExternalLink,
  isAllowedNavigation,
  isAllowedPermission,
  isAllowedRendererRequest,
} from '../../electron/main/security';
import { staticFile } from '../../electron/main/static-files';
import { DEFAULT_BOUNDS, mainWindowOptions, restoreBounds } from '../../electron/main/window';

describe('the main window is created locked down', () => {
  const o = mainWindowOptions('/app/preload.cjs', DEFAULT_BOUNDS, false);
  it('isolates and sandboxes the renderer, with no Node in it', () => {
    expect(o.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      preload: '/app/preload.cjs',
    });
  });
  it('has devtools only when asked (development)', () => {
    expect(o.webPreferences?.devTools).toBe(false);
    expect(mainWindowOptions('/p', DEFAULT_BOUNDS, true).webPreferences?.devTools).toBe(true);
  });
  it('restores a remembered position only while it is on a screen', () => {
    const screens = [{ x: 0, y: 0, width: 1920, height: 1080 }];
    expect(restoreBounds({ x: 100, y: 100, width: 1300, height: 900 }, screens)).toEqual({
      x: 100,
      y: 100,
      width: 1300,
      height: 900,
    });
    expect(restoreBounds({ x: 5000, y: 100, width: 1300, height: 900 }, screens)).toEqual({
      width: 1300,
      height: 900,
    });
    expect(restoreBounds('garbage', screens)).toEqual(DEFAULT_BOUNDS);
  });
});

describe('content security policy and navigation rules', () => {
  it('allows own scripts only, no inline code, no network from the page', () => {
    expect(APP_CSP).toContain("default-src 'none'");
    expect(APP_CSP).toContain("script-src 'self'");
    expect(APP_CSP).not.toContain('unsafe-inline');
    expect(APP_CSP).not.toContain('unsafe-eval');
    expect(APP_CSP).toContain("connect-src 'none'");
  });
  it('navigation stays inside the app', () => {
    expect(isAllowedNavigation(`${APP_ORIGIN}/index.html#records`)).toBe(true);
    expect(isAllowedNavigation('https://evil.example/')).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd')).toBe(false);
  });
  it('permissions: a sanitised clipboard write only', () => {
    expect(isAllowedPermission('clipboard-sanitized-write')).toBe(true);
    for (const p of [
      'clipboard-read',
      'media',
      'notifications',
      'geolocation',
      'openExternal',
      'fullscreen',
    ]) {
      expect(isAllowedPermission(p)).toBe(false);
    }
  });
  it('external links: https to the allow-list only', () => {
    expect(isAllowedExternalLink('https://open.taobao.com/doc.htm')).toBe(true);
    expect(isAllowedExternalLink('http://open.taobao.com/')).toBe(false);
    expect(isAllowedExternalLink('https://open.taobao.com.evil.example/')).toBe(false);
    expect(isAllowedExternalLink('https://user:pw@open.taobao.com/')).toBe(false);
    expect(isAllowedExternalLink('javascript:alert(1)')).toBe(false);
  });
  it('the renderer may not reach the network itself', () => {
    expect(isAllowedRendererRequest(`${APP_ORIGIN}/assets/app.js`)).toBe(true);
    expect(isAllowedRendererRequest('cd-image://image/1460536261312998/front')).toBe(true);
    expect(isAllowedRendererRequest('https://gw.api.taobao.com/router/rest')).toBe(false);
    expect(isAllowedRendererRequest('http://127.0.0.1:8080/')).toBe(false);
    expect(isAllowedRendererRequest('wss://example.com/')).toBe(false);
  });
});

describe('the renderer folder is the only thing its protocol serves', () => {
  const root = mkdtempSync(join(tmpdir(), 'cd-static-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html>');
  writeFileSync(join(root, 'assets', 'app.js'), '');
  mkdirSync(`${root}-evil`, { recursive: true });
  writeFileSync(`${root}-evil/secret.txt`, 'x');

  it('serves its files with their types', () => {
    expect(staticFile(root, '/')?.type).toContain('text/html');
    expect(staticFile(root, '/assets/app.js')?.type).toContain('javascript');
  });
  it.each([
    '/../../../../etc/passwd',
    '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    `/../${root.split('/').pop()}-evil/secret.txt`,
    '/assets',
    '/missing.js',
    '/%E0%A4%A',
    '/index.html%00.js',
  ])('refuses %s', (path) => {
    expect(staticFile(root, path)).toBeUndefined();
  });
});

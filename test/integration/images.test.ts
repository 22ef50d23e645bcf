import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkImageUrl, DEFAULT_IMAGE_POLICY, downloadImage } from '../../electron/core/gateway/images';

let server: Server;
let base = '';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100, 1)]);

beforeAll(async () => {
  server = createServer((req, res) => {
    switch (req.url) {
      case '/a.jpg':
        return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(JPEG);
      case '/a.png':
        return res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      case '/page':
        return res.writeHead(200, { 'content-type': 'image/jpeg' }).end('<html>not an image</html>');
      case '/big':
        return res
          .writeHead(200, { 'content-type': 'image/jpeg' })
          .end(Buffer.concat([JPEG, Buffer.alloc(2 * 1024 * 1024)]));
      case '/moved':
        return res.writeHead(302, { location: '/a.jpg' }).end();
      case '/slow':
        return setTimeout(() => res.end(JPEG), 2000);
      default:
        return res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
);

describe('downloadImage', () => {
  it('accepts JPEG and PNG by their bytes, following a redirect', async () => {
    const jpg = await downloadImage(`${base}/a.jpg`);
    expect(jpg.ok && jpg.value.mime).toBe('image/jpeg');
    const png = await downloadImage(`${base}/a.png`);
    expect(png.ok && png.value.mime).toBe('image/png');
    const moved = await downloadImage(`${base}/moved`);
    expect(moved.ok && moved.value.bytes.equals(JPEG)).toBe(true);
  });

  it.each([
    ['/page', 'not a JPEG or PNG'],
    ['/big', 'too large'],
    ['/missing', 'HTTP 404'],
  ])('refuses %s (%s) without naming the URL', async (path, why) => {
    const r = await downloadImage(`${base}${path}`, { policy: { maxBytes: 1024 * 1024 } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message['en-US']).toContain(why);
      expect(JSON.stringify(r.error)).not.toContain(base);
    }
  });

  it('times out a stalled image', async () => {
    const r = await downloadImage(`${base}/slow`, { policy: { timeoutMs: 200 } });
    expect(!r.ok && r.error.message['en-US']).toContain('timed out');
  });

  it('refuses plain http except to loopback, and loopback too when so configured', () => {
    expect(checkImageUrl('https://img.example.invalid/a.jpg', DEFAULT_IMAGE_POLICY).ok).toBe(true);
    expect(checkImageUrl('http://img.example.invalid/a.jpg', DEFAULT_IMAGE_POLICY).ok).toBe(false);
    expect(checkImageUrl('http://127.0.0.1:9/a.jpg', DEFAULT_IMAGE_POLICY).ok).toBe(true);
    expect(checkImageUrl('http://[::1]:9/a.jpg', DEFAULT_IMAGE_POLICY).ok).toBe(true);
    expect(
      checkImageUrl('http://127.0.0.1:9/a.jpg', { ...DEFAULT_IMAGE_POLICY, allowLoopbackHttp: false }).ok,
    ).toBe(false);
    expect(checkImageUrl('file:///etc/passwd', DEFAULT_IMAGE_POLICY).ok).toBe(false);
    expect(checkImageUrl('not a url', DEFAULT_IMAGE_POLICY).ok).toBe(false);
  });
});

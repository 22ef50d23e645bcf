import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockAgent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkImageUrl, DEFAULT_IMAGE_POLICY, downloadImage } from '../../electron/core/gateway/images';

let server: Server;
let base = '';
let gatewayUrl = '';
/** The gateway's images come from its own origin; this one is another port on the same machine. */
let other: Server;
let otherPort = 0;
const hits: string[] = [];
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
      case '/to-other-port':
        return res.writeHead(302, { location: `http://127.0.0.1:${otherPort}/a.jpg` }).end();
      case '/slow':
        return setTimeout(() => res.end(JPEG), 2000);
      default:
        return res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gatewayUrl = `${base}/router/rest`;
  other = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'image/jpeg' }).end(JPEG);
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  otherPort = (other.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of [server, other]) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

describe('downloadImage', () => {
  it('accepts JPEG and PNG by their bytes, following a redirect', async () => {
    const jpg = await downloadImage(`${base}/a.jpg`, { policy: { gatewayUrl } });
    expect(jpg.ok && jpg.value.mime).toBe('image/jpeg');
    const png = await downloadImage(`${base}/a.png`, { policy: { gatewayUrl } });
    expect(png.ok && png.value.mime).toBe('image/png');
    const moved = await downloadImage(`${base}/moved`, { policy: { gatewayUrl } });
    expect(moved.ok && moved.value.bytes.equals(JPEG)).toBe(true);
  });

  it.each([
    ['/page', 'not a JPEG or PNG'],
    ['/big', 'too large'],
    ['/missing', 'HTTP 404'],
  ])('refuses %s (%s) without naming the URL', async (path, why) => {
    const r = await downloadImage(`${base}${path}`, { policy: { maxBytes: 1024 * 1024, gatewayUrl } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message['en-US']).toContain(why);
      expect(JSON.stringify(r.error)).not.toContain(base);
    }
  });

  it('times out a stalled image', async () => {
    const r = await downloadImage(`${base}/slow`, { policy: { timeoutMs: 200, gatewayUrl } });
    expect(!r.ok && r.error.message['en-US']).toContain('timed out');
  });

  it('a production gateway: https to public hosts only, never this machine, the LAN or credentials', () => {
    const prod = { ...DEFAULT_IMAGE_POLICY, gatewayUrl: 'https://gw.api.taobao.com/router/rest' };
    expect(checkImageUrl('https://img.example.com/a.jpg', prod).ok).toBe(true);
    expect(checkImageUrl('https://[2001:db8::1]/a.jpg', prod).ok).toBe(true);
    for (const url of [
      'http://img.example.com/a.jpg',
      `${base}/a.jpg`,
      'https://127.0.0.1/a.jpg',
      'https://localhost/a.jpg',
      'https://img.localhost/a.jpg',
      'http://2130706433/a.jpg',
      'https://0x7f.1/a.jpg',
      'https://[::1]/a.jpg',
      'https://[::ffff:127.0.0.1]/a.jpg',
      'https://[::ffff:10.0.0.1]/a.jpg',
      'https://0.0.0.0/a.jpg',
      'https://10.1.2.3/a.jpg',
      'https://172.16.0.1/a.jpg',
      'https://192.168.1.1/a.jpg',
      'http://169.254.169.254/latest/meta-data/',
      'https://100.64.0.1/a.jpg',
      'https://[fd00::1]/a.jpg',
      'https://[fe80::1]/a.jpg',
      'https://intranet/a.jpg',
      'https://user:pass@img.example.com/a.jpg',
      'https://token@img.example.com/a.jpg',
      'file:///etc/passwd',
      'ftp://img.example.com/a.jpg',
      'not a url',
    ]) {
      const r = checkImageUrl(url, prod);
      expect(r.ok, url).toBe(false);
      expect(JSON.stringify(r)).not.toContain(url.replace(/^\w+:\/\//, '').slice(0, 12));
    }
    // Without a gateway at all, the same rule.
    expect(checkImageUrl(`${base}/a.jpg`, DEFAULT_IMAGE_POLICY).ok).toBe(false);
  });

  it('a loopback gateway: plain http only to its own origin, not to another port of this machine', async () => {
    const local = { ...DEFAULT_IMAGE_POLICY, gatewayUrl };
    expect(checkImageUrl(`${base}/img/1/front.jpg`, local).ok).toBe(true);
    expect(checkImageUrl(`http://127.0.0.1:${otherPort}/a.jpg`, local).ok).toBe(false);
    expect(checkImageUrl(`http://localhost:${new URL(base).port}/a.jpg`, local).ok).toBe(false);
    expect(checkImageUrl('https://192.168.1.1/a.jpg', local).ok).toBe(false);
    const r = await downloadImage(`http://127.0.0.1:${otherPort}/a.jpg`, { policy: { gatewayUrl } });
    expect(r.ok).toBe(false);
    // A redirect from the gateway's own origin into another port is refused before it is followed.
    const moved = await downloadImage(`${base}/to-other-port`, { policy: { gatewayUrl } });
    expect(!moved.ok && moved.error.message['en-US']).toContain('local or private host');
    expect(hits).toEqual([]);
  });

  it('never follows a redirect from https to http, or into this machine', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const img = agent.get('https://img.example.com');
    img
      .intercept({ path: '/down.jpg' })
      .reply(302, '', { headers: { location: 'http://img.example.com/a.jpg' } });
    img
      .intercept({ path: '/local.jpg' })
      .reply(302, '', { headers: { location: 'https://localhost/a.jpg' } });
    img
      .intercept({ path: '/meta.jpg' })
      .reply(302, '', { headers: { location: 'https://169.254.169.254/latest/meta-data/' } });
    img.intercept({ path: '/ok.jpg' }).reply(302, '', { headers: { location: '/final.jpg' } });
    img.intercept({ path: '/final.jpg' }).reply(200, JPEG);
    const policy = { gatewayUrl: 'https://gw.api.taobao.com/router/rest' };
    const down = await downloadImage('https://img.example.com/down.jpg', { policy, dispatcher: agent });
    expect(!down.ok && down.error.message['en-US']).toContain('redirect to http');
    for (const path of ['/local.jpg', '/meta.jpg']) {
      const r = await downloadImage(`https://img.example.com${path}`, { policy, dispatcher: agent });
      expect(!r.ok && r.error.message['en-US'], path).toContain('local or private host');
    }
    const good = await downloadImage('https://img.example.com/ok.jpg', { policy, dispatcher: agent });
    expect(good.ok && good.value.bytes.equals(JPEG)).toBe(true);
    await agent.close();
  });
});

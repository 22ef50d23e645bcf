/**
 * A hostile test gateway, separate from the demo gateway: a real TCP server on 127.0.0.1 that
 * reads an HTTP request and answers with raw bytes, so it can break HTTP itself (a wrong
 * Content-Length, a reset, bytes trickled) as well as the envelope. Each order id is given a fault;
 * an order without one gets a well-formed success reply.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

export type HostileFault =
  | 'ok'
  | 'html'
  | 'half'
  | 'gzip-garbage'
  | 'slowloris'
  | 'wrong-content-type'
  | 'length-mismatch'
  | 'doctype-xml'
  | 'external-entity-xml'
  | 'other-order'
  | 'control-chars'
  | 'reset'
  | 'padded-echo'
  | 'trickle-forever';

export const HOSTILE_FAULTS: HostileFault[] = [
  'html',
  'half',
  'gzip-garbage',
  'slowloris',
  'wrong-content-type',
  'length-mismatch',
  'doctype-xml',
  'external-entity-xml',
  'other-order',
  'control-chars',
  'reset',
];

/** Field values a hostile gateway might send to take over a terminal or hide text. */
export const HOSTILE_NAME = '\u001b[2J\u001b]0;pwned\u0007王\r\n伪造行\u0000\u009b31m\u202eabc\u2066';
export const HOSTILE_REQUEST_ID = 'rid\u001b[31m\r\nforged';

export interface HostileCall {
  orderId: string;
  fault: HostileFault;
}

export interface HostileGateway {
  url: string;
  calls: HostileCall[];
  /** Set or change an order's fault while running. */
  set(orderId: string, fault: HostileFault): void;
  close(): Promise<void>;
}

const KEY = 'tmall_hk_clearance_distribution_get_response';

function successJson(orderId: string, module: Record<string, string> = {}, requestId = 'hostile-rid') {
  const m = {
    ocr_name: '测试',
    ocr_id: '11010519491231002X',
    ocr_exp: '20340101',
    type: '1',
    ...module,
  };
  const fields = Object.entries(m)
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join(',');
  // order_id a bare number, as the gateway writes it.
  return `{"${KEY}":{"result":{"module":{${fields},"order_id":${orderId}},"success":true},"request_id":${JSON.stringify(requestId)}}}`;
}

function head(status: number, headers: Record<string, string | number>): string {
  const lines = [`HTTP/1.1 ${status} X`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function reply(socket: Socket, type: string, body: string | Buffer, extra: Record<string, string> = {}) {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  socket.write(
    head(200, { 'content-type': type, 'content-length': bytes.length, connection: 'close', ...extra }),
  );
  socket.end(bytes);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function answer(socket: Socket, orderId: string, fault: HostileFault) {
  const json = 'application/json;charset=UTF-8';
  switch (fault) {
    case 'ok':
      return reply(socket, json, successJson(orderId));
    case 'html':
      return reply(socket, 'text/html', '<html><head><title>登录</title></head><body>Sign in</body></html>');
    case 'half': {
      const whole = successJson(orderId);
      // No length, half the reply, a clean close.
      socket.write(head(200, { 'content-type': json, connection: 'close' }));
      socket.end(whole.slice(0, Math.floor(whole.length / 2)));
      return;
    }
    case 'gzip-garbage': {
      const garbage = Buffer.concat([gzipSync(Buffer.from('{"a":')).subarray(0, 10), randomBytes(200)]);
      return reply(socket, json, garbage, { 'content-encoding': 'gzip' });
    }
    case 'slowloris': {
      // The whole reply, one byte every 8 ms: slow, but within the client's timeouts.
      const body = Buffer.from(successJson(orderId));
      socket.write(head(200, { 'content-type': json, 'content-length': body.length, connection: 'close' }));
      for (const byte of body) {
        if (socket.destroyed) return;
        socket.write(Buffer.from([byte]));
        await sleep(8);
      }
      socket.end();
      return;
    }
    case 'wrong-content-type':
      return reply(socket, 'image/png', successJson(orderId));
    case 'length-mismatch': {
      const body = Buffer.from(successJson(orderId));
      socket.write(
        head(200, { 'content-type': json, 'content-length': body.length + 500, connection: 'close' }),
      );
      socket.end(body);
      return;
    }
    case 'doctype-xml':
      return reply(
        socket,
        'text/xml;charset=UTF-8',
        `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><${KEY}><result><success>true</success><module><order_id>${orderId}</order_id><ocr_name>&b;</ocr_name><ocr_id>11010519491231002X</ocr_id><ocr_exp>20340101</ocr_exp></module></result></${KEY}>`,
      );
    case 'external-entity-xml':
      return reply(
        socket,
        'text/xml;charset=UTF-8',
        `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]><${KEY}><result><success>true</success><module><order_id>${orderId}</order_id><ocr_name>&x;</ocr_name></module></result></${KEY}>`,
      );
    case 'other-order':
      return reply(socket, json, successJson((BigInt(orderId) + 1n).toString()));
    case 'control-chars':
      return reply(
        socket,
        json,
        successJson(orderId, { ocr_name: HOSTILE_NAME, ocr_exp: '2034\u001b[5m0101' }, HOSTILE_REQUEST_ID),
      );
    case 'reset':
      socket.resetAndDestroy();
      return;
    case 'padded-echo':
      // The same order, written with leading zeros (as text): not another order.
      return reply(
        socket,
        json,
        successJson(orderId).replace(`"order_id":${orderId}`, `"order_id":"000${orderId}"`),
      );
    case 'trickle-forever': {
      socket.write(head(200, { 'content-type': json, 'content-length': 1_000_000, connection: 'close' }));
      while (!socket.destroyed) {
        socket.write(' ');
        await sleep(50);
      }
      return;
    }
  }
}

/** Read one request (headers, then Content-Length bytes of body); resolves the form body. */
function readRequest(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = buf.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(headers)?.[1] ?? 0);
      if (buf.length < end + 4 + length) return;
      socket.off('data', onData);
      resolve(buf.subarray(end + 4, end + 4 + length).toString('utf8'));
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

export async function startHostileGateway(
  faults: Record<string, HostileFault> = {},
): Promise<HostileGateway> {
  const byOrder = new Map(Object.entries(faults));
  const calls: HostileCall[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    readRequest(socket)
      .then((body) => {
        const orderId = new URLSearchParams(body).get('order_id') ?? '';
        const fault = byOrder.get(orderId) ?? 'ok';
        calls.push({ orderId, fault });
        return answer(socket, orderId, fault);
      })
      .catch(() => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/router/rest`,
    calls,
    set: (orderId, fault) => byOrder.set(orderId, fault),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

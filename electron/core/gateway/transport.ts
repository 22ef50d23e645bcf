import { createGunzip, createInflate } from 'node:zlib';
import { type Dispatcher, EnvHttpProxyAgent, request } from 'undici';
import { type ClearanceError, clearanceError, type ErrorReason, fail, ok, type Result } from '../errors';

export interface TransportOptions {
  /** Connect timeout, as the official SDKs (15 s). */
  connectTimeoutMs?: number;
  /** Whole exchange, request to last byte (the SDKs' 30 s read timeout). */
  totalTimeoutMs?: number;
  /** A reply larger than this (after decompression) is refused, never buffered whole. */
  maxBytes?: number;
}

export const TRANSPORT_DEFAULTS = {
  connectTimeoutMs: 15_000,
  totalTimeoutMs: 30_000,
  maxBytes: 2 * 1024 * 1024,
};

export interface HttpReply {
  status: number;
  contentType: string;
  body: Buffer;
  /** For redirects (image hosts); the gateway itself never redirects. */
  location?: string;
}

/** A failure to exchange bytes, before any envelope is read. `retryable` is this project's rule. */
export interface TransportFailure {
  error: ClearanceError;
  retryable: boolean;
}

/**
 * The default dispatcher: honours HTTP(S)_PROXY and NO_PROXY from the environment (undici
 * ignores them otherwise); an extra CA can be trusted for inspected corporate networks.
 */
export function createDispatcher(opts: { connectTimeoutMs?: number; ca?: string | Buffer } = {}): Dispatcher {
  const connect = {
    timeout: opts.connectTimeoutMs ?? TRANSPORT_DEFAULTS.connectTimeoutMs,
    ...(opts.ca ? { ca: opts.ca } : {}),
  };
  return new EnvHttpProxyAgent({ connect, proxyTls: connect, requestTls: connect });
}

let sharedDispatcher: Dispatcher | undefined;
export const defaultDispatcher = () => {
  sharedDispatcher ??= createDispatcher();
  return sharedDispatcher;
};

function failure(reason: ErrorReason, retryable: boolean, facts = {}): Result<never, TransportFailure> {
  return fail({ error: clearanceError(reason, facts), retryable });
}

/** Undici and Node name the same few network troubles many ways; fold them into two reasons. */
function networkFailure(err: unknown): Result<never, TransportFailure> {
  const code =
    (err as { code?: string; cause?: { code?: string } })?.code ??
    (err as { cause?: { code?: string } })?.cause?.code;
  const name = (err as { name?: string })?.name;
  if (
    name === 'TimeoutError' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'ETIMEDOUT'
  ) {
    return failure('network-timeout', true);
  }
  return failure('network-unreachable', true, code ? { detail: code } : {});
}

async function readCapped(
  body: NodeJS.ReadableStream & { destroy(): void },
  encoding: string,
  maxBytes: number,
) {
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : null;
  // pipe() does not pass an abort or error of the body on to the decoder: without this, a gzip
  // reply that stalls would never end, whatever the timeout.
  if (decoder) body.on('error', (err) => decoder.destroy(err));
  const source: AsyncIterable<Buffer> = decoder
    ? (body.pipe(decoder) as AsyncIterable<Buffer>)
    : (body as AsyncIterable<Buffer>);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source) {
      size += chunk.length;
      if (size > maxBytes) {
        body.destroy();
        decoder?.destroy();
        return { oversized: true as const };
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('Z_')) return { corrupt: true as const };
    throw err;
  }
  return { body: Buffer.concat(chunks) };
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * One HTTP exchange with every guard the gateway client and the image download need: connect and
 * overall timeouts, gzip, a size cap on the decoded reply, cancellation.
 */
export async function exchange(
  req: HttpRequest,
  opts: TransportOptions & { dispatcher?: Dispatcher; signal?: AbortSignal } = {},
): Promise<Result<HttpReply, TransportFailure>> {
  const totalMs = opts.totalTimeoutMs ?? TRANSPORT_DEFAULTS.totalTimeoutMs;
  const maxBytes = opts.maxBytes ?? TRANSPORT_DEFAULTS.maxBytes;
  const timeout = AbortSignal.timeout(totalMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: { 'accept-encoding': 'gzip, deflate', ...req.headers },
      body: req.body,
      signal,
      dispatcher: opts.dispatcher ?? defaultDispatcher(),
      headersTimeout: totalMs,
      bodyTimeout: totalMs,
    });
    const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
    const declared = Number(res.headers['content-length'] ?? Number.NaN);
    if (!encoding && declared > maxBytes) {
      res.body.destroy();
      return failure('protocol-oversized', false, { limitBytes: maxBytes });
    }
    const read = await readCapped(res.body, encoding, maxBytes);
    if ('oversized' in read) return failure('protocol-oversized', false, { limitBytes: maxBytes });
    if ('corrupt' in read) return failure('protocol-malformed', false);
    const reply: HttpReply = {
      status: res.statusCode,
      contentType: String(res.headers['content-type'] ?? ''),
      body: read.body,
    };
    const location = res.headers.location;
    if (typeof location === 'string') reply.location = location;
    return ok(reply);
  } catch (err) {
    if (opts.signal?.aborted) return failure('cancelled', false);
    if (timeout.aborted) return failure('network-timeout', true);
    return networkFailure(err);
  }
}

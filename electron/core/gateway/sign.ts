import { createHash, createHmac } from 'node:crypto';

import { SIGN_METHODS, type SignMethod } from '../rules';

export { DEFAULT_SIGN_METHOD, SIGN_METHODS, type SignMethod } from '../rules';

export function isSignMethod(v: string): v is SignMethod {
  return (SIGN_METHODS as readonly string[]).includes(v);
}

/**
 * The gateway's signature: every sent parameter but `sign`, empty values dropped, sorted by
 * name in byte order, concatenated as name+value, UTF-8, digested, upper-case hex.
 */
export function signParams(
  params: Readonly<Record<string, string | undefined>>,
  secret: string,
  method: SignMethod,
): string {
  const names = Object.keys(params)
    .filter((name) => name !== 'sign' && params[name] !== undefined && params[name] !== '')
    // Parameter names are ASCII, where UTF-16 order equals byte order; compare explicitly anyway.
    .sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  const base = names.map((name) => name + params[name]).join('');
  switch (method) {
    case 'md5':
      return createHash('md5')
        .update(secret + base + secret, 'utf8')
        .digest('hex')
        .toUpperCase();
    case 'hmac':
      return createHmac('md5', Buffer.from(secret, 'utf8')).update(base, 'utf8').digest('hex').toUpperCase();
    case 'hmac-sha256':
      return createHmac('sha256', Buffer.from(secret, 'utf8'))
        .update(base, 'utf8')
        .digest('hex')
        .toUpperCase();
  }
}

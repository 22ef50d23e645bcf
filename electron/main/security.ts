/**
 * The security rules of the shell as data and pure functions, so that tests read the very values
 * the app uses. No `electron` import.
 */

/** The app's own pages are served from this privileged scheme, never file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'desk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** ID images come from the vault through this scheme, never from the gateway's URLs. */
export const IMAGE_SCHEME = 'cd-image';

/**
 * Content-Security-Policy of every page: own scripts and styles only, images from the vault
 * scheme, fonts bundled, no network of its own (all networking happens in main).
 */
export function contentSecurityPolicy(opts: { imageSources: string[]; connectSources?: string[] }): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob: ${opts.imageSources.join(' ')}`.trim(),
    "font-src 'self'",
    `connect-src ${(opts.connectSources ?? []).join(' ') || "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

export const APP_CSP = contentSecurityPolicy({ imageSources: [`${IMAGE_SCHEME}:`] });

/** External links the app may open in the user's browser: https only, these hosts only. */
export const EXTERNAL_LINK_HOSTS = [
  'open.taobao.com',
  'oauth.taobao.com',
  'developer.alibaba.com',
  'open.tmall.hk',
];

export function isAllowedExternalLink(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.protocol === 'https:' && EXTERNAL_LINK_HOSTS.includes(u.hostname) && !u.username && !u.password;
  } catch {
    return false;
  }
}

/**
 * Permissions the page may have: only a sanitised clipboard write, which the copy buttons need
 * (Electron routes `navigator.clipboard.writeText` through it). Camera, notifications, geolocation,
 * clipboard reads and the rest are refused.
 */
export const isAllowedPermission = (permission: string) => permission === 'clipboard-sanitized-write';

/** The renderer's own requests: only the app scheme, the image scheme and devtools are let through. */
export function isAllowedRendererRequest(raw: string): boolean {
  try {
    const u = new URL(raw);
    return (
      (u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST) ||
      u.protocol === `${IMAGE_SCHEME}:` ||
      u.protocol === 'devtools:' ||
      u.protocol === 'data:' ||
      u.protocol === 'blob:'
    );
  } catch {
    return false;
  }
}

/**
 * scheme://host of a URL. `URL.origin` is "null" for schemes the URL parser does not know (our
 * `app:`), so the origin is spelled out here for every comparison.
 */
export function originOf(raw: string): string | undefined {
  try {
    const u = new URL(raw);
    return u.host ? `${u.protocol}//${u.host}` : undefined;
  } catch {
    return undefined;
  }
}

/** A navigation is allowed only within the app's own origin (same page, hash routes). */
export const isAllowedNavigation = (raw: string) => originOf(raw) === APP_ORIGIN;

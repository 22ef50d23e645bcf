import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parse as parseLossless } from 'lossless-json';
import { type ClearanceError, clearanceError, fail, ok, type Result } from '../errors';

/** A field of a reply: every scalar is kept as the text the gateway sent, so no digit is lost. */
export type ReplyValue = string | boolean | null | ReplyObject | ReplyValue[];
export interface ReplyObject {
  [key: string]: ReplyValue;
}

export interface PlatformError {
  code?: number;
  msg?: string;
  subCode?: string;
  subMsg?: string;
  requestId?: string;
}

export type Envelope =
  | { type: 'response'; body: ReplyObject; requestId?: string }
  | { type: 'error'; error: PlatformError };

export type ReplyFormat = 'json' | 'xml';

/** `tmall.hk.clearance.distribution.get` answers under `tmall_hk_clearance_distribution_get_response`. */
export const responseKey = (method: string) => `${method.replace(/\./g, '_')}_response`;

const looksLikeHtml = (text: string) => /^\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(text);

const xml = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false, // keep "3728150192837465928" a string
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  processEntities: true,
});

/** The gateway never sends a DOCTYPE: one in a reply can only define entities or fetch a DTD. */
const hasDoctype = (text: string) => /<!doctype|<!entity/i.test(text);

function parseJson(text: string): ReplyObject | undefined {
  // Numbers come back as their own digits (strings): order ids exceed 2^53.
  const v = parseLossless(text, null, (digits: string) => digits) as ReplyValue;
  return isObject(v) ? v : undefined;
}

function parseXml(text: string): ReplyObject | undefined {
  if (hasDoctype(text)) return undefined;
  if (XMLValidator.validate(text) !== true) return undefined;
  const v = xml.parse(text) as ReplyValue;
  return isObject(v) ? v : undefined;
}

/** Whatever a parser throws on (nesting limits, stack depth, entities) is a reply we cannot read. */
function parseBody(text: string, format: ReplyFormat): ReplyObject | undefined {
  try {
    return format === 'json' ? parseJson(text) : parseXml(text);
  } catch {
    return undefined;
  }
}

export function isObject(v: ReplyValue | undefined): v is ReplyObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function text(v: ReplyValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

function platformError(e: ReplyObject): PlatformError {
  const out: PlatformError = {};
  const code = Number(text(e.code));
  if (Number.isInteger(code)) out.code = code;
  const msg = text(e.msg);
  if (msg) out.msg = msg;
  const subCode = text(e.sub_code);
  if (subCode) out.subCode = subCode;
  const subMsg = text(e.sub_msg);
  if (subMsg) out.subMsg = subMsg;
  const requestId = text(e.request_id);
  if (requestId) out.requestId = requestId;
  return out;
}

/**
 * Read the gateway's envelope: the method's `*_response` or an `error_response`. Anything else
 * (a web page, half a reply, another shape) is a protocol failure.
 */
export function parseEnvelope(
  body: string,
  format: ReplyFormat,
  method: string,
): Result<Envelope, ClearanceError> {
  if (looksLikeHtml(body)) return fail(clearanceError('protocol-html'));
  // The gateway sometimes answers an error in JSON even when XML was asked for, so sniff first.
  const sniffed: ReplyFormat = body.trimStart().startsWith('<')
    ? 'xml'
    : body.trimStart().startsWith('{')
      ? 'json'
      : format;
  const root = parseBody(body, sniffed);
  if (!root) return fail(clearanceError('protocol-malformed'));
  const errorNode = root.error_response;
  if (isObject(errorNode)) return ok({ type: 'error', error: platformError(errorNode) });
  const responseNode = root[responseKey(method)];
  if (isObject(responseNode)) {
    const requestId = text(responseNode.request_id);
    return ok(
      requestId
        ? { type: 'response', body: responseNode, requestId }
        : { type: 'response', body: responseNode },
    );
  }
  return fail(clearanceError('protocol-malformed'));
}

import { describe, expect, it } from 'vitest';
import { type Io, printError, shown } from '../../electron/cli/output';
import { clearanceError } from '../../electron/core/errors';

// Every character that can move the cursor, rewrite a line, recolour or reorder text on a terminal.
const DANGEROUS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/u;

describe('shown: gateway text made safe for a terminal', () => {
  it.each([
    ['\u001b[2Jname', '\\x1b[2Jname'],
    ['a\r\nb', 'a\\r\\nb'],
    ['nul\u0000', 'nul\\x00'],
    ['c1\u009b31m', 'c1\\x9b31m'],
    ['bidi\u202eabc\u2066', 'bidi\\u202eabc\\u2066'],
    ['tab\there', 'tab\\there'],
    ['del\u007f', 'del\\x7f'],
    ['王𪚥 ok', '王𪚥 ok'],
  ])('%j is shown as %j', (input, expected) => {
    expect(shown(input)).toBe(expected);
    expect(DANGEROUS.test(shown(input))).toBe(false);
  });

  it('printError escapes the message, codes and request id; --json keeps them exact', () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), lang: 'en-US', isTTY: false };
    const e = clearanceError(
      'platform-other',
      { code: 'x\u001b]0;t\u0007', subCode: 'isv.\u202eevil' },
      { requestId: 'r\r\nforged' },
    );
    printError(io, e, false);
    const line = err.join('');
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\r\n]/);
    expect(DANGEROUS.test(line.replace(/\n$/, ''))).toBe(false);
    expect(line).toContain('r\\r\\nforged');
    printError(io, e, true);
    const parsed = JSON.parse(out.join(''));
    expect(parsed.error.requestId).toBe('r\r\nforged');
    expect(parsed.error.subCode).toBe('isv.\u202eevil');
  });
});

/**
 * Text → GB 18030 bytes for the tests' sheets, as Excel on a Chinese system saves CSV. Node can
 * only decode GB 18030, so the table is built by decoding every two-byte sequence once and
 * inverting it (ASCII is itself; characters outside the two-byte range are not needed here).
 */
let table: Map<string, [number, number]> | undefined;

function build() {
  const dec = new TextDecoder('gb18030');
  const t = new Map<string, [number, number]>();
  for (let a = 0x81; a <= 0xfe; a++) {
    for (let b = 0x40; b <= 0xfe; b++) {
      if (b === 0x7f) continue;
      const ch = dec.decode(new Uint8Array([a, b]));
      if (ch.length === 1 && ch !== '\ufffd' && !t.has(ch)) t.set(ch, [a, b]);
    }
  }
  return t;
}

export function gb18030(text: string): Buffer {
  table ??= build();
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (c < 0x80) out.push(c);
    else {
      const pair = table.get(ch);
      if (!pair) throw new Error(`gb18030 test encoder: no two-byte code for U+${c.toString(16)}`);
      out.push(...pair);
    }
  }
  return Buffer.from(out);
}

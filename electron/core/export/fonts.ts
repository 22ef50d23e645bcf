/**
 * Fonts for the export: the bundled Noto Sans SC (regular, bold) and, for a character it lacks,
 * fallback faces tried in order. Coverage is asked of the very fonts pdfkit embeds (fontkit's
 * `hasGlyphForCodePoint`), so what is measured is what gets drawn.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FallbackFont } from './types';

const require = createRequire(import.meta.url);

/** Resolved through Node's module lookup, so it works from the sources and from bundles in dist/. */
export function bundledFontPaths(): { regular: string; bold: string } {
  return {
    regular: require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'),
    bold: require.resolve('@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf'),
  };
}

/** Debian's fonts-wqy-microhei; other systems simply go without (missing glyphs are then reported). */
export const DEFAULT_FALLBACK_FONTS: FallbackFont[] = [
  { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', face: 'WenQuanYiMicroHei' },
];

export interface FontBytes {
  regular: Buffer;
  bold: Buffer;
  fallbacks: { bytes: Buffer; face?: string }[];
}

let bundled: { regular: Buffer; bold: Buffer } | undefined;
const fallbackBytes = new Map<string, Buffer>();

/** Read once per process: per-order mode opens many documents, each parses these bytes lazily. */
export function loadFonts(fallbacks: FallbackFont[] = DEFAULT_FALLBACK_FONTS): FontBytes {
  if (!bundled) {
    const p = bundledFontPaths();
    bundled = { regular: readFileSync(p.regular), bold: readFileSync(p.bold) };
  }
  return {
    ...bundled,
    fallbacks: fallbacks
      .filter((f) => existsSync(f.path))
      .map((f) => {
        let bytes = fallbackBytes.get(f.path);
        if (!bytes) {
          bytes = readFileSync(f.path);
          fallbackBytes.set(f.path, bytes);
        }
        return { bytes, ...(f.face ? { face: f.face } : {}) };
      }),
  };
}

/** The registered font names inside every document. */
export const FONT = {
  regular: 'cd-regular',
  bold: 'cd-bold',
  fallback: (i: number) => `cd-fallback-${i}`,
} as const;

/** The part of pdfkit's document this module needs; `_font.font` is the fontkit face (not in the public types). */
export interface FontHost {
  registerFont(name: string, src: Buffer, family?: string): unknown;
  font(name: string): unknown;
}

interface FontkitFace {
  hasGlyphForCodePoint(cp: number): boolean;
}

/** Parsed faces by their bytes (and face name in a collection), shared by every document of the process. */
const parsed = new WeakMap<Buffer, Map<string, unknown>>();

/**
 * Register a font in a document, parsing its bytes only the first time in this process: pdfkit
 * takes a parsed fontkit face as well as bytes, and a face is read-only (each document subsets it
 * on its own). Parsing Noto Sans SC costs ~0.1 s a face, which per-order PDFs would pay per order.
 */
function registerShared(doc: FontHost, name: string, bytes: Buffer, face?: string) {
  let byFace = parsed.get(bytes);
  const known = byFace?.get(face ?? '');
  if (known) {
    doc.registerFont(name, known as Buffer);
    return;
  }
  doc.registerFont(name, bytes, face);
  doc.font(name);
  if (!byFace) {
    byFace = new Map();
    parsed.set(bytes, byFace);
  }
  byFace.set(face ?? '', (doc as unknown as { _font: { font: unknown } })._font.font);
}

/** Registers the fonts in a document and answers which one can draw each character. */
export class FontSet {
  private readonly faces: FontkitFace[] = [];
  private readonly cache = new Map<number, number>();

  constructor(doc: FontHost, fonts: FontBytes) {
    registerShared(doc, FONT.regular, fonts.regular);
    registerShared(doc, FONT.bold, fonts.bold);
    fonts.fallbacks.forEach((f, i) => {
      registerShared(doc, FONT.fallback(i), f.bytes, f.face);
    });
    // Coverage of the faces as pdfkit opened them; switching back leaves the document on the regular face.
    for (const name of [FONT.regular, ...fonts.fallbacks.map((_, i) => FONT.fallback(i))]) {
      doc.font(name);
      this.faces.push((doc as unknown as { _font: { font: FontkitFace } })._font.font);
    }
    doc.font(FONT.regular);
  }

  /** Index of the first face with a glyph (0 = Noto Sans SC), or -1 when none has one. */
  faceFor(cp: number): number {
    let hit = this.cache.get(cp);
    if (hit === undefined) {
      hit = this.faces.findIndex((f) => f.hasGlyphForCodePoint(cp));
      this.cache.set(cp, hit);
    }
    return hit;
  }

  fontName(face: number, bold: boolean): string {
    return face <= 0 ? (bold ? FONT.bold : FONT.regular) : FONT.fallback(face - 1);
  }

  /**
   * Split text into runs that one face can draw. Characters no face has come back as runs with
   * `face: -1`, so that the caller marks them visibly instead of letting them vanish as blank boxes.
   */
  runs(text: string): { text: string; face: number }[] {
    const out: { text: string; face: number }[] = [];
    for (const ch of text) {
      const cp = ch.codePointAt(0) as number;
      // Spaces and controls are never worth a fallback.
      const face = cp <= 0x20 ? 0 : this.faceFor(cp);
      const last = out[out.length - 1];
      if (last && last.face === face && face !== -1) last.text += ch;
      else out.push({ text: ch, face });
    }
    return out;
  }
}

/** `U+2A6A5` */
export const codePointLabel = (ch: string) =>
  `U+${(ch.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;

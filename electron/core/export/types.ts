/**
 * The export's plain-data shapes. A job and its report cross thread boundaries (worker_threads)
 * and IPC as they are, so they hold strings, numbers and booleans only: no functions, no handles.
 */

import type { ImageSide } from '../gateway/clearance';
import type { ImageMime } from '../gateway/images';
import type { Finding, OrderFacts } from '../orders/types';
import type { StoredRecord } from '../vault/types';
import type { ExportTemplate } from './template';

export type { ExportTemplate, TemplateColumn, TemplateField } from './template';

export interface ExportJob {
  /** One PDF with a page per order, written to this path. */
  pdf?: string;
  /** One `<order_id>.pdf` per order in this folder (created when missing). */
  perOrderDir?: string;
  /** The raw ID images as `<order_id>-front.jpg` / `-back.png` (extension by type) in this folder. */
  imagesDir?: string;
  /** A manifest spreadsheet: `.csv` (UTF-8 with BOM) or `.xlsx`, chosen by the extension. */
  manifest?: string;
  /** One ZIP for the broker: manifest.xlsx, the combined PDF, the ID images and checks.txt. */
  package?: string;
  /** Manifest columns, image names and size cap; default: the built-in `default` template. */
  template?: ExportTemplate;
  /** Split the combined PDF every this many orders (`all.pdf` → `all-001.pdf`, `all-002.pdf`, …). */
  split?: number;
  /** Findings (order sheet checks) are an error: nothing is written when there is one. */
  strict?: boolean;
  /** Orders of a batch that could not be fetched: listed in the manifest with their reason. */
  failed?: FailedOrder[];
  /** Chosen by the caller when it audits the start of the export first (see `newExportId`). */
  exportId?: string;
  /** Mask names (the first character stays) and ID numbers (first four and last four stay) on every page and manifest row. */
  mask?: boolean;
  /** Diagonal watermark across each ID image; default 仅供清关使用. */
  watermark?: string;
  /** Who exports (shown in the footer); default: the operating-system user. */
  exporter?: string;
  /** The account the records came from, for the page header when a record lacks one. */
  profile?: string;
  /** Fonts tried, in order, for a character the bundled Noto Sans SC lacks. Default: WenQuanYi Micro Hei when installed. */
  fallbackFonts?: FallbackFont[];
  /** Accounts whose records come from the demo gateway: their pages and manifest rows are marked DEMO / 演示. */
  demoProfiles?: string[];
  /** Fixed clock for reproducible output (tests); ISO 8601. */
  now?: string;
}

export interface FailedOrder {
  orderId: string;
  reason: { 'zh-CN': string; 'en-US': string };
}

export interface FallbackFont {
  path: string;
  /** PostScript name of the face inside a collection (.ttc). */
  face?: string;
}

export interface ExportImage {
  mime: ImageMime;
  bytes: Uint8Array;
}

/** A stored record with, when the order sheet has it, the order's facts and the checks' findings. */
export type ExportItem = StoredRecord & { order?: OrderFacts; findings?: Finding[] };

/**
 * Where the records come from: the vault (through `vaultSource`), a message port from another
 * thread, or an in-memory list in tests. Read one record and its images at a time.
 */
export interface ExportSource {
  count(): number | Promise<number>;
  /** May be called again (a strict export reads the findings first). */
  records(): Iterable<ExportItem> | AsyncIterable<ExportItem>;
  image(orderId: string, side: ImageSide): ExportImage | undefined | Promise<ExportImage | undefined>;
}

export type ExportWarningCode =
  | 'image-damaged'
  | 'image-oversize'
  | 'image-over-cap'
  | 'glyph-fallback'
  | 'glyph-missing'
  | 'images-missing';

/** A per-record problem the export worked around. Never carries the name or the ID number. */
export interface ExportWarning {
  orderId: string;
  code: ExportWarningCode;
  side?: ImageSide;
  /** Characters concerned (glyph warnings), for the user's report only: never logged. */
  count?: number;
  message: { 'zh-CN': string; 'en-US': string };
}

export interface ExportProgress {
  done: number;
  total: number;
}

export interface ExportReport {
  exportId: string;
  exporter: string;
  /** ISO 8601 UTC. */
  startedAt: string;
  finishedAt: string;
  /** Orders exported (pages in the combined PDF). */
  count: number;
  orderIds: string[];
  /** Every file written, by its final path. */
  files: string[];
  warnings: ExportWarning[];
  /** What the checks found, per order (also on each page and in the package's checks.txt). */
  findings: Finding[];
  /** Images re-encoded to fit the template's `imageMaxBytes`. */
  reencodedImages: number;
  /** Temporary files of earlier, killed exports removed from the target folders first. */
  sweptPartials: number;
  /** Failed orders of the batch listed in the manifest. */
  failedListed: number;
  masked: boolean;
}

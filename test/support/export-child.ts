// Child process for the export's memory test: exports one order whose front image is the given
// file (a PNG that declares a huge size) to a PDF and an images folder, then prints the report's
// warnings and this process's peak RSS. Usage: node export-child.mjs <image> <out dir>
// (run bundled: test/support/bundle.ts puts the demo images beside the bundle).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoSource } from '../../electron/core/export/memory-source';
import { runExport } from '../../electron/core/export/run';

const [image, out] = process.argv.slice(2) as [string, string];
const front = { mime: 'image/png' as const, bytes: readFileSync(image) };
const back = {
  mime: 'image/jpeg' as const,
  bytes: readFileSync(new URL('./assets/id-back.jpg', import.meta.url)),
};
const r = await runExport(
  { pdf: join(out, 'bomb.pdf'), imagesDir: out },
  demoSource(['2000000000000002', '2000000000000001'], { front, back }),
);
process.stdout.write(
  `${JSON.stringify({
    ok: r.ok,
    warnings: r.ok ? r.value.warnings.map((w) => [w.orderId, w.code, w.side]) : r.error.reason,
    files: r.ok ? r.value.files.length : 0,
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);

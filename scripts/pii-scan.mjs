// The PII scan after the test suite: no test identity (the demo gateway's people, the fixtures'
// consignees) and no test secret may be in the test output, in a file the tests left in their
// temporary folders, or in a log file. A hit names the file and what kind of value it is, never
// the value. SQLCipher vaults are encrypted, so their bytes are not searched, but each is checked
// not to be a plaintext SQLite file. Intended exports (PDF, CSV, XLSX, images) hold personal data
// on purpose, and code bundles the tests build for child processes carry the demo people by
// design: both are counted, not searched.
//
//   node scripts/pii-scan.mjs [--log FILE]… [--root DIR]…   exit 1 on a hit (or if nothing was scanned)
//   node scripts/pii-scan.mjs --self-test                   plants values and checks they are caught
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** Values to look for: labelled by kind, read from the sources that define them. */
export function needles() {
  const out = [];
  const add = (kind, value) => {
    if (value && !out.some((n) => n.value === value)) out.push({ kind, value });
  };
  const samples = readFileSync(join(root, 'electron/core/demo/samples.ts'), 'utf8');
  for (const m of samples.matchAll(/\bname:\s*'([^']+)'/g)) add('test name', m[1]);
  for (const m of samples.matchAll(/\bidNumber:\s*'([^']+)'/g)) add('test ID number', m[1]);
  const fixtures = join(root, 'test/fixtures');
  for (const f of readdirSync(fixtures)) {
    const text = readFileSync(join(fixtures, f), 'utf8');
    for (const m of text.matchAll(/"ocr_name"\s*:\s*"([^"]+)"|<ocr_name>([^<]+)</g))
      add('test name', m[1] ?? m[2]);
    for (const m of text.matchAll(/"ocr_id"\s*:\s*"([^"]+)"|<ocr_id>([^<]+)</g))
      add('test ID number', m[1] ?? m[2]);
  }
  const sim = readFileSync(join(root, 'electron/core/demo/simulator.ts'), 'utf8');
  for (const m of sim.matchAll(/\b(appSecret|session):\s*'([^']+)'/g)) add('test secret', m[2]);
  // Secrets the tests define as constants (not the ones made per run: those tests check themselves).
  for (const f of walk(join(root, 'test')).filter((p) => /\.tsx?$/.test(p))) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\bconst\s+(?:[A-Z_]*(?:SECRET|SESSION)[A-Z_]*)\s*=\s*'([^'${}]{8,})'/g))
      add('test secret', m[1]);
  }
  return out;
}

function walk(dir) {
  const files = [];
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    let entries;
    try {
      entries = readdirSync(d);
    } catch {
      continue; // gone meanwhile, or unreadable (a daemon's socket folder)
    }
    for (const e of entries) {
      const p = join(d, e);
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) stack.push(p);
      else if (st.isFile()) files.push(p);
    }
  }
  return files;
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0');
const EXPORTS = new Set(['.pdf', '.csv', '.xlsx', '.jpg', '.jpeg', '.png', '.zip']);
// The project's own code bundled for a child process (the simulator carries the demo people by design).
const CODE = new Set(['.js', '.mjs', '.cjs', '.map']);
const MAX_FILE = 64 * 1024 * 1024;
// Terminal colours inside a log could split a value; they are removed before searching.
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Scan logs and folders for the needles; returns counts and hits (file and kind, never the value). */
/** The first 16 bytes of a file (empty if it cannot be read). */
function readHead(file) {
  const head = Buffer.alloc(16);
  try {
    const fd = openSync(file, 'r');
    try {
      readSync(fd, head, 0, 16, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return Buffer.alloc(0);
  }
  return head;
}

export function scan({ logs = [], roots = [], values = needles() }) {
  const report = { files: 0, bytes: 0, vaults: 0, exports: 0, code: 0, hits: [], needles: values.length };
  const encoded = values.map((n) => ({ ...n, bytes: Buffer.from(n.value, 'utf8') }));
  const search = (file, buf) => {
    report.files++;
    report.bytes += buf.length;
    const text = Buffer.from(buf.toString('latin1').replace(ANSI, ''), 'latin1');
    for (const n of encoded) {
      if (text.includes(n.bytes)) report.hits.push({ file, kind: n.kind });
    }
  };
  for (const log of logs) if (existsSync(log)) search(log, readFileSync(log));
  for (const dir of roots) {
    if (!existsSync(dir)) continue;
    for (const file of walk(dir)) {
      if (logs.includes(file)) continue;
      const name = file.split('/').pop() ?? '';
      const ext = extname(name).toLowerCase();
      // What a file is decides how much of it is read: a vault's header, an export or a bundle not
      // at all; only files that are searched are read whole (and must fit).
      if (EXPORTS.has(ext)) {
        report.exports++;
        continue;
      }
      if (CODE.has(ext)) {
        report.code++;
        continue;
      }
      let size;
      try {
        size = lstatSync(file).size;
      } catch {
        continue;
      }
      const isDb = /\.db$/.test(name);
      if (isDb && !readHead(file).equals(SQLITE_HEADER)) {
        report.vaults++;
        report.bytes += size;
        continue;
      }
      if (size > MAX_FILE) {
        report.hits.push({ file, kind: 'file too large to scan' });
        continue;
      }
      let buf;
      try {
        buf = readFileSync(file);
      } catch {
        continue;
      }
      // A plaintext database is searched like any file, and a vault must never be one.
      if (isDb && /^vault/.test(name) && buf.length > 4096)
        report.hits.push({ file, kind: 'plaintext SQLite vault' });
      search(file, buf);
    }
  }
  return report;
}

function print(report, base) {
  const mb = (report.bytes / 1024 / 1024).toFixed(1);
  console.log(
    `pii-scan: ${report.needles} values, ${report.files} files searched (${mb} MB), ${report.vaults} encrypted vaults checked, ${report.exports} export files and ${report.code} code bundles counted`,
  );
  for (const h of report.hits) console.log(`pii-scan: HIT ${h.kind} in ${relative(base, h.file) || h.file}`);
}

function selfTest() {
  const values = needles();
  const dir = mkdtempSync(join(tmpdir(), 'cd-pii-self-'));
  try {
    const name = values.find((n) => n.kind === 'test name');
    const id = values.find((n) => n.kind === 'test ID number');
    const secret = values.find((n) => n.kind === 'test secret');
    if (!name || !id || !secret) throw new Error('the needle list lacks a kind');
    writeFileSync(join(dir, 'clean.txt'), 'nothing to see\n');
    writeFileSync(
      join(dir, 'app.log'),
      `line\n\x1b[31m${name.value.slice(0, 1)}\x1b[0m${name.value.slice(1)}\n`,
    );
    writeFileSync(join(dir, 'deep.json'), JSON.stringify({ x: id.value }));
    writeFileSync(join(dir, 'vault.db'), Buffer.concat([SQLITE_HEADER, Buffer.alloc(8192)]));
    writeFileSync(join(dir, 'vault-2.db'), Buffer.alloc(8192, 7));
    const log = join(dir, 'out.log');
    writeFileSync(log, `ok ${secret.value} ok\n`);
    const r = scan({ logs: [log], roots: [dir], values });
    const kinds = r.hits.map((h) => `${h.file.split('/').pop()}:${h.kind}`).sort();
    const want = [
      'app.log:test name',
      'deep.json:test ID number',
      'out.log:test secret',
      'vault.db:plaintext SQLite vault',
    ];
    const missing = want.filter((w) => !kinds.includes(w));
    if (missing.length || r.hits.length !== want.length || r.vaults !== 1 || r.files < 4) {
      console.error(`pii-scan self-test FAILED: wanted ${want.join(', ')}; got ${kinds.join(', ')}`);
      return 1;
    }
    console.log(
      `pii-scan self-test: ${want.length} planted values caught, an encrypted vault passed, clean file clean`,
    );
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const args = process.argv.slice(2);
  if (args.includes('--self-test')) process.exit(selfTest());
  const logs = [];
  const roots = [];
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '--log') logs.push(args[i + 1]);
    else if (args[i] === '--root') roots.push(args[i + 1]);
    else {
      console.error('usage: pii-scan.mjs [--log FILE]… [--root DIR]… | --self-test');
      process.exit(2);
    }
  }
  const report = scan({ logs, roots });
  print(report, process.cwd());
  if (report.files === 0 || report.bytes === 0) {
    console.error('pii-scan: nothing was scanned: the scan cannot pass on nothing');
    process.exit(1);
  }
  process.exit(report.hits.length ? 1 : 0);
}

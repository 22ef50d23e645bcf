// `npm run bench [names…]`: every benchmark script in bench/ (or those whose name contains one of
// `names`), one after the other. Each prints its figures and hands them (bench/report.ts) to this
// runner, which writes bench/results.md (the table the README shows) and bench/results.json, with
// a description of the machine. A bench not run this time keeps its last figures and their date.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

const here = new URL('.', import.meta.url);
const only = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'report.ts')
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
const resultsDir = mkdtempSync(join(tmpdir(), 'cd-bench-results-'));
for (const f of scripts) {
  console.log(`\n=== bench/${f}`);
  const r = spawnSync(process.execPath, ['scripts/run-ts.mjs', `bench/${f}`], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_RESULTS_DIR: resultsDir },
  });
  if (r.status !== 0) process.exitCode = 1;
}

const at = new Date().toISOString();
const fresh = readdirSync(resultsDir)
  .sort()
  .map((f) => ({ ...JSON.parse(readFileSync(join(resultsDir, f), 'utf8')), at }));
const resultsFile = new URL('results.json', here);
const kept = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')).benches : [];
const benches = [...kept.filter((b) => !fresh.some((f) => f.bench === b.bench)), ...fresh].sort((a, b) =>
  a.bench.localeCompare(b.bench),
);
const cpu = cpus();
const machine = {
  cpu: cpu[0]?.model.trim() ?? 'unknown',
  cores: cpu.length,
  memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
  freeMemoryGiB: Number((freemem() / 2 ** 30).toFixed(1)),
  node: process.version,
  os: `${platform()} ${release()}`,
};
writeFileSync(resultsFile, `${JSON.stringify({ at, machine, benches }, null, 2)}\n`);
const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
const lines = [
  `Measured ${at.slice(0, 10)} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}.`,
  '',
  '| bench | figure | value | target | measured |',
  '|---|---|---|---|---|',
  ...benches.flatMap((b) =>
    b.figures.map(
      (f) =>
        `| ${b.bench} | ${f.metric} | ${fmt(f.value)} ${f.unit} | ${f.target ?? ''} | ${(b.at ?? at).slice(0, 10)} |`,
    ),
  ),
  '',
];
writeFileSync(new URL('results.md', here), lines.join('\n'));
console.log(`\nwrote bench/results.md and bench/results.json (${benches.length} benches)`);

// `npm run bench`: every benchmark script in bench/, one after the other. Each prints its figures.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const only = process.argv.slice(2);
const scripts = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
for (const f of scripts) {
  console.log(`\n=== bench/${f}`);
  const r = spawnSync(process.execPath, ['scripts/run-ts.mjs', `bench/${f}`], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}

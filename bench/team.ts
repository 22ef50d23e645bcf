// Team figures against a real PostgreSQL (a temp cluster, as the tests start it): sync of N
// records (default 100,000; 10% with two 2 KB images) to a new desk (seconds, peak memory); the
// time until a record stored at one desk appears at another over LISTEN/NOTIFY (p50/p99); and the
// team budget's overhead per call. Prints figures; asserts nothing.
// Run: node scripts/run-ts.mjs bench/team.ts [records]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RateGate } from '../electron/core/batch/gate';
import { type Desk, openDesk } from '../electron/core/desk';
import { initTeam, joinTeam, openTeam } from '../electron/core/team/team';
import { startPostgres } from '../test/support/postgres';
import { bulkOrderId, fakeFetch, fakeJpeg, person } from '../test/support/vault-fetch';
import { record } from './report';

const N = Number(process.argv[2] ?? 100_000);
const pg = await startPostgres();
pg.psql('');
const deskIn = (name: string, who: 'admin' | 'desk'): { desk: Desk; env: NodeJS.ProcessEnv } => {
  const env = {
    CLEARANCE_DATA_DIR: mkdtempSync(join(tmpdir(), `cd-bench-team-${name}-`)),
    CLEARANCE_TEAM_PASSWORD_FILE: who === 'admin' ? pg.adminPasswordFile : pg.deskPasswordFile,
  };
  return { desk: openDesk({ env, secretsMode: 'memory', channel: 'cli' }), env };
};
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] as number;

try {
  // Desk A: N records, then the team; its first sync pushes them all.
  const a = deskIn('a', 'admin');
  const va = await a.desk.vault();
  const db = va.extend('bench', []);
  const image = fakeJpeg('x'.repeat(240));
  for (let i = 0; i < N; ) {
    const end = Math.min(N, i + 1000);
    db.transaction(() => {
      for (; i < end; i++)
        va.saveFetch(
          fakeFetch(bulkOrderId(i), person(i), i % 10 === 0 ? { front: image, back: image } : {}),
          'shop',
          {
            audit: false,
          },
        );
    })();
  }
  const { joinCode } = await initTeam(a.desk, a.env, { server: pg.adminUrl, label: 'a' });
  pg.psql('GRANT clearance_desk TO desk_user;');
  const ta = (await openTeam(a.desk, a.env, { keepConnection: true }))!;
  let t0 = process.hrtime.bigint();
  const pushed = await ta.sync();
  const pushMs = ms(t0);

  // Desk B: new, joins and pulls everything.
  const b = deskIn('b', 'desk');
  await joinTeam(b.desk, b.env, { server: pg.deskUrl, label: 'b', joinCode });
  const tb = (await openTeam(b.desk, b.env, { keepConnection: true }))!;
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  t0 = process.hrtime.bigint();
  const pulled = await tb.sync();
  const pullMs = ms(t0);
  clearInterval(sampler);
  console.log(
    `team bench: ${N.toLocaleString('en')} records (10% with two 2 KB images), PostgreSQL 15 on loopback`,
  );
  console.log(`push from desk A: ${pushed.pushed} changes in ${(pushMs / 1000).toFixed(1)} s`);
  console.log(
    `sync to a new desk: ${pulled.pulled} records in ${(pullMs / 1000).toFixed(1)} s (${Math.round(pulled.pulled / (pullMs / 1000))} records/s); peak RSS ${(peak / 2 ** 20).toFixed(0)} MB (+${((peak - rss0) / 2 ** 20).toFixed(0)} MB during the sync)`,
  );

  // Fetched at A → visible at B: A stores and pushes; B is woken by NOTIFY and pulls.
  const vb = await b.desk.vault();
  let seen: ((id: string) => void) | undefined;
  let busy = Promise.resolve();
  const stop = await tb.listen(() => {
    busy = busy.then(async () => {
      await tb.sync();
      seen?.('');
    });
  });
  const lat: number[] = [];
  for (let i = 0; i < 200; i++) {
    const id = bulkOrderId(N + i);
    const arrived = new Promise<void>((resolve) => {
      seen = () => {
        if (vb.get(id)) resolve();
      };
    });
    const s = process.hrtime.bigint();
    va.saveFetch(fakeFetch(id, person(N + i), {}), 'shop');
    await ta.sync();
    await arrived;
    lat.push(ms(s));
  }
  await stop();
  console.log(
    `fetched at desk A → shown at desk B (store, push, NOTIFY, pull): p50 ${pct(lat, 0.5).toFixed(1)} ms, p99 ${pct(lat, 0.99).toFixed(1)} ms (200 records)`,
  );

  // Budget: a high cap, so only the overhead of taking a token is measured.
  const calls = 2000;
  const gate = ta.budgetGate('bench-app-key', 100_000);
  await gate.acquire();
  t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await gate.acquire();
  const teamPer = ms(t0) / calls;
  await gate.close();
  const local = new RateGate({ qps: 100_000 });
  t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await local.acquire();
  const localPer = ms(t0) / calls;
  console.log(
    `budget per call: team token bucket ${(teamPer * 1000).toFixed(0)} µs (one UPDATE … RETURNING round trip), single-desk gate ${(localPer * 1000).toFixed(0)} µs`,
  );
  record('team', [
    { metric: `sync of ${N} records to a new desk`, value: pullMs / 1000, unit: 's' },
    { metric: 'peak RSS during that sync', value: peak / 2 ** 20, unit: 'MB' },
    { metric: 'fetched at one desk → shown at another, p50', value: pct(lat, 0.5), unit: 'ms' },
    { metric: 'fetched at one desk → shown at another, p99', value: pct(lat, 0.99), unit: 'ms' },
    { metric: 'team budget: taking one call from the server', value: teamPer * 1000, unit: 'µs' },
  ]);
  await ta.close();
  await tb.close();
  a.desk.close();
  b.desk.close();
} finally {
  pg.destroy();
}

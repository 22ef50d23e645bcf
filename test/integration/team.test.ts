/**
 * Team mode as two desks use it: two data folders (two vaults) running the built command against
 * a real PostgreSQL (a temp cluster started here, scram passwords in owner-only files) and the
 * demo gateway on loopback, whose own call log is the proof of what reached the gateway.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoImages, type Simulator, startSimulator } from '../../electron/core/demo/simulator';
import { TEAM_MIGRATIONS } from '../../electron/core/team/schema';
import { createBackend } from '../../electron/main/backend';
import { CLI, cliJson, cliOk, runCli, tempDir } from '../support/cli';
import { keychainSuite } from '../support/keychain';
import { PG_AVAILABLE, pgSuite, startPostgres, type TestPostgres, teamDeskEnv } from '../support/postgres';

const { suite: keychain } = await keychainSuite('team tests');
const suite = PG_AVAILABLE ? keychain : pgSuite('team tests');

let db: TestPostgres;
let sim: Simulator;
let capped: Simulator;
const A = tempDir('cd-team-a-');
const B = tempDir('cd-team-b-');

const gen = (n: number, from: number) =>
  Array.from({ length: n }, (_, i) => `3${String(from + i).padStart(15, '0')}`);

const envFor = (dir: string, who: 'admin' | 'desk', gateway: Simulator = sim) =>
  teamDeskEnv(db, dir, who, gateway);
const envA = () => envFor(A, 'admin');
const envB = () => envFor(B, 'desk');

const superuser = async () => {
  const c = new pg.Client({ host: db.socketDir, port: db.port, user: 'postgres', database: 'team' });
  await c.connect();
  return c;
};

beforeAll(async () => {
  if (!PG_AVAILABLE) return;
  db = await startPostgres();
  sim = await startSimulator();
  capped = await startSimulator({ maxCallsPerSecond: 5 });
}, 60_000);

afterAll(async () => {
  await sim?.close();
  await capped?.close();
  db?.destroy();
});

suite('team mode: two desks on one PostgreSQL', () => {
  let joinCode = '';

  it('init makes the schema and prints a join code; a wrong code is refused; the right one joins', async () => {
    const init = await cliJson(['team', 'init', '--server', db.adminUrl, '--name', 'desk-a'], envA());
    expect(init.joinCode).toMatch(/^CDT1-/);
    joinCode = init.joinCode;
    // The administrator lets the desks' login in (README: GRANT clearance_desk TO …).
    db.psql('GRANT clearance_desk TO desk_user;');

    const flipped = joinCode.slice(0, -2) + (joinCode.endsWith('A') ? 'BB' : 'AA');
    const bad = await runCli(['team', 'join', '--server', db.deskUrl, '--name', 'desk-b'], envB(), {
      input: `${flipped}\n`,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/join code is invalid/);

    await cliOk(['team', 'join', '--server', db.deskUrl, '--name', 'desk-b'], envB(), `${joinCode}\n`);
    const st = await cliJson(['team', 'status'], envB());
    expect(st.reachable).toBe(true);
    expect(st.desks.map((d: { label: string }) => d.label).sort()).toEqual(['desk-a', 'desk-b']);
  });

  it('a lookup at desk A is shown at desk B without a gateway call', async () => {
    const a = await cliJson(['get', '2000000000000002', '--image'], envA());
    expect(a.ok).toBe(true);
    const calls = sim.calls.length;
    const b = await cliJson(['get', '2000000000000002'], envB());
    expect(b.record.name).toBe(a.record.name);
    expect(b.record.idNumber).toBe(a.record.idNumber);
    expect(sim.calls.length).toBe(calls);
    // …and with its images, still without a call.
    const shown = await cliJson(['records', 'show', '2000000000000002'], envB());
    expect(shown.record.images.front).toBeTruthy();
    expect(sim.calls.length).toBe(calls);
  });

  it("the app joins through team.join and its lookup serves A's order without a gateway call", async () => {
    const dir = tempDir('cd-team-c-');
    const events: { event: string; payload: unknown }[] = [];
    const backend = await createBackend({
      env: { ...process.env, CLEARANCE_DATA_DIR: dir, CLEARANCE_TEAM_PASSWORD_FILE: db.deskPasswordFile },
      demo: false,
      host: {
        imageUrl: (id, side) => `cd-image://image/${id}/${side}`,
        emit: (event, payload) => events.push({ event, payload }),
        chooseExportTarget: async () => null,
        chooseImportFile: async () => null,
      },
    });
    try {
      const bad = await backend.handlers['team.join']({
        server: db.deskUrl,
        joinCode: 'CDT1-00000-00000-00000',
      });
      expect(bad.ok).toBe(false);
      const joined = await backend.handlers['team.join']({ server: db.deskUrl, joinCode, name: 'desk-c' });
      expect(joined.ok && joined.value.joined).toBe(true);
      const calls = sim.calls.length;
      const card = await backend.handlers['lookup.get']({
        input: '2000000000000002',
        refresh: false,
        needImage: false,
      });
      expect(card.ok, JSON.stringify(card)).toBe(true);
      expect(card.ok && card.value.orderId).toBe('2000000000000002');
      expect(sim.calls.length).toBe(calls);
      expect(events.some((e) => e.event === 'team.status' && (e.payload as { joined: boolean }).joined)).toBe(
        true,
      );
      const left = await backend.handlers['team.leave']({});
      expect(left.ok && left.value.joined).toBe(false);
    } finally {
      await backend.close();
    }
  });

  it("B's audit list holds A's entries, naming desk and OS user; B's team read is audited", async () => {
    const { entries } = await cliJson(['audit', 'list', '--order', '2000000000000002'], envB());
    const fromA = entries.filter((e: { desk?: string }) => e.desk === 'desk-a');
    expect(fromA.some((e: { action: string }) => e.action === 'fetch')).toBe(true);
    expect(fromA.every((e: { osUser: string }) => e.osUser.length > 0)).toBe(true);
    const own = entries.filter((e: { desk?: string; action: string }) => !e.desk && e.action === 'fetch');
    expect(own.some((e: { detail: { source?: string } }) => e.detail.source === 'team')).toBe(true);
  });

  it('a forget at B removes the record at A', async () => {
    await cliOk(['records', 'forget', '2000000000000002'], envB());
    const r = await runCli(['records', 'show', '2000000000000002', '--json'], envA());
    expect(r.code).toBe(2);
    const c = await superuser();
    const row = await c.query(
      `SELECT deleted, name_enc, id_index FROM clearance.records WHERE order_id = '2000000000000002'`,
    );
    await c.end();
    expect(row.rows[0]).toEqual({ deleted: true, name_enc: null, id_index: null });
  });

  it('the server stops while A keeps working; after the restart a sync loses nothing', async () => {
    db.stop();
    const a = await runCli(['get', '2000000000000003', '--json'], envA());
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toMatch(/team server cannot be reached/);
    const st = await cliJson(['team', 'status'], envA());
    expect(st.reachable).toBe(false);
    expect(st.outbox).toBeGreaterThan(0);
    db.start();
    const s = await cliJson(['team', 'sync'], envA());
    expect(s.pushed).toBeGreaterThan(0);
    expect((await cliJson(['team', 'status'], envA())).outbox).toBe(0);
    const calls = sim.calls.length;
    const b = await cliJson(['records', 'show', '2000000000000003'], envB());
    expect(b.ok).toBe(true);
    expect(sim.calls.length).toBe(calls);
  });

  it('SIGKILL during a push loses nothing and duplicates nothing', async () => {
    db.stop();
    const ids = gen(600, 1);
    const list = join(A, 'orders.txt');
    writeFileSync(list, ids.join('\n'));
    // Offline, the batch runs on this desk's share of the budget and fills the outbox.
    const run = await runCli(['batch', list, '--qps', '400', '--concurrency', '8', '--json'], envA());
    expect(run.code, run.stderr).toBe(0);
    db.start();
    const before = (await cliJson(['team', 'status'], envA())).outbox as number;
    expect(before).toBeGreaterThan(600);

    const c = await superuser();
    const applied = async () =>
      Number((await c.query('SELECT count(*) AS n FROM clearance.applied_changes')).rows[0].n);
    const start = await applied();
    const child: ChildProcess = spawn(process.execPath, [CLI, 'team', 'sync'], {
      env: {
        PATH: process.env.PATH ?? '',
        DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS ?? '',
        XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '',
        XDG_DATA_HOME: process.env.XDG_DATA_HOME ?? '',
        HOME: process.env.HOME ?? '',
        ...envA(),
      },
      stdio: 'ignore',
    });
    const exited = new Promise((r) => child.on('exit', r));
    // Killed once the first chunk is committed on the server, before the desk's acknowledgement is certain.
    for (let i = 0; i < 20_000 && (await applied()) === start; i++)
      await new Promise((r) => setTimeout(r, 1));
    child.kill('SIGKILL');
    await exited;
    const mid = await applied();
    expect(mid).toBeGreaterThan(start);
    expect(mid - start).toBeLessThan(before); // it really died mid-way

    await cliOk(['team', 'sync'], envA());
    expect((await cliJson(['team', 'status'], envA())).outbox).toBe(0);
    const held = await c.query(
      `SELECT count(*)::int AS n FROM clearance.records WHERE order_id = ANY($1) AND NOT deleted`,
      [ids],
    );
    expect(held.rows[0].n).toBe(600);
    const local = (await cliJson(['audit', 'list', '--limit', '100000'], envA())).entries.filter(
      (e: { desk?: string }) => !e.desk,
    ).length;
    const server = await c.query(
      `SELECT count(*)::int AS n, count(DISTINCT change_id)::int AS d FROM clearance.audit WHERE desk_label = 'desk-a'`,
    );
    await c.end();
    // Every audit entry of A's is on the server exactly once (A's list ran after the sync, so it adds one sync's worth).
    expect(server.rows[0].n).toBe(server.rows[0].d);
    expect(server.rows[0].n).toBeGreaterThanOrEqual(local);
  }, 120_000);

  it("two desks' batches together stay within the cap, per the gateway's call log", async () => {
    const envCapA = envFor(A, 'admin', capped);
    const envCapB = envFor(B, 'desk', capped);
    const la = join(A, 'cap.txt');
    const lb = join(B, 'cap.txt');
    writeFileSync(la, gen(20, 5000).join('\n'));
    writeFileSync(lb, gen(20, 6000).join('\n'));
    const t0 = Date.now();
    const [ra, rb] = await Promise.all([
      runCli(['batch', la, '--qps', '5', '--json'], envCapA),
      runCli(['batch', lb, '--qps', '5', '--json'], envCapB),
    ]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    const at = capped.calls.map((c) => c.at).sort((x, y) => x - y);
    expect(at.length).toBe(40);
    let worst = 0;
    for (let i = 0; i < at.length; i++) {
      let j = i;
      while (j < at.length && (at[j] as number) < (at[i] as number) + 1000) j++;
      worst = Math.max(worst, j - i);
    }
    expect(worst).toBeLessThanOrEqual(5);
    expect(capped.calls.filter((c) => c.outcome !== 'ok')).toEqual([]);
    // Each desk alone would have been allowed 5/s: together they took about 40 / 5 s.
    expect(Date.now() - t0).toBeGreaterThan(7000);
  }, 90_000);

  it('a row deleted directly on the server is caught by audit verify', async () => {
    expect((await cliJson(['audit', 'verify'], envB())).ok).toBe(true);
    db.psql('DELETE FROM clearance.audit WHERE seq = (SELECT min(seq) + 3 FROM clearance.audit);');
    const r = await runCli(['audit', 'verify', '--json'], envB());
    expect(r.code).toBe(3);
    const v = JSON.parse(r.stdout);
    expect(v.breaks[0].problem).toBe('previous-missing');
    // An edit is caught too.
    db.psql(
      `UPDATE clearance.audit SET os_user = 'someone-else' WHERE seq = (SELECT max(seq) - 2 FROM clearance.audit);`,
    );
    const e = JSON.parse((await runCli(['audit', 'verify', '--json'], envB())).stdout);
    expect(e.breaks.map((b: { problem: string }) => b.problem)).toContain('edited');
  });

  it('revoked grants and a newer schema get a clear message, and local work goes on', async () => {
    db.psql('REVOKE clearance_desk FROM desk_user;');
    const r = await runCli(['team', 'sync'], envB());
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/grants were revoked/);
    await cliOk(['records', 'list'], envB());
    db.psql('GRANT clearance_desk TO desk_user;');
    db.psql('UPDATE clearance.schema_version SET version = 99;');
    const n = await runCli(['team', 'sync'], envB());
    expect(n.code).toBe(1);
    expect(n.stderr).toContain(`schema (v99 > v${TEAM_MIGRATIONS.length}) is newer`);
    db.psql(`UPDATE clearance.schema_version SET version = ${TEAM_MIGRATIONS.length};`);
    await cliOk(['team', 'sync'], envB());
  });

  it('a dump of the server database holds no personal data', async () => {
    const people = (await cliJson(['records', 'list', '--reveal', '--limit', '10000'], envA())).rows as {
      name: string;
      idNumber: string;
    }[];
    expect(people.length).toBeGreaterThan(600);
    const dump = db.pgDump();
    expect(dump).toContain('clearance.records');
    for (const p of people) {
      expect(dump.includes(p.idNumber)).toBe(false);
      expect(dump.includes(p.name)).toBe(false);
    }
    const img = demoImages().front.subarray(200, 232).toString('hex');
    expect(dump.includes(img)).toBe(false);
    expect(dump).not.toMatch(/412921198810201123|11010519491231002X/);
  });
});

/**
 * The order sheet in team mode: two desks (two data folders) on a real PostgreSQL through the
 * built command. A sheet imported at desk A reaches desk B (its waybill opens the order at B, the
 * checks at B see its amount), a forget at A removes it at B, the server holds the sheet's
 * personal data only sealed, and a server of the previous schema is upgraded by its owner's desk
 * while a desk without the rights says so. Then the exact search by a whole ID number: through
 * the command (the number on stdin, never echoed, the search audited) and at a new desk that has
 * pulled nothing yet, which finds the team's record by the blind index.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../electron/core/demo/simulator';
import { openDesk } from '../../electron/core/desk';
import { TEAM_MIGRATIONS } from '../../electron/core/team/schema';
import { joinTeam, openTeam } from '../../electron/core/team/team';
import { findByIdNumber } from '../../electron/core/vault/id-search';
import { cliJson, cliOk, runCli, tempDir } from '../support/cli';
import { keychainSuite } from '../support/keychain';
import { PG_AVAILABLE, pgSuite, startPostgres, type TestPostgres, teamDeskEnv } from '../support/postgres';

const { suite: keychain } = await keychainSuite('team sheet tests');
const suite = PG_AVAILABLE ? keychain : pgSuite('team sheet tests');

let db: TestPostgres;
let sim: Simulator;
const A = tempDir('cd-team-sheet-a-');
const B = tempDir('cd-team-sheet-b-');
const WORK = tempDir('cd-team-sheet-work-');

const WANG = '3728150192837465928'; // 王芳 in the demo gateway
const WANG_ID = '11010519491231002X';
let joinCode = '';
const CHEN = '2000000000000001'; // 陈伟 in the demo gateway
// What the sheet holds of the two consignees: none of it may reach the server in clear.
const SECRET = {
  consignees: ['王 芳', '陈伟伟'],
  phones: ['13812345678', '13900001111'],
  waybills: ['SFWB7730001', 'SFWB7730002'],
  payments: ['PAYNO-9911001', 'PAYNO-9911002'],
};

const envFor = (dir: string, who: 'admin' | 'desk') => teamDeskEnv(db, dir, who, sim);
const envA = () => envFor(A, 'admin');
const envB = () => envFor(B, 'desk');

async function superuser<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ host: db.socketDir, port: db.port, user: 'postgres', database: 'team' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  if (!PG_AVAILABLE) return;
  db = await startPostgres();
  sim = await startSimulator();
  writeFileSync(
    join(WORK, 'sheet.csv'),
    [
      '订单号,运单号,收件人,电话,支付金额,支付单号,下单时间',
      `${WANG},${SECRET.waybills[0]},${SECRET.consignees[0]},${SECRET.phones[0]},"5,000.00",${SECRET.payments[0]},2025-06-15 10:00:00`,
      `${CHEN},${SECRET.waybills[1]},${SECRET.consignees[1]},${SECRET.phones[1]},5000.01,${SECRET.payments[1]},2025-06-15 11:00:00`,
    ].join('\r\n'),
  );
}, 60_000);

afterAll(async () => {
  await sim?.close();
  db?.destroy();
});

suite('team mode: the order sheet reaches the other desks', () => {
  it('two desks join', async () => {
    const init = await cliJson(['team', 'init', '--server', db.adminUrl, '--name', 'desk-a'], envA());
    db.psql('GRANT clearance_desk TO desk_user;');
    joinCode = init.joinCode;
    await cliOk(['team', 'join', '--server', db.deskUrl, '--name', 'desk-b'], envB(), `${joinCode}\n`);
  });

  it('a server of the previous schema: a desk without the rights says so, the owner’s desk upgrades it', async () => {
    // As a server made by the previous release: no sheet table, schema version one lower.
    db.psql(
      `DROP TABLE clearance.sheet_rows; UPDATE clearance.schema_version SET version = ${TEAM_MIGRATIONS.length - 1};`,
    );
    const b = await runCli(['team', 'sync'], envB());
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/older than this release/);
    // Local work goes on meanwhile.
    await cliOk(['records', 'list'], envB());
    await cliOk(['team', 'sync'], envA());
    expect(db.psql('SELECT version FROM clearance.schema_version;').trim()).toBe(
      String(TEAM_MIGRATIONS.length),
    );
    await cliOk(['team', 'sync'], envB());
  });

  it("desk A's sheet is at desk B: its waybill opens the order there and the checks see its amount", async () => {
    const imported = await cliJson(['orders', 'import', join(WORK, 'sheet.csv')], envA());
    expect(imported.new).toBe(2);
    await cliOk(['get', WANG], envA());
    await cliOk(['get', CHEN], envA());
    const calls = sim.calls.length;

    const card = await cliJson(['get', SECRET.waybills[0] as string], envB());
    expect(card.record.orderId).toBe(WANG);
    expect(sim.calls.length).toBe(calls); // the identity came from the team too

    const checked = await cliJson(['check', '--order', CHEN], envB());
    const codes = checked.findings.map((f: { code: string }) => f.code);
    expect(codes).toContain('over-order-limit'); // ¥5,000.01 on B's copy of the sheet
    expect(codes).not.toContain('no-sheet-row');
    const sheetOnly = await cliJson(['check', '--sheet'], envB());
    expect(sheetOnly.orders).toBe(2);
  });

  it('a forget at desk A removes the sheet row at desk B and empties it on the server', async () => {
    await cliOk(['records', 'forget', CHEN], envA());
    const scan = await runCli(['get', SECRET.waybills[1] as string, '--json'], envB());
    expect(scan.code).toBe(2);
    const sheetOnly = await cliJson(['check', '--sheet'], envB());
    expect(sheetOnly.orders).toBe(1);
    const row = await superuser((c) =>
      c.query(
        `SELECT deleted, waybill_enc, consignee_enc, phone_enc, amount_enc FROM clearance.sheet_rows WHERE order_id = $1`,
        [CHEN],
      ),
    );
    expect(row.rows[0]).toEqual({
      deleted: true,
      waybill_enc: null,
      consignee_enc: null,
      phone_enc: null,
      amount_enc: null,
    });
  });

  it('records list --id-number: the number from stdin, exact, never echoed, the search audited', async () => {
    const r = await cliOk(
      ['records', 'list', '--id-number', '-', '--json'],
      envB(),
      `${WANG_ID.toLowerCase()}\n`,
    );
    const page = JSON.parse(r.stdout);
    expect(page.rows.map((x: { orderId: string }) => x.orderId)).toEqual([WANG]);
    expect(page.team).toBe('searched');
    expect(r.stdout + r.stderr).not.toContain(WANG_ID);
    const text = await cliOk(['records', 'list', '--id-number', '-'], envB(), `${WANG_ID}\n`);
    expect(text.stdout).toContain(WANG);
    expect(text.stdout + text.stderr).not.toContain(WANG_ID);
    // A malformed one is refused without being repeated.
    const bad = await runCli(['records', 'list', '--id-number', '1101051949123'], envB());
    expect(bad.code).toBe(2);
    expect(bad.stdout + bad.stderr).not.toContain('1101051949123');
    // The search is in the audit, found by the same number (from stdin too), and holds no number.
    const audit = await cliOk(
      ['audit', 'list', '--id-number', '-', '--action', 'search', '--json'],
      envB(),
      `${WANG_ID}\n`,
    );
    const entries = JSON.parse(audit.stdout).entries;
    expect(entries.length).toBe(2);
    expect(entries[0]).toMatchObject({
      orderIds: [WANG],
      detail: { channel: 'cli', found: 1, team: 'searched' },
    });
    expect(audit.stdout).not.toContain(WANG_ID);
  });

  it('a desk that pulled nothing yet finds the team’s record by the blind index', async () => {
    const dir = tempDir('cd-team-sheet-d-');
    const env = {
      ...process.env,
      CLEARANCE_DATA_DIR: dir,
      CLEARANCE_TEAM_PASSWORD_FILE: db.deskPasswordFile,
    };
    const desk = openDesk({ env, channel: 'cli' });
    try {
      await joinTeam(desk, env, { server: db.deskUrl, joinCode, label: 'desk-d' });
      const team = await openTeam(desk, env);
      const vault = await desk.vault();
      expect(vault.get(WANG)).toBeUndefined();
      const calls = sim.calls.length;
      const found = await findByIdNumber(vault, WANG_ID, { channel: 'cli', profile: null, team });
      expect(found).toEqual({ orderIds: [WANG], team: 'searched' });
      expect(vault.get(WANG)?.idNumber).toBe(WANG_ID);
      expect(sim.calls.length).toBe(calls);
      // The team read and the search, both about that person.
      const about = vault.auditLog({ idNumber: WANG_ID }).map((e) => `${e.action}:${e.detail.source ?? ''}`);
      expect(about).toEqual(['search:', 'fetch:team']);
    } finally {
      desk.close();
    }
  });

  it('a dump of the server holds no consignee, phone, waybill or payment number', async () => {
    const live = await superuser((c) =>
      c.query('SELECT count(*)::int AS n FROM clearance.sheet_rows WHERE NOT deleted'),
    );
    expect(live.rows[0].n).toBe(1);
    const dump = db.pgDump();
    expect(dump).toContain('clearance.sheet_rows');
    for (const v of [...SECRET.consignees, ...SECRET.phones, ...SECRET.waybills, ...SECRET.payments])
      expect(dump.includes(v), 'a sheet value in clear on the server').toBe(false);
  });
});

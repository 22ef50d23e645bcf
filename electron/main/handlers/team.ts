/**
 * Settings → Team and the live sync of the app: while joined, this desk listens for the other
 * desks' pushes (LISTEN/NOTIFY) and pulls at once, pushes its outbox after each local change and
 * every 15 s, and tells the renderer the sync state (`team.status` event) for the status bar.
 * The server out of reach is a state, not an error: local work goes on and the outbox waits.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TeamView } from '../../contract';
import type { BatchGate } from '../../core/batch/gate';
import { type ClearanceError, ClearanceFailure } from '../../core/errors';
import { TEAM_FILE } from '../../core/team/config';
import { initTeam, joinTeam, openTeam, type Team, type TeamStatus } from '../../core/team/team';
import type { TeamIdSource } from '../../core/vault/id-search';
import type { StoredRecord } from '../../core/vault/types';
import type { Handlers } from '../ipc';
import type { BackendContext } from './context';
import { guard } from './reply';

type TeamHandlers = Pick<Handlers, 'team.status' | 'team.sync' | 'team.init' | 'team.join' | 'team.leave'>;

export interface TeamLink {
  handlers: TeamHandlers;
  /** The team's copy of an order not in this vault yet (audited), or undefined. */
  serve(orderId: string): Promise<StoredRecord | undefined>;
  /** The team for an exact ID-number search (its blind index), when joined and its key is at hand. */
  idSource(): Promise<TeamIdSource | null>;
  /** The shared budget for the batch engine, when joined. */
  gate(appKey: string, qps: number): BatchGate | undefined;
  /** A local change was made: push soon. */
  changed(): void;
  close(): Promise<void>;
}

const OFF: TeamView = {
  joined: false,
  state: 'off',
  server: null,
  deskLabel: null,
  lastSync: null,
  outbox: 0,
  desks: [],
  problem: null,
};

export function teamLink(
  ctx: BackendContext,
  env: NodeJS.ProcessEnv,
  opts: { everyMs?: number } = {},
): TeamLink {
  let team: Promise<Team | null> | undefined;
  let stopListening: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let soon: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  let last: TeamView = OFF;
  let opened: Team | null = null;

  const joinedHere = () => existsSync(join(ctx.desk.dataDir, TEAM_FILE));
  const current = () => {
    if (!joinedHere()) return Promise.resolve(null);
    team ??= ctx.openVault().then(async () => {
      opened = await openTeam(ctx.desk, env, { keepConnection: true });
      return opened;
    });
    team.catch(() => {
      team = undefined; // the keychain may be unlocked later
    });
    return team;
  };

  const view = (s: TeamStatus | null, state: TeamView['state'], problem: ClearanceError | null): TeamView =>
    s
      ? {
          joined: true,
          state,
          server: s.server,
          deskLabel: s.deskLabel,
          lastSync: s.lastSync,
          outbox: s.outbox,
          desks: s.desks ?? last.desks,
          problem,
        }
      : OFF;

  const announce = (v: TeamView) => {
    last = v;
    ctx.host.emit('team.status', v);
    return v;
  };

  async function listen(t: Team) {
    if (stopListening || closed) return;
    try {
      stopListening = await t.listen(
        () => schedule(150),
        () => {
          stopListening = undefined; // lost: the next tick listens again
        },
      );
    } catch {
      stopListening = undefined;
    }
  }

  /** One exchange; exchanges never overlap, a request during one runs right after it. */
  function exchange(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      const t = await current().catch(() => null);
      if (!t) {
        announce(OFF);
        return;
      }
      announce({ ...last, joined: true, state: 'syncing' });
      const r = await t.trySync();
      const s = await t.status();
      const problem = 'kind' in r ? r : null;
      const state: TeamView['state'] = problem
        ? problem.kind === 'network'
          ? 'offline'
          : 'problem'
        : s.outbox > 0
          ? 'pending'
          : 'synced';
      announce(view(s, state, problem));
      if (!problem) await listen(t);
    })().finally(() => {
      running = undefined;
      if (again && !closed) {
        again = false;
        void exchange();
      }
    });
    return running;
  }

  function schedule(ms: number) {
    if (closed || soon) return;
    soon = setTimeout(() => {
      soon = undefined;
      void exchange();
    }, ms);
    soon.unref?.();
  }

  if (joinedHere()) schedule(0);
  timer = setInterval(() => {
    if (joinedHere()) void exchange();
  }, opts.everyMs ?? 15_000);
  timer.unref?.();

  const stopLive = async () => {
    const s = stopListening;
    stopListening = undefined;
    await s?.();
  };

  return {
    handlers: {
      'team.status': () =>
        guard(async () => {
          const t = await current();
          if (!t) return OFF;
          const s = await t.status();
          return announce(
            view(s, s.reachable ? (s.outbox > 0 ? 'pending' : 'synced') : 'offline', s.problem),
          );
        }),
      'team.sync': () =>
        guard(async () => {
          await exchange();
          return last;
        }),
      'team.init': (req) =>
        guard(async () => {
          const { joinCode } = await initTeam(ctx.desk, env, {
            server: req.server,
            ...(req.ca ? { ca: req.ca } : {}),
            ...(req.name ? { label: req.name } : {}),
            ...(req.password !== undefined ? { password: req.password } : {}),
          });
          team = undefined;
          await exchange();
          return { ...last, joinCode };
        }),
      'team.join': (req) =>
        guard(async () => {
          await joinTeam(ctx.desk, env, {
            server: req.server,
            joinCode: req.joinCode,
            ...(req.ca ? { ca: req.ca } : {}),
            ...(req.name ? { label: req.name } : {}),
            ...(req.password !== undefined ? { password: req.password } : {}),
          });
          team = undefined;
          await exchange();
          return last;
        }),
      'team.leave': () =>
        guard(async () => {
          const t = await current();
          if (t) {
            await t.trySync();
            await stopLive();
            await t.leave();
          }
          team = undefined;
          opened = null;
          return announce(OFF);
        }),
    },
    async serve(orderId) {
      const t = await current().catch((err: unknown) => {
        if (err instanceof ClearanceFailure) return null;
        throw err;
      });
      return t ? t.serve(orderId, 'app') : undefined;
    },
    idSource() {
      return current().catch((err: unknown) => {
        if (err instanceof ClearanceFailure) return null;
        throw err;
      });
    },
    gate(appKey, qps) {
      // Only a team that is already open: starting a batch never waits for the keychain here.
      return joinedHere() && opened ? opened.budgetGate(appKey, qps) : undefined;
    },
    changed: () => schedule(300),
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      if (soon) clearTimeout(soon);
      await running?.catch(() => {});
      await stopLive();
      await opened?.close();
    },
  };
}

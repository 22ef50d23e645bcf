/**
 * The command's team exchange around each command: pull what other desks changed, push this
 * desk's outbox. Never fails the command: the server out of reach, a newer schema or revoked
 * grants are one line on stderr, and the outbox keeps every change for the next exchange.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDesk } from '../core/desk';
import { ClearanceFailure } from '../core/errors';
import type { ClearanceFetch } from '../core/gateway/clearance';
import { resolveDataDir } from '../core/settings/paths';
import { TEAM_FILE } from '../core/team/config';
import { openTeam } from '../core/team/team';
import { type Io, say } from './output';

export async function teamExchange(env: NodeJS.ProcessEnv, io: Io, o: { quiet: boolean }): Promise<void> {
  let dataDir: string;
  try {
    dataDir = resolveDataDir(env);
  } catch {
    return;
  }
  if (!existsSync(join(dataDir, TEAM_FILE))) return;
  let desk: ReturnType<typeof openDesk> | undefined;
  try {
    desk = openDesk({ env, channel: 'cli' });
    const team = await openTeam(desk, env);
    const r = await team?.trySync();
    if (r && 'kind' in r && !o.quiet) io.stderr(`${say(io, '团队', 'Team')}: ${r.message[io.lang]}\n`);
  } catch (err) {
    if (!(err instanceof ClearanceFailure)) throw err;
    if (!o.quiet) io.stderr(`${say(io, '团队', 'Team')}: ${err.error.message[io.lang]}\n`);
  } finally {
    desk?.close();
  }
}

/**
 * `get` in a team: the team's copy of an order (this desk's vault after a pull, or the server),
 * as a fetch, so no gateway call is made for an order the team already holds. The read is
 * audited (`fetch`, source team). Undefined outside a team, when the team lacks the order, or
 * lacks its images when they were asked for.
 */
export async function teamCopy(
  env: NodeJS.ProcessEnv,
  orderId: string,
  needImage: boolean,
): Promise<ClearanceFetch | undefined> {
  let dataDir: string;
  try {
    dataDir = resolveDataDir(env);
  } catch {
    return undefined;
  }
  if (!existsSync(join(dataDir, TEAM_FILE))) return undefined;
  let desk: ReturnType<typeof openDesk> | undefined;
  try {
    desk = openDesk({ env, channel: 'cli' });
    const team = await openTeam(desk, env);
    const vault = await desk.vault();
    const known = vault.get(orderId);
    if (!team || (known && needImage && !known.images.front && !known.images.back)) return undefined;
    const r = await team.serve(orderId, 'cli');
    if (!r) return undefined;
    const images: ClearanceFetch['images'] = {};
    for (const side of ['front', 'back'] as const) {
      const img = vault.image(orderId, side);
      if (img) images[side] = img;
    }
    if (needImage && !images.front && !images.back) return undefined;
    return {
      identity: {
        orderId,
        name: r.name,
        idNumber: r.idNumber,
        expiry: r.expiry,
        idType: r.idType,
        imageUrls: { front: null, back: null },
      },
      images,
      warnings: [],
      ...(r.requestId ? { requestId: r.requestId } : {}),
      raw: vault.rawReply(orderId) ?? '',
      attempts: 0,
    };
  } catch (err) {
    if (err instanceof ClearanceFailure) return undefined;
    throw err;
  } finally {
    desk?.close();
  }
}

import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Backend, createBackend } from '../../electron/main/backend';
import { tempDir } from '../support/cli';
import { keychainSuite } from '../support/keychain';

/**
 * Before a purge, the desk says how many records it will delete: the preview counts exactly what
 * the purge then removes (the same retention cut), on the real vault and keychain, with a clock
 * moved past the retention period.
 */
const { suite } = await keychainSuite('purge preview');
const DAY = 86_400_000;
let now = Date.now();
let backend: Backend;

beforeAll(async () => {
  backend = await createBackend({
    env: { ...process.env, CLEARANCE_DATA_DIR: tempDir('cd-purge-') },
    demo: true,
    clock: () => new Date(now),
    host: {
      imageUrl: (id, side) => `cd-image://image/${id}/${side}`,
      emit: () => {},
      chooseExportTarget: async () => null,
      chooseImportFile: async () => null,
    },
  });
});

afterAll(async () => {
  await backend?.close();
});

async function value<T>(r: Promise<{ ok: true; value: T } | { ok: false; error: { reason: string } }>) {
  const got = await r;
  if (!got.ok) throw new Error(got.error.reason);
  return got.value;
}

suite('purge preview', () => {
  it('counts the records past the retention period, and the purge deletes that many', async () => {
    const h = backend.handlers;
    await value(h['settings.setPreferences']({ retentionDays: 30 }));
    await value(h['lookup.get']({ input: '2000000000000002', refresh: false, needImage: false }));
    await value(h['lookup.get']({ input: '2000000000000003', refresh: false, needImage: false }));
    expect(await value(h['vault.purgePreview']({}))).toEqual({ records: 0, retentionDays: 30 });

    // Twenty days later one more; forty days after the first two, only those two are past 30 days.
    now += 20 * DAY;
    await value(h['lookup.get']({ input: '2000000000000004', refresh: false, needImage: false }));
    now += 20 * DAY;
    expect(await value(h['vault.purgePreview']({}))).toEqual({ records: 2, retentionDays: 30 });
    const purged = await value(h['vault.purge']({}));
    expect(purged.records).toBe(2);
    expect(await value(h['vault.purgePreview']({}))).toEqual({ records: 0, retentionDays: 30 });
  });
});

/** Preferences: read and patch. A patch changes only the fields it names. */
import { checkWatermark } from '../../core/export/run';
import type { Handlers } from '../ipc';
import type { BackendContext } from './context';
import { guard, refuse } from './reply';

type SettingsHandlers = Pick<Handlers, 'settings.get' | 'settings.setPreferences'>;

export function settingsHandlers(ctx: BackendContext): SettingsHandlers {
  const { settings } = ctx;
  return {
    'settings.get': () =>
      guard(async () => ({ profiles: await ctx.profiles(), preferences: ctx.preferences() })),
    'settings.setPreferences': (patch) =>
      guard(async () => {
        const { imageRetentionDays, exportSplitEvery, ...rest } = patch;
        // A watermark the export would refuse (…无效, a glyph the font lacks) is refused here, at the source.
        if (rest.watermarkText !== undefined) {
          const wm = checkWatermark(rest.watermarkText);
          if (!wm.ok) return refuse(wm.error);
        }
        settings.setPreferences({
          ...rest,
          ...(imageRetentionDays !== undefined
            ? { imageRetentionDays: imageRetentionDays ?? undefined }
            : {}),
          ...(exportSplitEvery !== undefined ? { exportSplitEvery: exportSplitEvery ?? undefined } : {}),
        });
        // The card, the list and the search all follow the new "expiring soon" window at once.
        if (rest.expiringSoonDays !== undefined) ctx.openedVault()?.setExpiringDays(rest.expiringSoonDays);
        await ctx.announceStatus();
        return ctx.preferences();
      }),
  };
}

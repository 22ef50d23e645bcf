import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { Lang } from '../core/errors';

/** The application menu in the user's language; edit roles keep copy/paste working in inputs. */
export function menuTemplate(
  lang: Lang,
  opts: { dev: boolean; reload: () => void },
): MenuItemConstructorOptions[] {
  const zh = lang === 'zh-CN';
  const t = (z: string, e: string) => (zh ? z : e);
  return [
    {
      label: t('文件', 'File'),
      submenu: [{ role: 'quit', label: t('退出', 'Quit') }],
    },
    {
      label: t('编辑', 'Edit'),
      submenu: [
        { role: 'undo', label: t('撤销', 'Undo') },
        { role: 'redo', label: t('重做', 'Redo') },
        { type: 'separator' },
        { role: 'cut', label: t('剪切', 'Cut') },
        { role: 'copy', label: t('复制', 'Copy') },
        { role: 'paste', label: t('粘贴', 'Paste') },
        { role: 'selectAll', label: t('全选', 'Select all') },
      ],
    },
    {
      label: t('视图', 'View'),
      submenu: [
        { role: 'resetZoom', label: t('实际大小', 'Actual size') },
        { role: 'zoomIn', label: t('放大', 'Zoom in') },
        { role: 'zoomOut', label: t('缩小', 'Zoom out') },
        { role: 'togglefullscreen', label: t('全屏', 'Full screen') },
        ...(opts.dev
          ? ([
              { type: 'separator' },
              { label: t('重新加载', 'Reload'), click: opts.reload },
              { role: 'toggleDevTools', label: t('开发者工具', 'Developer tools') },
            ] as MenuItemConstructorOptions[])
          : []),
      ],
    },
  ];
}

export const buildMenu = (lang: Lang, opts: { dev: boolean; reload: () => void }) =>
  Menu.buildFromTemplate(menuTemplate(lang, opts));

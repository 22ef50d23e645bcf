/**
 * The main window's construction options: the security settings live here, and the tests read
 * this function, not a copy of it. Type-only import of electron.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

export const DEFAULT_BOUNDS: WindowBounds = { width: 1280, height: 800 };

export function mainWindowOptions(
  preloadPath: string,
  bounds: WindowBounds,
  devTools: boolean,
): BrowserWindowConstructorOptions {
  return {
    ...bounds,
    minWidth: 1024,
    minHeight: 640,
    title: '清关助手 Clearance Desk',
    show: false,
    backgroundColor: '#f5f7fa',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools,
    },
  };
}

/** Keep a remembered position only if it is still on a screen (a monitor may have gone). */
export function restoreBounds(
  saved: unknown,
  screens: { x: number; y: number; width: number; height: number }[],
): WindowBounds {
  const b = saved as Partial<WindowBounds> | undefined;
  if (!b || typeof b.width !== 'number' || typeof b.height !== 'number' || b.width < 400 || b.height < 300)
    return DEFAULT_BOUNDS;
  const size = { width: Math.round(b.width), height: Math.round(b.height) };
  if (typeof b.x !== 'number' || typeof b.y !== 'number') return size;
  const { x, y } = b;
  const visible = screens.some(
    (s) => x + 100 > s.x && y + 50 > s.y && x < s.x + s.width - 100 && y < s.y + s.height - 50,
  );
  return visible ? { ...size, x, y } : size;
}

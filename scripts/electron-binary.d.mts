// Types of scripts/electron-binary.mjs, for the TypeScript that imports it (the real-shell test).
export function electronPackageDir(): string;
export function installedBinary(packageDir?: string): string | null;
export function ensureElectron(options?: {
  packageDir?: string;
  env?: NodeJS.ProcessEnv;
  out?: NodeJS.WritableStream & { isTTY?: boolean };
  timeoutMs?: number;
}): Promise<{ binary: string; downloaded: boolean } | { binary: null; reason: string }>;
export function reasonOf(text: string): string;

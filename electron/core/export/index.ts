/** The export's public face: run in-process or in a worker, feed it from the vault or from memory. */
export { bundledFontPaths, DEFAULT_FALLBACK_FONTS } from './fonts';
export { demoSource, recordFromSample } from './memory-source';
export { A4, CARD } from './page';
export { checkWatermark, DEFAULT_WATERMARK, type RunOptions, runExport } from './run';
export type * from './types';
export { auditExport, exportDestination, exportMode, vaultSource } from './vault-source';
export { runExportInWorker } from './worker';

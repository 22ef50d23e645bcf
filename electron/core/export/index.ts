/** The export's public face: run in-process or in a worker, feed it from the vault or from memory. */
export { bundledFontPaths, DEFAULT_FALLBACK_FONTS } from './fonts';
export { checkImage, MAX_IMAGE_SIDE } from './images';
export { demoSource, recordFromSample } from './memory-source';
export { A4, CARD } from './page';
export { checkWatermark, DEFAULT_WATERMARK, newExportId, type RunOptions, runExport } from './run';
export { PARTIAL_PATTERN, sweepPartials } from './staging';
export {
  BUILT_IN_TEMPLATES,
  loadTemplate,
  TEMPLATE_FIELDS,
  validateTemplate,
} from './template';
export type * from './types';
export {
  auditExport,
  auditExportStarted,
  exportDestination,
  exportMode,
  type OrderFactsLookup,
  vaultSource,
} from './vault-source';
export { runExportInWorker } from './worker';

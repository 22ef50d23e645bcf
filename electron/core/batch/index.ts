export {
  type BatchDeps,
  BatchRun,
  batchExitCode,
  createJob,
  type FetchOrder,
  RESUME_RETRIES,
  type RunOptions,
  validateOptions,
} from './engine';
export { RateGate, RateMeter } from './gate';
export {
  type InputProblem,
  type InputResult,
  MAX_LINE_BYTES,
  MAX_XLSX_UNCOMPRESSED,
  type OrderSource,
  ordersFromTable,
  ordersFromText,
  type ParsedOrders,
  parseCsv,
  readOrders,
  readXlsx,
  type SkippedLine,
} from './input';
export { JOB_ID_PATTERN, newJobId } from './job-id';
export { MemoryJobStore } from './memory-store';
export { BATCH_MIGRATIONS, SqliteJobStore } from './sqlite-store';
export * from './types';

/**
 * How contract names travel on the wire. Kept apart from contract.ts so that the sandboxed
 * preload stays a few hundred bytes: it needs the naming rule, not the schemas (main validates).
 */
export const IPC_PREFIX = 'clearance:';

/** Contract channel and event names look like `lookup.get`, `batch.progress`. */
const CONTRACT_NAME = /^[a-z]+\.[a-zA-Z]+$/;

export const isContractName = (name: unknown): name is string =>
  typeof name === 'string' && CONTRACT_NAME.test(name);

export const ipcName = (name: string) => `${IPC_PREFIX}${name}`;

import { readFileSync } from 'node:fs';

/** The gateway replies the tests read (test/fixtures): the API documentation's replies and our envelopes. */
export const FIXTURE_DIR = new URL('../fixtures/', import.meta.url);
export const fixture = (name: string) => readFileSync(new URL(name, FIXTURE_DIR), 'utf8');

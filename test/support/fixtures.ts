import { readFileSync } from 'node:fs';

/** The shared fixtures (../shared/fixtures): the API documentation's replies and our envelopes. */
export const FIXTURE_DIR = new URL('../../../shared/fixtures/', import.meta.url);
export const fixture = (name: string) => readFileSync(new URL(name, FIXTURE_DIR), 'utf8');

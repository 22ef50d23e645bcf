import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.{ts,tsx}',
      'test/integration/**/*.test.ts',
      'test/keychain/**/*.test.ts',
      'test/fuzz/**/*.test.ts',
    ],
    // Native modules (SQLCipher, keytar) are safest in child processes.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default'],
  },
});

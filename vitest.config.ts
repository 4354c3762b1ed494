import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // Some suites build whole libraries before their tests (formatting, tsc): on a busy machine that takes more than the default.
    hookTimeout: 180_000,
  },
});

import { defineConfig } from "vitest/config";

// The tests `npm run mutate` runs against each mutant of the capacity, policy and config code:
// the unit-level files that read those modules directly (a synthesis per mutant would take hours).
export default defineConfig({
  test: {
    include: ["__tests__/capacity.test.ts", "__tests__/config.test.ts", "__tests__/config-errors.test.ts", "__tests__/policy-rules.test.ts"],
    testTimeout: 60_000,
  },
});

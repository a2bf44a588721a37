import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["__tests__/**/*.test.ts"],
    // Unpacks the pinned Helm (helm.test.ts renders charts with it).
    globalSetup: ["__tests__/global-setup.ts"],
    setupFiles: ["__tests__/setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Synthesis is CPU-bound; two cores, two workers.
    maxWorkers: 2,
    // One module graph per worker: the provider bindings and the synth cache load once, not per file.
    isolate: false,
  },
});

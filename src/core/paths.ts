/**
 * Files the synth reads from the repository (the hub's Python, job code, charts, scripts), by
 * their path from its root. From sources the root is two levels above this file; the bundle that
 * main.ts runs (src/core/bundle.ts) is built elsewhere and has the root compiled in.
 */
import { resolve } from "node:path";

declare const DANDIHUB_REPO_ROOT: string | undefined;

export const REPO_ROOT: string = typeof DANDIHUB_REPO_ROOT === "string" ? DANDIHUB_REPO_ROOT : resolve(__dirname, "..", "..");

/** An absolute path from repository-relative parts: `repoPath("hub", "extra_config.py")`. */
export function repoPath(...parts: string[]): string {
  return resolve(REPO_ROOT, ...parts);
}

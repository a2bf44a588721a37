/**
 * npm run bench: wall time and peak memory of an offline synth of the default deployment, each
 * run in a fresh process (what `cdktf synth` pays), plus the in-process split between loading
 * the config and synthesizing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scaleDeployment } from "./scale-config";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
// --groups N[,N...]: synthesize generated deployments of N groups x 30 profiles instead.
const groupsArg = process.argv.indexOf("--groups");
const sizes = groupsArg >= 0 ? (process.argv[groupsArg + 1] ?? "").split(",").map(Number).filter((n) => n > 0) : [];
const file = process.argv.slice(2).find((a, i, all) => !a.startsWith("--") && all[i - 1] !== "--groups") ?? "config/dandi.yaml";

/**
 * One fresh Node process with tsx's loader running `script` with `args`, as cdktf.json and `npm
 * run synth` start main.ts, writing into a scratch directory (handed to `env` by the caller) that
 * is removed after; exits the bench on failure. Wall time and stdout.
 */
function timed(script: string, args: readonly string[], env: (scratch: string) => NodeJS.ProcessEnv): { wallMs: number; stdout: string } {
  const scratch = mkdtempSync(join(tmpdir(), "dandihub-bench-"));
  const t0 = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ["--import", "tsx", script, ...args], { env: { ...process.env, ...env(scratch) }, encoding: "utf8" });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  rmSync(scratch, { recursive: true, force: true });
  if (child.status !== 0) {
    process.stderr.write(child.stderr);
    process.exit(1);
  }
  return { wallMs, stdout: child.stdout };
}

/** Wall times of the floor app, `runs` fresh processes on the same runtime (tsx). */
function floorRuns(runs = RUNS): number[] {
  return Array.from({ length: runs }, () => timed(join(__dirname, "floor-app.ts"), [], (out) => ({ DANDIHUB_BENCH_OUT: out })).wallMs);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (process.env.DANDIHUB_BENCH_CHILD) {
  const started = process.hrtime.bigint();
  // Loaded here, the way main.ts loads it, so module loading counts towards the child's time.
  const { exitWhenFlushed } = require("../src/core/fast-start") as typeof import("../src/core/fast-start");
  const { loadApp } = require("../src/core/bundle") as typeof import("../src/core/bundle");
  const app = loadApp<typeof import("../src/app")>();
  const loadedModules = process.hrtime.bigint();
  const config = app.loadDeployment(file);
  const loaded = process.hrtime.bigint();
  app.buildApp([config], process.env.DANDIHUB_BENCH_OUT!).synth();
  const done = process.hrtime.bigint();
  const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
  process.stdout.write(
    JSON.stringify({ importMs: ms(started, loadedModules), configMs: ms(loadedModules, loaded), synthMs: ms(loaded, done), maxRssMiB: process.resourceUsage().maxRSS / 1024 }),
  );
  // As main.ts ends.
  exitWhenFlushed(0);
} else if (sizes.length) {
  // The curve: per size, RUNS fresh processes of the synth, each right after a run of the floor
  // app, so that a slow spell of this shared machine lands on both sides of the ratio.
  const dir = mkdtempSync(join(tmpdir(), "dandihub-scale-"));
  process.stdout.write(`groups  profiles  wall ms  synth ms  max RSS MiB  floor ms  x floor  pairs x floor  best x floor   (medians of ${RUNS} runs)\n`);
  for (const groups of sizes) {
    const path = join(dir, `scale-${groups}.yaml`);
    writeFileSync(path, scaleDeployment(groups, 30));
    const floor: number[] = [];
    const runs = Array.from({ length: RUNS }, () => {
      floor.push(...floorRuns(1));
      const run = timed(__filename, [path], (out) => ({ DANDIHUB_BENCH_CHILD: "1", DANDIHUB_BENCH_OUT: out }));
      return { wallMs: run.wallMs, ...(JSON.parse(run.stdout) as { synthMs: number; maxRssMiB: number }) };
    });
    const wall = median(runs.map((r) => r.wallMs));
    const cells = [groups, 30, wall, median(runs.map((r) => r.synthMs)), median(runs.map((r) => r.maxRssMiB)), median(floor)].map((x, i) => x.toFixed(0).padStart([6, 8, 7, 8, 11, 8][i]));
    // Each synth over the floor run just before it: how far one slow spell of the machine moves the ratio.
    const pairs = runs.map((r, i) => r.wallMs / floor[i]);
    const spread = `${Math.min(...pairs).toFixed(2)}-${Math.max(...pairs).toFixed(2)}`;
    // Fastest synth over fastest floor run: what each costs with the least interference.
    const best = Math.min(...runs.map((r) => r.wallMs)) / Math.min(...floor);
    process.stdout.write(`${cells.join("  ")}  ${(wall / median(floor)).toFixed(2).padStart(7)}  ${spread.padStart(13)}  ${best.toFixed(2).padStart(12)}\n`);
  }
  rmSync(dir, { recursive: true, force: true });
} else {
  type Run = { wallMs: number; importMs: number; configMs: number; synthMs: number; maxRssMiB: number };
  const synthOnce = (env: NodeJS.ProcessEnv): Run => {
    const run = timed(__filename, [file], (out) => ({ ...env, DANDIHUB_BENCH_CHILD: "1", DANDIHUB_BENCH_OUT: out }));
    return { wallMs: run.wallMs, ...JSON.parse(run.stdout) };
  };
  // The first synth after a change builds the bundle (into a scratch cache, so this one is cold);
  // it is timed on its own and leaves the real cache as it was.
  const coldCache = mkdtempSync(join(tmpdir(), "dandihub-bundle-"));
  const cold = synthOnce({ DANDIHUB_BUNDLE_CACHE: coldCache });
  rmSync(coldCache, { recursive: true, force: true });
  synthOnce({}); // makes sure the real cache is fresh before the timed runs
  const results = Array.from({ length: RUNS }, () => synthOnce({}));
  const fromSources = Array.from({ length: RUNS }, () => synthOnce({ DANDIHUB_BUNDLE: "0" }));
  const floor = floorRuns();
  // main.ts itself, as `npm run synth` and `cdktf synth` run it: validation, synth, the policy, publishing cdktf.out.
  const mainRuns = Array.from({ length: RUNS }, () => timed(join(__dirname, "..", "main.ts"), [file], (scratch) => ({ CDKTF_OUTDIR: join(scratch, "cdktf.out") })).wallMs);
  const row = (label: string, key: keyof (typeof results)[number], unit: string) =>
    `${label.padEnd(34)}${median(results.map((r) => r[key])).toFixed(0).padStart(8)} ${unit}   (runs: ${results.map((r) => r[key].toFixed(0)).join(", ")})`;
  process.stdout.write(
    [
      `offline synth of ${file}, ${RUNS} fresh processes, median:`,
      row("wall time (process start to exit)", "wallMs", "ms"),
      row("  module loading", "importMs", "ms"),
      row("  config load + validation", "configMs", "ms"),
      row("  construct tree + synth", "synthMs", "ms"),
      row("peak memory (max RSS)", "maxRssMiB", "MiB"),
      `${"first synth after a change".padEnd(34)}${cold.wallMs.toFixed(0).padStart(8)} ms   (builds the bundle: module loading ${cold.importMs.toFixed(0)} ms)`,
      `${"from sources (DANDIHUB_BUNDLE=0)".padEnd(34)}${median(fromSources.map((r) => r.wallMs)).toFixed(0).padStart(8)} ms   (module loading ${median(fromSources.map((r) => r.importMs)).toFixed(0)} ms)`,
      `${"floor app (one provider, one bucket)".padEnd(34)}${median(floor).toFixed(0).padStart(8)} ms   (runs: ${floor.map((x) => x.toFixed(0)).join(", ")})`,
      `${"ratio to the floor app".padEnd(34)}${(median(results.map((r) => r.wallMs)) / median(floor)).toFixed(2).padStart(8)} x`,
      `${"main.ts (with policy, publishing)".padEnd(34)}${median(mainRuns).toFixed(0).padStart(8)} ms   (${(median(mainRuns) / median(floor)).toFixed(2)} x the floor app)`,
      "",
    ].join("\n"),
  );
}

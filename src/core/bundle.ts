/**
 * main.ts runs the app from one bundle instead of ~450 modules.
 *
 * Under tsx every module costs a resolve through its loader hooks and a compile, and dandihub
 * loads about 140 of its own, 100 of zod and yaml, 80 of cdktf and 60 provider bindings: that was
 * 1.3 s of a 3 s synth. esbuild (tsx's own transpiler) bundles src/app.ts and everything it
 * imports into one CommonJS file in node_modules/.cache/dandihub, which loads in a sixth of that.
 * The bundle is rebuilt whenever any file that went into it changes (by size and mtime, checked
 * at every start), so it never runs stale code. Set DANDIHUB_DEBUG=1 (source-mapped stack
 * traces) or DANDIHUB_BUNDLE=0 to run from the sources instead (as the suite's in-process synths
 * do); DANDIHUB_BUNDLE_CACHE moves the cache. Files the synth reads as data (the hub's Python,
 * charts, scripts) are not bundled: they are read from the repository every time.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire, Module } from "node:module";
import { dirname, join } from "node:path";
import { Script } from "node:vm";
import { REPO_ROOT } from "./paths";

interface Manifest {
  /** esbuild's version and the options: a bundle built otherwise is stale too. */
  readonly build: string;
  readonly bundle: string;
  readonly inputs: readonly { readonly path: string; readonly size: number; readonly mtimeMs: number }[];
}

/** Where bundles are kept; one manifest names the current one and what went into it. */
export const BUNDLE_CACHE = join(REPO_ROOT, "node_modules", ".cache", "dandihub");
const MANIFEST = "app.json";
const ENTRY = join("src", "app.ts");

/**
 * The app module (src/app.ts, typed by the caller: this loader knows nothing of what it loads):
 * from a fresh bundle, else from the sources when bundling is off or impossible.
 */
export function loadApp<AppModule>(env: NodeJS.ProcessEnv = process.env, cacheDir = env.DANDIHUB_BUNDLE_CACHE ?? BUNDLE_CACHE): AppModule {
  if (env.DANDIHUB_DEBUG || env.DANDIHUB_BUNDLE === "0") return require("../app") as AppModule;
  const bundle = freshBundle(cacheDir) ?? buildBundle(cacheDir);
  return (bundle ? runBundle(bundle) : require("../app")) as AppModule;
}

/**
 * Runs the bundle as a CommonJS module, with V8's code cache beside it (`<bundle>.v8`): compiling
 * 5 MB of JavaScript is most of what loading it costs, and the cache, written when the first
 * process that ran this bundle exits (so it holds every function that synth compiled), skips it.
 * A cache V8 rejects (another Node version) is rewritten the same way.
 */
function runBundle(path: string): unknown {
  const codeCache = `${path}.v8`;
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(codeCache);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(Module.wrap(readFileSync(path, "utf8")), { filename: path, cachedData });
  if (!cachedData || script.cachedDataRejected) {
    process.once("exit", () => {
      try {
        writeFileSync(`${codeCache}.${process.pid}`, script.createCachedData());
        renameSync(`${codeCache}.${process.pid}`, codeCache);
      } catch {
        // a read-only cache: the next start compiles again
      }
    });
  }
  const mod = new Module(path, module);
  mod.filename = path;
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, createRequire(path), mod, path, dirname(path));
  return mod.exports;
}

/** The cached bundle's path when every input it was built from is unchanged. */
export function freshBundle(cacheDir: string): string | undefined {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(cacheDir, MANIFEST), "utf8")) as Manifest;
  } catch {
    return undefined;
  }
  if (manifest.build !== buildId()) return undefined;
  for (const input of manifest.inputs) {
    try {
      const st = statSync(join(REPO_ROOT, input.path));
      if (st.size !== input.size || st.mtimeMs !== input.mtimeMs) return undefined;
    } catch {
      return undefined;
    }
  }
  return join(cacheDir, manifest.bundle);
}

function buildOptions(): import("esbuild").BuildOptions {
  return {
    absWorkingDir: REPO_ROOT,
    entryPoints: [ENTRY],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: `node${process.versions.node.split(".")[0]}`,
    // The bundle runs from the cache directory; paths.ts takes the repository root from here.
    define: { DANDIHUB_REPO_ROOT: JSON.stringify(REPO_ROOT) },
  };
}

function buildId(): string {
  const { version } = require("esbuild/package.json") as { version: string };
  return createHash("sha256").update(version).update(JSON.stringify(buildOptions())).digest("hex").slice(0, 16);
}

/**
 * Builds the bundle and records its inputs; undefined when it cannot (a read-only checkout, no
 * esbuild), in which case the caller runs from the sources: slower, never wrong.
 */
export function buildBundle(cacheDir: string): string | undefined {
  try {
    const { buildSync } = require("esbuild") as typeof import("esbuild");
    const result = buildSync({ ...buildOptions(), write: false as const, metafile: true as const, logLevel: "silent" });
    const code = result.outputFiles[0].contents;
    const inputs = Object.keys(result.metafile.inputs).map((path) => {
      const st = statSync(join(REPO_ROOT, path));
      return { path, size: st.size, mtimeMs: st.mtimeMs };
    });
    const name = `app-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.cjs`;
    mkdirSync(cacheDir, { recursive: true });
    // Written under temporary names and renamed, so a synth running beside this one never reads half a file.
    const tmp = `.${process.pid}`;
    writeFileSync(join(cacheDir, name + tmp), code);
    renameSync(join(cacheDir, name + tmp), join(cacheDir, name));
    writeFileSync(join(cacheDir, MANIFEST + tmp), JSON.stringify({ build: buildId(), bundle: name, inputs } satisfies Manifest));
    renameSync(join(cacheDir, MANIFEST + tmp), join(cacheDir, MANIFEST));
    for (const old of readdirSync(cacheDir)) if (/^app-[0-9a-f]+\.cjs(\.v8)?$/.test(old) && !old.startsWith(name)) rmSync(join(cacheDir, old), { force: true });
    return join(cacheDir, name);
  } catch {
    return undefined;
  }
}

/**
 * main.ts runs the app from a cached bundle (src/core/bundle.ts): it must synthesize what the
 * sources do, and never run stale. And the other start-up savings: cheap stack traces, no prepare pass.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildApp } from "../src/app";
import { loadDeployment } from "../src/config/load";
import { freshBundle } from "../src/core/bundle";
import { TerraformStack } from "../src/core/cdktf";
import { ROOT, synth, TS_NODE_ARGS } from "./helpers";

describe("the synth bundle", () => {
  const cache = mkdtempSync(join(tmpdir(), "dandihub-bundle-"));
  const out = join(cache, "out");

  it("main.ts builds it on first run and synthesizes byte for byte what the sources do", () => {
    const r = spawnSync(process.execPath, [...TS_NODE_ARGS, "main.ts", "config/dandi.yaml"], {
      cwd: ROOT,
      env: { ...process.env, DANDIHUB_BUNDLE_CACHE: cache, CDKTF_OUTDIR: out },
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(out, "stacks", "dandi", "cdk.tf.json"), "utf8")).toBe(synth("config/dandi.yaml").text);
    // The hub's Python and the job code are read from the repository, not from beside the bundle.
    const assets = readdirSync(join(out, "stacks", "dandi", "assets"));
    expect(assets.length).toBeGreaterThan(0);
    const files = readdirSync(cache);
    expect(files).toContain("app.json");
    const bundle = files.find((f) => /^app-[0-9a-f]{16}\.cjs$/.test(f));
    expect(bundle).toBeDefined();
    // V8's code cache is written when that first process exits.
    expect(files).toContain(`${bundle}.v8`);
    expect(freshBundle(cache)).toBe(join(cache, bundle!));
  });

  it("is stale as soon as any file that went into it changed", () => {
    const manifest = JSON.parse(readFileSync(join(cache, "app.json"), "utf8")) as { bundle: string; inputs: { path: string; size: number; mtimeMs: number }[] };
    const inputs = manifest.inputs.map((i) => i.path);
    // Every source file of the app went in, and the libraries it imports.
    expect(inputs).toContain("src/features/hub/values.ts");
    expect(inputs.some((p) => p.startsWith("node_modules/cdktf/"))).toBe(true);
    const edited = join(mkdtempSync(join(tmpdir(), "dandihub-bundle-")), "app.json");
    const at = inputs.indexOf("src/stack.ts");
    for (const change of [{ size: manifest.inputs[at].size + 1 }, { mtimeMs: manifest.inputs[at].mtimeMs - 1000 }, { path: "src/gone.ts" }]) {
      const inputsAfter = manifest.inputs.map((i, n) => (n === at ? { ...i, ...change } : i));
      writeFileSync(edited, JSON.stringify({ ...manifest, inputs: inputsAfter }));
      expect(freshBundle(join(edited, ".."))).toBeUndefined();
    }
    expect(freshBundle(join(cache, "missing"))).toBeUndefined();
  });

  it("DANDIHUB_BUNDLE=0 and DANDIHUB_DEBUG run the sources and build nothing", () => {
    const unused = join(cache, "unused");
    const probe = `const b = require("./src/core/bundle"); console.log(JSON.stringify(["0", "debug"].map((m) => b.loadApp(m === "0" ? { DANDIHUB_BUNDLE: "0" } : { DANDIHUB_DEBUG: "1" }, ${JSON.stringify(unused)}) === require("./src/app"))));`;
    const r = spawnSync(process.execPath, [...TS_NODE_ARGS, "-e", probe], { cwd: ROOT, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([true, true]);
    expect(existsSync(unused)).toBe(false);
  });
});

describe("fast-start", () => {
  const probe = [
    'require("./src/core/fast-start");',
    "Error.stackTraceLimit = 100; // as CDKTF sets it while capturing",
    "const deep = (n) => (n ? deep(n - 1) : new Error('boom'));",
    "const plain = { stack: '' }; Error.captureStackTrace(plain);",
    "console.log(JSON.stringify({ frames: deep(60).stack.split('\\n').length - 1, head: deep(1).stack.split('\\n')[0], plain: plain.stack }));",
  ].join("\n");
  const run = (env: Record<string, string>) => {
    const r = spawnSync(process.execPath, [...TS_NODE_ARGS, "-e", probe], { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { frames: number; head: string; plain: string };
  };

  it("an Error keeps its message and first 25 frames; a trace captured onto a plain object (CDKTF's tokens) is left empty", () => {
    expect(run({})).toEqual({ frames: 25, head: "Error: boom", plain: "" });
  });

  it("exitWhenFlushed ends with its code after all of stdout and stderr is out, and runs exit handlers", () => {
    const writer = [
      'const { exitWhenFlushed } = require("./src/core/fast-start");',
      'process.on("exit", () => process.stderr.write("exit handler ran\\n"));',
      'for (let i = 0; i < 200; i++) process.stdout.write(`${i}:${"x".repeat(10000)}\\n`);',
      'process.stderr.write("last error line\\n");',
      "exitWhenFlushed(3);",
      'process.stdout.write("written after, still out\\n");',
    ].join("\n");
    const r = spawnSync(process.execPath, [...TS_NODE_ARGS, "-e", writer], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 24 });
    expect(r.status, r.stderr).toBe(3);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(201);
    expect(lines[199]).toBe(`199:${"x".repeat(10000)}`);
    expect(lines[200]).toBe("written after, still out");
    expect(r.stderr).toBe("last error line\nexit handler ran\n");
  });

  it("DANDIHUB_DEBUG=1 keeps Node's full traces", () => {
    const debug = run({ DANDIHUB_DEBUG: "1" });
    expect(debug.frames).toBeGreaterThan(25);
    expect(debug.plain).not.toBe("");
  });
});

describe("the skipped prepare pass", () => {
  it("CDKTF's prepare pass, run on a HubStack anyway, adds nothing: no stack references another", () => {
    const config = loadDeployment(join(ROOT, "config/dandi.yaml"));
    const app = buildApp([config], mkdtempSync(join(tmpdir(), "dandihub-prepare-")));
    const stack = app.node.findAll().find(TerraformStack.isStack)!;
    const before = stack.node.findAll().map((c) => c.node.path);
    TerraformStack.prototype.prepareStack.call(stack);
    expect(stack.node.findAll().map((c) => c.node.path)).toEqual(before);
  });
});

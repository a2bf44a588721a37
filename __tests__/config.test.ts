import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/config/errors";
import { loadDeployment } from "../src/config/load";
import { renderReference } from "../src/config/reference";
import { deploymentJsonSchema } from "../src/config/schema";
import { formatGoDuration, formatQuantity, formatSpawnerBytes, parseDuration, parseQuantity } from "../src/config/units";
import { minimalYaml, problemsOf, ROOT } from "./helpers";

/** The line number (1-based) of the first line of `yaml` containing `needle`. */
function lineOf(yaml: string, needle: string): number {
  const i = yaml.split("\n").findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`"${needle}" not in yaml`);
  return i + 1;
}

describe("the shipped deployment files", () => {
  it("dandi.yaml models the DANDI hub", () => {
    const c = loadDeployment(join(ROOT, "config/dandi.yaml"));
    expect(c.region).toBe("us-east-2");
    expect(c.hub.domain).toBe("hub.dandiarchive.org");
    expect(Number(c.cluster.kubernetesVersion.split(".")[1])).toBeGreaterThanOrEqual(32);
    expect(c.auth.login.kind).toBe("github");
    expect(c.profiles.map((p) => p.key)).toEqual(["tiny", "base", "medium", "large", "gpu-t4"]);
    const base = c.profiles.find((p) => p.key === "base")!;
    expect(base.default).toBe(true);
    expect(base.cpu).toEqual({ guarantee: 6, limit: 12 });
    expect(base.memory).toEqual({ guaranteeBytes: 16 * 2 ** 30, limitBytes: 32 * 2 ** 30 });
    const gpu = c.profiles.find((p) => p.key === "gpu-t4")!;
    expect(gpu.gpu).toEqual({ count: 1, type: "t4" });
    expect(gpu.pinnedInstanceTypes).toEqual(["g4dn.2xlarge", "g4dn.4xlarge", "g4dn.8xlarge"]);
    expect(c.hub.cull.idleTimeoutSeconds).toBe(3600);
    expect(c.hub.startTimeoutSeconds).toBe(900);
    expect(c.hub.defaultUrl).toBe("/lab");
    expect(c.hub.dbSizeBytes).toBe(2 ** 30); // the 1Gi default: sqlite holds a few MB per thousand users
    // Pulled through the image cache (aws.accountId and imageCache.dockerHubSecret are set).
    expect(c.images.map((i) => i.ref)).toEqual(c.images.map((i) => `123456789012.dkr.ecr.us-east-2.amazonaws.com/docker-hub/${i.upstreamRef}`));
    expect(c.images.map((i) => i.upstreamRef)).toEqual([
      "dandiarchive/dandihub:latest",
      "dandiarchive/dandihub:latest-allensdk",
      "dandiarchive/dandihub:latest-openscope",
      "dandiarchive/dandihub:latest-matlab",
      "dandiarchive/dandihub:latest-gpu",
    ]);
  });

  it("minimal.yaml takes defaults for everything it omits", () => {
    const c = loadDeployment(join(ROOT, "config/minimal.yaml"));
    expect(c.environment).toBe("production");
    expect(c.backend).toEqual({ kind: "local", path: "terraform.minimal.tfstate" });
    expect(c.network).toMatchObject({ cidr: "10.1.0.0/16", azs: 2, singleNatGateway: true });
    expect(c.network.privateSubnets).toEqual(["10.1.0.0/19", "10.1.32.0/19"]);
    expect(c.network.publicSubnets).toEqual(["10.1.224.0/24", "10.1.225.0/24"]);

    expect(c.profiles).toHaveLength(1);
    expect(c.profiles[0].default).toBe(true);
    expect(c.groups.map((g) => g.key)).toEqual(["users"]);
    expect(c.pools.map((p) => p.name)).toEqual(["users-cpu-spot"]);
  });
});

describe("errors name file:line:column, field path, value and what is allowed", () => {
  it("a bad quantity", () => {
    const yaml = minimalYaml().replace("guarantee: 2Gi", "guarantee: 2GB");
    const err = problemsOf(yaml);
    expect(err.problems).toHaveLength(1);
    const p = err.problems[0];
    expect(p.path).toEqual(["profiles", "small", "memory", "guarantee"]);
    expect(p.line).toBe(lineOf(yaml, "guarantee: 2GB"));
    expect(p.value).toBe("2GB");
    expect(err.format()).toContain(`config/test.yaml:${p.line}:`);
    expect(err.format()).toContain('profiles.small.memory.guarantee = "2GB": expected a size with a binary unit: Mi, Gi or Ti');
  });

  it("an unknown key, with a suggestion and the allowed keys", () => {
    const yaml = minimalYaml({ aws: "aws:\n  region: us-east-1\n  regoin: us-east-2" });
    const err = problemsOf(yaml);
    const p = err.problems[0];
    expect(p.path).toEqual(["aws", "regoin"]);
    expect(p.line).toBe(lineOf(yaml, "regoin"));
    expect(p.column).toBe(3);
    expect(p.message).toContain('did you mean "region"');
    expect(p.message).toContain("allowed here: region, accountId, tags");
  });

  it("a wrong type, with a quoting hint for numbers YAML read", () => {
    const yaml = minimalYaml({ cluster: "cluster:\n  admins: ['arn:aws:iam::123456789012:role/dandihub-deploy']\n  kubernetesVersion: 1.30" });
    const p = problemsOf(yaml).problems[0];
    expect(p.path).toEqual(["cluster", "kubernetesVersion"]);
    expect(p.value).toBe(1.3);
    expect(p.message).toBe('expected text, found a number; YAML read 1.30 as a number (1.3), quote it ("1.30")');
  });

  it("a missing required field points at its parent", () => {
    const yaml = minimalYaml({ hub: "hub:\n  tls:\n    letsEncrypt:\n      email: a@example.org" });
    const p = problemsOf(yaml).problems[0];
    expect(p.path).toEqual(["hub", "domain"]);
    expect(p.value).toBeUndefined();
    expect(p.message).toMatch(/^is required/);
    expect(p.line).toBe(lineOf(yaml, "hub:"));
  });

  it("an enum lists its values", () => {
    const yaml = minimalYaml({ environment: "environment: staging" });
    const p = problemsOf(yaml).problems[0];
    expect(p.message).toBe('allowed: "production" | "development"');
    expect(p.line).toBe(lineOf(yaml, "environment: staging"));
  });

  it("a group defined twice is a duplicate-key error at the second definition", () => {
    const yaml = minimalYaml().replace("groups:\n  team:", "groups:\n  team:\n    displayName: First\n    members: {users: [a]}\n    profiles: [small]\n    limits: {cpu: 8, memory: 32Gi}\n  team:");
    const err = problemsOf(yaml);
    expect(err.problems[0].message).toMatch(/^YAML syntax: Map keys must be unique/);
    expect(err.problems[0].line).toBe(yaml.split("\n").lastIndexOf("  team:") + 1);
  });

  it("YAML syntax errors carry their position", () => {
    const yaml = minimalYaml() + "profiles:\n  dup: {}\n";
    const err = problemsOf(yaml);
    expect(err.problems[0].message).toMatch(/^YAML syntax: /);
    const lines = yaml.split("\n");
    expect(err.problems[0].line).toBe(lines.lastIndexOf("profiles:") + 1);
  });

  it("all problems of a file are reported at once, in file order", () => {
    const yaml = minimalYaml({ environment: "environment: staging" }).replace("limit: 4Gi", "limit: 4G").replace("region: us-east-1", "region: mars");
    const err = problemsOf(yaml);
    expect(err.problems.map((p) => p.path.join("."))).toEqual(["environment", "aws.region", "profiles.small.memory.limit"]);
    expect(err.problems.map((p) => p.line)).toEqual([...err.problems.map((p) => p.line)].sort((a, b) => a - b));
  });

  it("a file that cannot be read", () => {
    expect(() => loadDeployment("config/does-not-exist.yaml")).toThrow(ConfigError);
    try {
      loadDeployment("config/does-not-exist.yaml");
    } catch (err) {
      expect((err as ConfigError).format()).toContain("config/does-not-exist.yaml:1:1  cannot read the file (ENOENT)");
    }
  });
});

/** A second group, gated on a team of the org the minimal file's group admits whole. */
const CLASS_GROUP = '  class:\n    displayName: Class\n    members:\n      github: ["example:students"]\n    profiles: [small]\n    limits: { cpu: 8, memory: 32Gi }\n';

describe("cross-field rules", () => {
  const cases: [string, Record<string, string> | ((y: string) => string), string, string][] = [
    ["profile names an undefined image", (y) => y.replace("images: [base]", "images: [bsae]"), "profiles.small.images.0", "no image of that name (did you mean base?)"],
    ["guarantee above limit", (y) => y.replace("guarantee: 1, limit: 2", "guarantee: 3, limit: 2"), "profiles.small.cpu.guarantee", "must not exceed cpu.limit (2)"],
    ["profile fits no instance", (y) => y.replace("guarantee: 1, limit: 2", "guarantee: 500, limit: 600"), "profiles.small.cpu", "fits no allowed instance"],
    ["dummy auth in production", { auth: "auth:\n  dummy: {}" }, "auth.dummy", "allowed only with environment: development"],
    ["plain HTTP in production", { hub: "hub:\n  domain: hub.example.org\n  tls:\n    none: true" }, "hub.tls.none", "plain HTTP is allowed only with environment: development"],
    ["two TLS modes", { hub: "hub:\n  domain: hub.example.org\n  tls:\n    none: true\n    letsEncrypt: {email: a@b.org}" }, "hub.tls", "choose one of acmCertificateArn, letsEncrypt, none, not letsEncrypt and none"],
    ["no backend chosen", { backend: "backend: {}" }, "backend", "needs one of local, s3, cloud"],
    ["absolute state path", { backend: "backend:\n  local:\n    path: /tmp/state.tfstate" }, "backend.local.path", "must be a path relative to the project directory"],
    ["secret with both sources", (y) => y.replace("variable: github_client_secret", "variable: github_client_secret\n      secretsManager: {secretId: x}"), "auth.github.clientSecret", "choose one of variable, secretsManager"],
    ["a literal secret", (y) => y.replace("clientSecret:\n      variable: github_client_secret", "clientSecret: hunter2"), "auth.github.clientSecret", "a secret never appears in the deployment file"],
    ["VPC too small", { network: "network:\n  cidr: 10.1.0.0/24" }, "network.cidr", "the VPC needs a /16 to /20 block"],
    ["VPC host bits set", { network: "network:\n  cidr: 10.1.5.0/16" }, "network.cidr", "host bits are set; the block starts at 10.1.0.0/16"],
    ["VPC overlaps Docker's bridge", { network: "network:\n  cidr: 172.17.0.0/16" }, "network.cidr", "overlaps 172.17.0.0/16"],
    ["unknown core instance type", { cluster: "cluster:\n  admins: ['arn:aws:iam::123456789012:role/dandihub-deploy']\n  coreNodes:\n    instanceTypes: [t3a.larg]" }, "cluster.coreNodes.instanceTypes.0", "unknown instance type (did you mean t3a.large?)"],
    ["mixed core architectures", { cluster: "cluster:\n  admins: ['arn:aws:iam::123456789012:role/dandihub-deploy']\n  coreNodes:\n    instanceTypes: [t3a.large, t4g.large]" }, "cluster.coreNodes.instanceTypes", "one architecture"],
    ["core sizes out of order", { cluster: "cluster:\n  admins: ['arn:aws:iam::123456789012:role/dandihub-deploy']\n  coreNodes:\n    min: 3\n    desired: 2\n    max: 4" }, "cluster.coreNodes", "needs min <= desired <= max"],
    ["unsupported Kubernetes", { cluster: "cluster:\n  admins: ['arn:aws:iam::123456789012:role/dandihub-deploy']\n  kubernetesVersion: '1.29'" }, "cluster.kubernetesVersion", "supported: 1.32, 1.33, 1.34, 1.35"],
    ["GPU family among CPU families", { userNodes: "userNodes:\n  instanceFamilies: [m6i, g5]" }, "userNodes.instanceFamilies.1", "GPU families belong in userNodes.gpuFamilies"],
    ["GPU image on a CPU profile", (y) => y.replace("tag: '2025-06-02'", "tag: '2025-06-02'\n    gpu: true"), "profiles.small.images.0", "is a GPU image"],
    ["two default profiles", (y) => y.replace("    images: [base]", "    images: [base]\n    default: true\n  big:\n    displayName: Big\n    default: true\n    cpu: {guarantee: 2, limit: 4}\n    memory: {guarantee: 4Gi, limit: 8Gi}\n    images: [base]").replace("profiles: [small]", "profiles: [small, big]"), "profiles.big.default", "only one profile can be the default; small already is"],
    ["no group at all", { groups: "groups: {}" }, "groups", "define at least one group"],
    ["group grants an unknown profile", (y) => y.replace("profiles: [small]", "profiles: [smal]"), "groups.team.profiles.0", "no profile of that name (did you mean small?)"],
    ["team not under an allowed org", (y) => y.replace("github: [example]", "github: ['other-org:team']"), "groups.team.members.github.0", "not under an allowed org; add other-org to auth.github.organizations"],
    ["group limits below the largest profile", (y) => y.replace("limits: { cpu: 64, memory: 256Gi }", "limits: { cpu: 1, memory: 256Gi }"), "groups.team.limits.cpu", "below what profile small needs"],
    ["group memory below the largest profile", (y) => y.replace("limits: { cpu: 64, memory: 256Gi }", "limits: { cpu: 64, memory: 2Gi }"), "groups.team.limits.memory", "below what profile small needs"],
    ["GPU profile granted without GPUs", (y) => y.replace("    images: [base]", "    images: [base]\n  gpu:\n    displayName: GPU\n    cpu: {guarantee: 2, limit: 4}\n    memory: {guarantee: 8Gi, limit: 12Gi}\n    gpu: {type: t4}\n    images: [base]").replace("profiles: [small]", "profiles: [small, gpu]"), "groups.team.limits.gpus", "below what profile gpu needs: one g4dn.xlarge"],
    ["group with no members", (y) => y.replace("    members:\n      github: [example]\n", "    members: {}\n"), "groups.team.members", "name at least one source"],
    ["unknown archive", (y) => y.replace("github: [example]", "archives: [dandy]"), "groups.team.members.archives.0", "no archive of that name"],
    ["profile no group grants", (y) => y.replace("    images: [base]", "    images: [base]\n  orphan:\n    displayName: Orphan\n    cpu: {guarantee: 1, limit: 2}\n    memory: {guarantee: 1Gi, limit: 2Gi}\n    images: [base]"), "profiles.orphan", "no group grants this profile"],
    ["reserved environment variable", (y) => y.replace("limits: { cpu: 64, memory: 256Gi }", "limits: { cpu: 64, memory: 256Gi }\n    env: { JUPYTERHUB_API_TOKEN: x }"), "groups.team.env.JUPYTERHUB_API_TOKEN", "set by the hub"],
    ["mount over the home directory", (y) => y.replace("limits: { cpu: 64, memory: 256Gi }", "limits: { cpu: 64, memory: 256Gi }\n    mounts: [{name: data, mountPath: /home/jovyan, pvc: {claimName: c}}]"), "groups.team.mounts.0.mountPath", "would hide the home directory"],
    ["mount over dandihub's shared directories", (y) => y.replace("limits: { cpu: 64, memory: 256Gi }", "limits: { cpu: 64, memory: 256Gi }\n    mounts: [{name: data, mountPath: /shared/team, pvc: {claimName: c}}]"), "groups.team.mounts.0.mountPath", "choose another path"],
    ["mount with two sources", (y) => y.replace("limits: { cpu: 64, memory: 256Gi }", "limits: { cpu: 64, memory: 256Gi }\n    mounts: [{name: data, mountPath: /data, pvc: {claimName: c}, nfs: {server: s, path: /p}}]"), "groups.team.mounts.0", "choose one of nfs, pvc"],
    ["cognito in production", { auth: "auth:\n  cognito: {}" }, "auth.cognito", "allowed only with environment: development"],
    ["two login methods", (y) => y.replace("auth:\n", "auth:\n  dummy: {}\n"), "auth", "choose one of github, dandiOAuth, cognito, dummy, not github and dummy"],
    ["an org-wide group swallows a team-gated one", (y) => y + CLASS_GROUP, "groups.team.members.github.0", "admits the whole GitHub org example, so every member of example:students (group class) is also in team"],
    ["overlaps names no group", (y) => y.replace("      github: [example]\n", "      github: [example]\n      overlaps: [nobody]\n"), "groups.team.members.overlaps.0", "no other group of that name"],
    ["a VPC outside the private ranges", { network: "network:\n  cidr: 11.1.0.0/16" }, "network.cidr", "must be a private (RFC 1918) block"],
    ["dandiOAuth names an unknown archive", { auth: "auth:\n  dandiOAuth: {archive: dandi, clientId: abc}" }, "auth.dandiOAuth.archive", "no archive of that name in auth.archives"],
  ];
  for (const [name, change, path, message] of cases) {
    it(name, () => {
      const yaml = typeof change === "function" ? change(minimalYaml()) : minimalYaml(change);
      const err = problemsOf(yaml);
      const match = err.problems.find((p) => p.path.join(".") === path);
      expect(match, err.format()).toBeDefined();
      expect(match!.message).toContain(message);
      expect(match!.line).toBeGreaterThan(0);
    });
  }
});

describe("units", () => {
  it("parses binary quantities and refuses decimal ones", () => {
    expect(parseQuantity("512Mi")).toBe(512 * 2 ** 20);
    expect(parseQuantity("1.5Gi")).toBe(1.5 * 2 ** 30);
    expect(parseQuantity("2Ti")).toBe(2 * 2 ** 40);
    expect(() => parseQuantity("2G")).toThrow(/binary unit/);
    expect(() => parseQuantity("2")).toThrow();
  });
  it("formats quantities for Kubernetes and KubeSpawner", () => {
    expect(formatQuantity(16 * 2 ** 30)).toBe("16Gi");
    expect(formatQuantity(1536 * 2 ** 20)).toBe("1536Mi");
    expect(formatSpawnerBytes(16 * 2 ** 30)).toBe("16G");
    expect(formatSpawnerBytes(512 * 2 ** 20)).toBe("512M");
    expect(formatQuantity(3 * 2 ** 40)).toBe("3Ti");
    expect(formatQuantity(5 * 2 ** 10)).toBe("5Ki");
    expect(formatQuantity(1000)).toBe("1000");
    expect(formatSpawnerBytes(2 * 2 ** 40)).toBe("2T");
    expect(formatSpawnerBytes(3 * 2 ** 10)).toBe("3K");
    expect(formatSpawnerBytes(1000)).toBe("1000");
  });
  it("say what they expected when they refuse", () => {
    expect(() => parseQuantity("2G")).toThrow("not a size with a binary unit: Mi, Gi or Ti (e.g. 512Mi, 16Gi, 2Ti)");
    expect(() => parseDuration("1 hour")).toThrow("not a duration such as 90s, 45m, 1h, 7d or 1h30m");
  });
  it("parses and formats durations", () => {
    expect(parseDuration("1h30m")).toBe(5400);
    expect(parseDuration("7d")).toBe(604800);
    expect(() => parseDuration("1 hour")).toThrow();
    expect(formatGoDuration(30 * 86400)).toBe("720h");
    expect(formatGoDuration(5400)).toBe("1h30m");
    expect(formatGoDuration(300)).toBe("5m");
    expect(formatGoDuration(0)).toBe("0s");
  });
});

describe("the deployment file's JSON Schema", () => {
  it("the committed schema/deployment.schema.json is current (run npm run schema)", () => {
    const committed = JSON.parse(readFileSync(join(ROOT, "schema/deployment.schema.json"), "utf8"));
    expect(committed).toEqual(deploymentJsonSchema());
  });

  it("the committed help/deployment-file.md reference is current (run npm run schema)", () => {
    expect(readFileSync(join(ROOT, "help/deployment-file.md"), "utf8")).toBe(renderReference(deploymentJsonSchema()));
  });

  it("describes defaults and refuses unknown keys", () => {
    const s = deploymentJsonSchema() as { additionalProperties: boolean; required: string[]; properties: Record<string, { default?: unknown }> };
    expect(s.additionalProperties).toBe(false);
    expect(s.required).toEqual(expect.arrayContaining(["name", "aws", "hub", "auth", "images", "profiles"]));
    expect(s.properties.environment.default).toBe("production");
  });

  it("every shipped deployment file points editors at it", () => {
    for (const f of ["config/dandi.yaml", "config/minimal.yaml"]) {
      expect(readFileSync(join(ROOT, f), "utf8")).toMatch(/^# yaml-language-server: \$schema=\.\.\/schema\/deployment\.schema\.json/);
    }
  });
});

describe("overlapping GitHub membership", () => {
  it("is allowed when the org-wide group says so, and then a member of the team is in both", () => {
    const yaml = minimalYaml().replace("      github: [example]\n", "      github: [example]\n      overlaps: [class]\n") + CLASS_GROUP;
    const c = loadDeployment("config/overlap.yaml", yaml);
    expect(c.groups.map((g) => [g.key, g.members.orgs, g.members.teams])).toEqual([
      ["team", ["example"], []],
      ["class", [], [["example", "students"]]],
    ]);
  });

  it("a team of another org, or two teams of one org, do not overlap", () => {
    const teams = minimalYaml().replace("      github: [example]\n", '      github: ["example:staff"]\n') + CLASS_GROUP;
    expect(loadDeployment("config/t.yaml", teams).groups).toHaveLength(2);
    const otherOrg = minimalYaml().replace("organizations: [example]", "organizations: [example, other]") + CLASS_GROUP.replace("example:students", "other:students");
    expect(loadDeployment("config/t.yaml", otherOrg).groups).toHaveLength(2);
  });

  it("config/dandi.yaml gates DANDI on a team, since workshop participants are a team of the dandi org", () => {
    const c = loadDeployment(join(ROOT, "config/dandi.yaml"));
    const dandi = c.groups.find((g) => g.key === "dandi")!;
    expect(dandi.members.orgs).toEqual([]);
    expect(dandi.members.teams).toEqual([["dandi", "dandihub-users"]]);
  });
});

describe("resolution", () => {
  const two = minimalYaml({
    images: "images:\n  base:\n    name: quay.io/jupyter/base-notebook\n    tag: '2025-06-02'\n  sci:\n    name: quay.io/jupyter/scipy-notebook\n    tag: '2025-06-02'",
    profiles:
      "profiles:\n  small:\n    displayName: Small\n    cpu: { guarantee: 1, limit: 2 }\n    memory: { guarantee: 2Gi, limit: 4Gi }\n    images: [sci, base]\n  big:\n    displayName: Big\n    cpu: { guarantee: 2, limit: 4 }\n    memory: { guarantee: 4Gi, limit: 8Gi }\n    images: [base]",
    groups: "groups:\n  team:\n    displayName: Team\n    members:\n      github: [example]\n    profiles: [big, small]\n    limits: { cpu: 64, memory: 256Gi }",
  });

  it("profiles keep the file's order and their images the profile's order; the first is the default unless one says so", () => {
    const c = loadDeployment("config/two.yaml", two);
    expect(c.profiles.map((p) => [p.key, p.default, p.images.map((i) => i.key)])).toEqual([
      ["small", true, ["sci", "base"]],
      ["big", false, ["base"]],
    ]);
    expect(c.defaultProfile.key).toBe("small");
    const bigDefault = loadDeployment("config/two.yaml", two.replace("    displayName: Big\n", "    displayName: Big\n    default: true\n"));
    expect(bigDefault.profiles.map((p) => p.default)).toEqual([false, true]);
    expect(bigDefault.defaultProfile.key).toBe("big");
  });

  it("a group lists its profiles in the file's profile order, whatever order it grants them in", () => {
    expect(loadDeployment("config/two.yaml", two).groups[0].profiles).toEqual(["small", "big"]);
  });

  it("every secret reference, auth first, then pull secrets", () => {
    for (const file of ["config/dandi.yaml", "config/examples/images-build.yaml"]) {
      const c = loadDeployment(join(ROOT, file));
      expect(c.secrets.map((s) => s.field)).toEqual([
        "auth.github.clientSecret",
        ...c.auth.archives.map((_, i) => `auth.archives[${i}].token`),
        ...c.customImages.pullSecrets.map((p) => p.password.field),
      ]);
    }
    expect(loadDeployment(join(ROOT, "config/examples/images-build.yaml")).customImages.pullSecrets.length).toBeGreaterThan(0);
    expect(loadDeployment(join(ROOT, "config/dandi.yaml")).auth.archives.length).toBeGreaterThan(0);
  });
});

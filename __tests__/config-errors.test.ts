/**
 * What a person with a broken deployment file reads: one line per problem, in file order, with
 * file:line:column, the field, the value as written (never a secret) and what is allowed.
 * Exact lines, because the wording and the position are the product here.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, formatPath, formatValue } from "../src/config/errors";
import { loadDeployment } from "../src/config/load";
import { resolveSecret } from "../src/config/secrets";
import { cidrListProblems, exactlyOne, unknownInstanceType } from "../src/config/rules";
import { minimalYaml, problemsOf } from "./helpers";

/** The problem lines (without the header) `yaml` is refused with, as config/t.yaml. */
function lines(yaml: string): string[] {
  const out = problemsOf(yaml, "config/t.yaml").format().split("\n");
  expect(out[0]).toMatch(/^config\/t\.yaml: \d+ problem\(s\); nothing was synthesized\.$/);
  return out.slice(1);
}

const y = minimalYaml();
const SECRET_HELP = "write { variable: <name> } (its value from TF_VAR_<name> at apply) or { secretsManager: { secretId: <name or ARN> } }";

describe("the file as a whole", () => {
  it("must be a mapping", () => {
    expect(lines("- a\n- b\n")).toEqual(["config/t.yaml:1:1  the file must be a YAML mapping (name:, aws:, hub:, ...)"]);
    expect(lines("just text\n")).toEqual(["config/t.yaml:1:1  the file must be a YAML mapping (name:, aws:, hub:, ...)"]);
    expect(lines("")).toEqual(["config/t.yaml:1:1  the file is empty (or only comments): start from config/minimal.yaml (help/getting-started.md)"]);
  });

  it("YAML syntax, and a key written twice names the key", () => {
    expect(lines("name: [a\n")).toEqual(["config/t.yaml:2:1  YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]"]);
    expect(lines(y + "name: again\n")).toEqual(['config/t.yaml:37:1  YAML syntax: Map keys must be unique ("name" appears twice here: merge the two blocks or rename one)']);
    expect(lines(y.replace("name: testhub", 'name: testhub\n"aws": {}'))).toEqual(['config/t.yaml:4:1  YAML syntax: Map keys must be unique ("aws" appears twice here: merge the two blocks or rename one)']);
  });

  it("a file that cannot be read", () => {
    let err: unknown;
    try {
      loadDeployment("/nonexistent/dandihub.yaml");
    } catch (e) {
      err = e;
    }
    expect((err as ConfigError).format().split("\n")[1]).toBe("/nonexistent/dandihub.yaml:1:1  cannot read the file (ENOENT)");
  });

  it("problems in file order, by line then column", () => {
    expect(lines(y.replace("limits: { cpu: 64, memory: 256Gi }", "limits: { cpu: [64], memory: 2 }"))).toEqual([
      "config/t.yaml:36:15  groups.team.limits.cpu = [list of 1]: expected a number, found a list",
      'config/t.yaml:36:34  groups.team.limits.memory = 2: expected text, found a whole number; a size needs a binary unit (Mi, Gi or Ti), e.g. "2Gi"',
    ]);
    expect(lines(y.replace("  region: us-east-1", "  region: 5").replace("environment: production", "environment: prod"))).toEqual([
      'config/t.yaml:2:14  environment = "prod": allowed: "production" | "development"',
      'config/t.yaml:4:11  aws.region = 5: expected text, found a whole number; YAML read 5 as a number, quote it ("5")',
    ]);
  });

  it("the error's own message counts problems", () => {
    expect(problemsOf(y.replace("environment: production", "environment: prod")).message).toBe("config/test.yaml: 1 problem");
    const two = problemsOf(y.replace("  region: us-east-1", "  region: 5").replace("environment: production", "environment: prod"));
    expect(two.message).toBe("config/test.yaml: 2 problems");
    expect(two.name).toBe("ConfigError");
    expect(two.format().split("\n")[0]).toBe("config/test.yaml: 2 problem(s); nothing was synthesized.");
  });
});

describe("each kind of problem", () => {
  const cases: [string, string, string[]][] = [
    ["too few entries", y + "userNodes:\n  instanceFamilies: []\n", ["config/t.yaml:38:3  userNodes.instanceFamilies = [list of 0]: must be at least 1 entry"]],
    ["not positive", y.replace("guarantee: 1, limit: 2", "guarantee: 0, limit: 2"), ["config/t.yaml:27:23  profiles.small.cpu.guarantee = 0: must be more than 0"]],
    ["too big", y.replace("limits: { cpu: 64, memory: 256Gi }", "limits: { cpu: 64, memory: 256Gi, onDemandShare: 1.5 }"), ["config/t.yaml:36:54  groups.team.limits.onDemandShare = 1.5: must be at most 1"]],
    ["too many GPUs", y.replace("    images: [base]", "    images: [base]\n    gpu: { type: t4, count: 9 }"), ["config/t.yaml:30:29  profiles.small.gpu.count = 9: must be at most 8"]],
    [
      "a name that is not allowed, where it is defined and where it is used",
      y.replace("  small:", "  Small_1:").replace("profiles: [small]", "profiles: [Small_1]"),
      [
        "config/t.yaml:25:3  profiles.Small_1 = {...}: name not allowed: expected lowercase letters, digits and '-', 2-32 characters, starting with a letter",
        'config/t.yaml:35:16  groups.team.profiles[0] = "Small_1": expected lowercase letters, digits and \'-\', 2-32 characters, starting with a letter',
      ],
    ],
    ["a tag key", y.replace("  region: us-east-1", '  region: us-east-1\n  tags:\n    "bad key!": 3'), ['config/t.yaml:6:5  aws.tags["bad key!"] = 3: name not allowed: expected an AWS tag key']],
    ["misspelt key", y.replace("  region: us-east-1", "  region: us-east-1\n  regoin: x"), ['config/t.yaml:5:3  aws.regoin = "x": unknown key (did you mean "region"?); allowed here: region, accountId, tags']],
    ["unknown key with no near name", y.replace("  region: us-east-1", "  region: us-east-1\n  zzzzzzzz: 1"), ["config/t.yaml:5:3  aws.zzzzzzzz = 1: unknown key; allowed here: region, accountId, tags"]],
    [
      "two unknown keys",
      y.replace("  region: us-east-1", "  region: us-east-1\n  regoin: x\n  acountId: y"),
      ['config/t.yaml:5:3  aws.regoin = "x": unknown key (did you mean "region"?); allowed here: region, accountId, tags', 'config/t.yaml:6:3  aws.acountId = "y": unknown key (did you mean "accountId"?); allowed here: region, accountId, tags'],
    ],
    [
      "unknown top-level key",
      y + "grups: {}\n",
      ['config/t.yaml:37:1  grups = {...}: unknown key (did you mean "groups"?); allowed here: name, environment, aws, backend, network, cluster, userNodes, hub, auth, images, profiles, customImages, imageCache, groups, storage, cost, monitoring, services, policy'],
    ],
    [
      "unknown key in a group (record of objects)",
      y.replace("    profiles: [small]", "    profiles: [small]\n    capcity: spot"),
      ['config/t.yaml:36:5  groups.team.capcity = "spot": unknown key (did you mean "capacity"?); allowed here: displayName, description, members, admins, profiles, capacity, limits, warm, env, labels, mounts, storage, budget, quota, readBuckets, customImages, renamedFrom'],
    ],
    [
      "inside a list item",
      y.replace("limits: { cpu: 64, memory: 256Gi }", "limits: { cpu: 64, memory: 256Gi }\n    mounts: [{name: data, mountPath: /data, pvc: {claimNam: c}}]"),
      ["config/t.yaml:37:45  groups.team.mounts[0].pvc.claimName = (missing): is required (text)", 'config/t.yaml:37:51  groups.team.mounts[0].pvc.claimNam = "c": unknown key (did you mean "claimName"?); allowed here: claimName'],
    ],
    ["wrong type", y.replace("limits: { cpu: 64,", "limits: { cpu: [64],"), ["config/t.yaml:36:15  groups.team.limits.cpu = [list of 1]: expected a number, found a list"]],
    ["text for a number", y.replace("limits: { cpu: 64,", 'limits: { cpu: "64",'), ['config/t.yaml:36:20  groups.team.limits.cpu = "64": expected a number, found text']],
    ["a number YAML read for text", y.replace("tag: '2025-06-02'", "tag: 2025"), ['config/t.yaml:23:10  images.base.tag = 2025: expected text, found a whole number; YAML read 2025 as a number, quote it ("2025")']],
    ["a decimal for text", y.replace("tag: '2025-06-02'", "tag: 1.5"), ['config/t.yaml:23:10  images.base.tag = 1.5: expected text, found a number; YAML read 1.5 as a number, quote it ("1.5")']],
    ["true for text", y.replace("tag: '2025-06-02'", "tag: true"), ["config/t.yaml:23:10  images.base.tag = true: expected text, found a boolean"]],
    ["a mapping for text, at its key", y.replace("tag: '2025-06-02'", "tag: {a: 1}"), ["config/t.yaml:23:5  images.base.tag = {...}: expected text, found a mapping"]],
    ["a number for true/false", y.replace("name: testhub", "name: testhub\nnetwork:\n  singleNatGateway: 3"), ["config/t.yaml:3:21  network.singleNatGateway = 3: expected true or false, found a whole number"]],
    ["empty where a mapping belongs", y.replace("    members:\n      github: [example]\n", "    members:\n"), ["config/t.yaml:33:5  groups.team.members = (empty): expected a mapping (key: value lines), found an empty value"]],
    [
      "empty list item",
      y.replace("endpointPublicAccessCidrs: [203.0.113.0/24]", "endpointPublicAccessCidrs:\n    - 203.0.113.0/24\n    -"),
      ["config/t.yaml:21:6  cluster.endpointPublicAccessCidrs[1] = (empty): expected text, found an empty value"],
    ],
    [
      "a bad list item, at the item",
      y.replace("endpointPublicAccessCidrs: [203.0.113.0/24]", "endpointPublicAccessCidrs:\n    - 203.0.113.0/24\n    - nope"),
      ['config/t.yaml:21:7  cluster.endpointPublicAccessCidrs[1] = "nope": expected an IPv4 CIDR block such as 10.1.0.0/16'],
    ],
    ["missing field, at its parent's key", y.replace("  domain: hub.example.org\n", ""), ["config/t.yaml:5:1  hub.domain = (missing): is required (text)"]],
    ["not one of the choices", y.replace("environment: production", "environment: prod"), ['config/t.yaml:2:14  environment = "prod": allowed: "production" | "development"']],
    ["an empty choice", y.replace("environment: production", "environment:"), ['config/t.yaml:2:1  environment = (empty): allowed: "production" | "development"']],
    [
      "a long value is cut",
      y.replace("environment: production", `environment: ${"x".repeat(100)}`),
      [`config/t.yaml:2:14  environment = "${"x".repeat(66)}...": allowed: "production" | "development"`],
    ],
    ["a short name", y.replace("name: testhub", "name: t"), ["config/t.yaml:1:7  name = \"t\": expected lowercase letters, digits and '-', 2-32 characters, starting with a letter"]],
  ];
  for (const [name, yaml, expected] of cases) it(name, () => expect(lines(yaml)).toEqual(expected));
});

describe("secrets", () => {
  it("a value written where a reference belongs is never echoed", () => {
    const out = lines(y.replace("clientSecret:\n      variable: github_client_secret", "clientSecret: hunter2hunter2"));
    expect(out).toEqual([`config/t.yaml:14:19  auth.github.clientSecret = (not shown: it may be a secret): a secret never appears in the deployment file (found text): ${SECRET_HELP}`]);
    expect(out.join("\n")).not.toContain("hunter2");
  });

  it("a missing reference, a list, or an empty reference", () => {
    expect(lines(y.replace("    clientSecret:\n      variable: github_client_secret\n", ""))).toEqual([`config/t.yaml:12:3  auth.github.clientSecret = (missing): is required: ${SECRET_HELP}`]);
    expect(lines(y.replace("clientSecret:\n      variable: github_client_secret", "clientSecret: [a]"))).toEqual([
      `config/t.yaml:14:5  auth.github.clientSecret = [list of 1]: a secret never appears in the deployment file (found a list): ${SECRET_HELP}`,
    ]);
    expect(lines(y.replace("clientSecret:\n      variable: github_client_secret", "clientSecret: {}"))).toEqual(["config/t.yaml:14:5  auth.github.clientSecret = {...}: needs one of variable, secretsManager"]);
    expect(lines(y.replace("clientSecret:\n      variable: github_client_secret", "clientSecret: {variable: a, secretsManager: {secretId: b}}"))).toEqual([
      "config/t.yaml:14:5  auth.github.clientSecret = {...}: choose one of variable, secretsManager, not variable and secretsManager",
    ]);
  });

  it("a reference resolves to where its value comes from and the field that asked", () => {
    expect(resolveSecret(["auth", "github", "clientSecret"], { variable: "gh" })).toEqual({ field: "auth.github.clientSecret", path: ["auth", "github", "clientSecret"], source: { kind: "variable", name: "gh" } });
    expect(resolveSecret(["auth", "archives", 0, "token"], { secretsManager: { secretId: "arn:x", key: "token" } })).toEqual({
      field: "auth.archives[0].token",
      path: ["auth", "archives", 0, "token"],
      source: { kind: "secretsManager", secretId: "arn:x", key: "token" },
    });
    expect(resolveSecret(["x"], { secretsManager: { secretId: "s" } }).source).toEqual({ kind: "secretsManager", secretId: "s", key: undefined });
  });
});

describe("paths and values as printed", () => {
  it("paths: dots for names, brackets for indexes and odd keys", () => {
    expect(formatPath(["profiles", "base", "cpu"])).toBe("profiles.base.cpu");
    expect(formatPath(["cluster", "admins", 2])).toBe("cluster.admins[2]");
    expect(formatPath(["aws", "tags", "dandihub:x"])).toBe('aws.tags["dandihub:x"]');
    expect(formatPath(["a-b", "_c", "$d"])).toBe("a-b._c.$d");
    expect(formatPath([0, "x"])).toBe("[0].x");
    expect(formatPath(["1x"])).toBe('["1x"]');
    expect(formatPath(["x y"])).toBe('["x y"]');
    expect(formatPath([])).toBe("(top level)");
  });

  it("values: short, typed, and never a whole structure", () => {
    expect(formatValue(undefined)).toBe("(missing)");
    expect(formatValue(null)).toBe("(empty)");
    expect(formatValue([1, 2, 3])).toBe("[list of 3]");
    expect(formatValue({ a: 1 })).toBe("{...}");
    expect(formatValue(3)).toBe("3");
    expect(formatValue(false)).toBe("false");
    expect(formatValue("a")).toBe('"a"');
    const fits = "x".repeat(68); // 70 characters with its quotes
    expect(formatValue(fits)).toBe(`"${fits}"`);
    expect(formatValue(fits + "y")).toBe(`"${"x".repeat(66)}..."`);
  });
});

describe("shared rules", () => {
  it("exactly one of a set of keys", () => {
    expect(exactlyOne(["a"], undefined, ["x", "y"])).toEqual([]);
    expect(exactlyOne(["a"], { x: 1 }, ["x", "y"])).toEqual([]);
    expect(exactlyOne(["a"], { x: 1, y: 0 }, ["x", "y"])).toEqual([{ path: ["a"], message: "choose one of x, y, not x and y" }]);
    expect(exactlyOne(["a"], { z: 1 }, ["x", "y"])).toEqual([{ path: ["a"], message: "needs one of x, y" }]);
  });

  it("CIDR lists", () => {
    expect(cidrListProblems(["n"], ["10.0.0.0/16", "10.0.0.1/16", "nope"])).toEqual([
      { path: ["n", 1], message: expect.stringMatching(/^invalid CIDR: /) },
      { path: ["n", 2], message: expect.stringMatching(/^invalid CIDR: /) },
    ]);
    expect(cidrListProblems(["n"], [])).toEqual([]);
  });

  it("unknown instance types suggest a near name from the family, or any family", () => {
    expect(unknownInstanceType(["p"], "m6i.larg")).toEqual({ path: ["p"], message: expect.stringMatching(/^unknown instance type \(did you mean m6i\.large\?\); known: m6i\.large, m6i\.xlarge, /) });
    const other = unknownInstanceType(["p"], "m6j.large").message;
    expect(other).toMatch(/\(did you mean m6i\.large\?\)|\(did you mean m6a\.large\?\)/);
    expect(other).toContain("m6i.*");
  });
});

describe("renames", () => {
  const groups = (extra: string) =>
    minimalYaml({
      groups: `groups:\n  team:\n    displayName: Team\n    members:\n      github: [example]\n    profiles: [small]\n    limits: { cpu: 64, memory: 256Gi }\n${extra}`,
    });
  const lab = (renamedFrom: string) => `  lab:\n    renamedFrom: ${renamedFrom}\n    displayName: Lab\n    members:\n      github: [example]\n    profiles: [small]\n    limits: { cpu: 64, memory: 256Gi }\n`;

  it("renamedFrom names one past group: not itself, a current group, common, or another's past", () => {
    expect(lines(groups(lab("lab")))).toEqual(["config/t.yaml:38:18  groups.lab.renamedFrom = \"lab\": is this group's own key; renamedFrom lists the keys it had before"]);
    expect(lines(groups(lab("team")))).toEqual(["config/t.yaml:38:18  groups.lab.renamedFrom = \"team\": team is a current group: two groups cannot share the resources made under one key"]);
    expect(lines(groups(lab("common")))).toEqual(['config/t.yaml:38:18  groups.lab.renamedFrom = "common": "common" is the hub-wide volume, never a group']);
    expect(lines(groups(lab("[old, old]")))).toEqual(['config/t.yaml:38:24  groups.lab.renamedFrom[1] = "old": old is listed twice']);
    const twice = groups(lab("old") + lab("old").replace("  lab:", "  lab2:"));
    expect(lines(twice)).toEqual(['config/t.yaml:45:18  groups.lab2.renamedFrom = "old": groups.lab was also renamed from old: the resources made under one key belong to one group']);
  });

  it("a reference to a renamed group's old key says what it is called now", () => {
    const yaml = groups(lab("oldlab")) + "cost:\n  usage:\n    oldlab:\n      small: { users: 2, hoursPerMonth: 10 }\n";
    expect(lines(yaml)).toEqual(["config/t.yaml:47:5  cost.usage.oldlab = {...}: no such group: oldlab was renamed to lab (groups.lab.renamedFrom); use the new key"]);
  });
});

describe("large files", () => {
  it("20,000 keys in one mapping load in under three seconds (quadratic, as before, took 7); a duplicate among them is still found", () => {
    const many = Array.from({ length: 20000 }, (_, i) => `  k${i}: v`).join("\n");
    let t = Date.now();
    expect(lines(`${y}extraStuff:\n${many}\n`)[0]).toMatch(/extraStuff = \{\.\.\.\}: unknown key/);
    expect(Date.now() - t).toBeLessThan(3000);
    t = Date.now();
    expect(lines(`${y}extraStuff:\n${many}\n  k17: again\n`)).toContain(`config/t.yaml:${y.split("\n").length + 20001}:3  YAML syntax: Map keys must be unique ("k17" appears twice here: merge the two blocks or rename one)`);
    expect(Date.now() - t).toBeLessThan(3000);
  });

  it("a file over 1 MiB is refused at once, before it is parsed", () => {
    const t = Date.now();
    expect(lines(`${y}x: "${"a".repeat(5 * 2 ** 20)}"\n`)).toEqual(["config/t.yaml:1:1  the file is 5.0 MiB; a deployment file may be at most 1 MiB (its contents must fit the hub's 1 MiB settings Secret)"]);
    expect(Date.now() - t).toBeLessThan(500);
  });
});

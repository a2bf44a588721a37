/** Per-group billing in the synthesized JSON, and the offline estimator's arithmetic on hand-checked cases. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { instanceType } from "../src/core/catalog/instance-types";
import { loadDeployment } from "../src/config/load";
import { BLUEPRINT_FLOOR, BLUEPRINT_VARIABLES } from "../src/features/cost/blueprint";
import { runCost } from "../src/features/cost/cli";
import { estimate, expectedNodes, floorInputs, idleFloor, serverRate } from "../src/features/cost/estimate";
import { parseSpotPriceHistory } from "../src/features/cost/spot";
import { FAMILY_XLARGE, instancePrice, INSTANCE_PRICES, PRICE_SOURCES, PRICES } from "../src/features/cost/prices";
import { describeShared, hubSettings, minimalYaml, problemsOf, readShared, releaseValues, ROOT, synth, VARIANTS, type TfJson } from "./helpers";
import { askHub } from "./hub-python";

type Rec = Record<string, any>;
const dandi = () => synth("config/dandi.yaml");
const resources = (tf: TfJson, type: string) => (tf.resource[type] ?? {}) as Record<string, Rec>;

describe("per-group billing in the synthesized stack", () => {
  it("every group's node classes, volumes and buckets carry its tag", () => {
    const { tf, config } = dandi();
    const manifests = (releaseValues(tf, "karpenter_pools_release") as { manifests: Rec[] }).manifests;
    for (const g of config.groups) {
      const classes = manifests.filter((m) => m.kind === "EC2NodeClass" && m.metadata.name.startsWith(`${g.key}-`));
      expect(classes.length).toBeGreaterThan(0);
      for (const c of classes) expect(c.spec.tags["dandihub:group"]).toBe(g.key);
      expect(resources(tf, "aws_ebs_volume")[`storage_${g.key}_volume`].tags["dandihub:group"]).toBe(g.key);
      expect(resources(tf, "aws_s3_bucket")[`storage_${g.key}-bucket_bucket`].tags["dandihub:group"]).toBe(g.key);
    }
  });

  it("activates cost allocation tags only when asked: a first apply in a member account has none", () => {
    // AWS refuses activation in an Organizations member account (AccessDenied) and for keys
    // not yet seen in billing data, so a default first apply must not contain it.
    for (const name of Object.keys(VARIANTS)) expect(VARIANTS[name]().tf.resource.aws_ce_cost_allocation_tag, name).toBeUndefined();
    const on = synth(minimalYaml() + "cost:\n  activateTags: true\n", { name: "tags" });
    const tags = Object.values(resources(on.tf, "aws_ce_cost_allocation_tag")).map((t) => [t.tag_key, t.status]);
    expect(tags.sort()).toEqual([["dandihub:deployment", "Active"], ["dandihub:group", "Active"]]);
  });

  it("one budget per group that sets one, over its tag, with actual and forecast alerts", () => {
    const budgets = resources(dandi().tf, "aws_budgets_budget");
    expect(Object.keys(budgets).sort()).toEqual(["billing_budget-dandi", "billing_budget-linc"]);
    const b = budgets["billing_budget-dandi"];
    expect(b).toMatchObject({ name: "dandi-dandi", budget_type: "COST", limit_amount: "3000.00", limit_unit: "USD", time_unit: "MONTHLY" });
    expect(b.cost_filter).toEqual([{ name: "TagKeyValue", values: ["user:dandihub:group$dandi"] }]);
    expect(b.notification.map((n: Rec) => [n.notification_type, n.threshold, n.subscriber_email_addresses])).toEqual([
      ["ACTUAL", 80, ["help@dandiarchive.org"]],
      ["ACTUAL", 90, ["help@dandiarchive.org"]],
      ["ACTUAL", 100, ["help@dandiarchive.org"]],
      ["FORECASTED", 100, ["help@dandiarchive.org"]],
    ]);
  });

  it("a group's NodePool limits add up to its configured hard cap", () => {
    const { tf, config } = VARIANTS["dev-dummy-cloud"]();
    const pools = (releaseValues(tf, "karpenter_pools_release") as { manifests: Rec[] }).manifests.filter((m) => m.kind === "NodePool" && m.metadata.name.startsWith("dev-"));
    const cpuPools = pools.filter((p) => p.metadata.name.startsWith("dev-cpu-"));
    expect(cpuPools.reduce((s, p) => s + Number(p.spec.limits.cpu), 0)).toBe(32);
    const gpuPools = pools.filter((p) => p.metadata.name.startsWith("dev-gpu-"));
    expect(gpuPools.reduce((s, p) => s + Number(p.spec.limits["nvidia.com/gpu"]), 0)).toBe(2);
    expect(config.groups[0].budget).toBeUndefined();
  });

  it("a budget needs an e-mail to alert", () => {
    const yaml = minimalYaml().replace("limits: { cpu: 64, memory: 256Gi }", "limits: { cpu: 64, memory: 256Gi }\n    budget: { monthlyUsd: 100, alertEmails: [] }");
    expect(problemsOf(yaml).format()).toContain("groups.team.budget.alertEmails = [list of 0]: must be at least 1 entry");
  });
});

// A deployment small enough to price by hand: one group, a pinned m6i.xlarge profile, a GPU one.
const HAND = minimalYaml({
  name: "name: hand",
  hub: "hub:\n  domain: hub.example.org\n  tls:\n    letsEncrypt:\n      email: a@example.org\n  db:\n    size: 10Gi",
  images: "images:\n  base:\n    name: quay.io/jupyter/base-notebook\n    tag: '2025-06-02'",
  profiles:
    "profiles:\n  half:\n    displayName: Half a node\n    cpu: { guarantee: 1.5, limit: 2 }\n    memory: { guarantee: 6Gi, limit: 7Gi }\n    images: [base]\n    instanceTypes: [m6i.xlarge]\n  t4:\n    displayName: T4\n    cpu: { guarantee: 2, limit: 4 }\n    memory: { guarantee: 8Gi, limit: 12Gi }\n    gpu: { type: t4 }\n    images: [base]\n    instanceTypes: [g4dn.xlarge]",
  groups: "groups:\n  team:\n    displayName: Team\n    members:\n      github: [example]\n    profiles: [half, t4]\n    limits: { cpu: 64, memory: 256Gi, gpus: 4 }\n    storage: { volumeSize: 500Gi }",
  storage: "storage:\n  common:\n    size: 100Gi",
});
const DISK_HOUR = (100 * 0.08) / 730; // the user nodes' 100 GiB gp3 root disk, per hour

describe("the estimate, checked by hand", () => {
  const config = () => loadDeployment("config/hand.yaml", HAND);
  const profile = (key: string) => config().profiles.find((p) => p.key === key)!;

  it("a profile that fills half a node: two servers share one m6i.xlarge", () => {
    const one = serverRate(profile("half"), "on-demand", 100, 0.6, 1)!;
    const two = serverRate(profile("half"), "on-demand", 100, 0.6, 2)!;
    const three = serverRate(profile("half"), "on-demand", 100, 0.6, 3)!;
    expect(one).toMatchObject({ type: "m6i.xlarge", nodes: 1 });
    expect(one.usdPerServerHour).toBeCloseTo(0.192 + DISK_HOUR, 9);
    expect(two.nodes).toBe(1);
    expect(two.usdPerServerHour).toBeCloseTo((0.192 + DISK_HOUR) / 2, 9);
    expect(three.nodes).toBe(2);
    expect(three.usdPerServerHour).toBeCloseTo((2 * (0.192 + DISK_HOUR)) / 3, 9);
  });

  it("spot discounts the instance, not its disk", () => {
    const spot = serverRate(profile("half"), "spot", 100, 0.6, 1)!;
    expect(spot.usdPerServerHour).toBeCloseTo(0.192 * 0.4 + DISK_HOUR, 9);
    expect(serverRate(profile("half"), "spot", 100, 0, 1)!.usdPerServerHour).toBeCloseTo(0.192 + DISK_HOUR, 9);
  });

  it("a GPU server takes a whole g4dn.xlarge: no sharing however many run", () => {
    const three = serverRate(profile("t4"), "on-demand", 100, 0.6, 3)!;
    expect(three).toMatchObject({ type: "g4dn.xlarge", nodes: 3 });
    expect(three.usdPerServerHour).toBeCloseTo(0.526 + DISK_HOUR, 9);
  });

  it("zero users: the idle floor, item by item", () => {
    const e = estimate(config(), { usage: {}, asOf: new Date("2026-12-02") });
    const by = Object.fromEntries(e.idle.items.map((i) => [i.item, i.monthlyUsd]));
    expect(by["EKS control plane"]).toBe(73);
    expect(by["NAT instance (with its public IPv4 and root disk)"]).toBeCloseTo((0.0042 + 0.005) * 730 + 8 * 0.08, 2); // t4g.nano, 8 GiB
    const gateway = estimate(loadDeployment("config/hand.yaml", HAND.replace("cluster:\n", "network: { nat: gateway }\ncluster:\n")), { usage: {}, asOf: new Date("2026-12-02") });
    expect(gateway.idle.items.find((i) => i.item === "NAT gateway (with its public IPv4)")?.monthlyUsd).toBe(36.5); // (0.045 + 0.005) x 730
    expect(by["Network Load Balancer (public IPv4 per zone)"]).toBeCloseTo(23.73, 2); // (0.0225 + 2 x 0.005) x 730
    expect(by["core nodes (with root disks)"]).toBeCloseTo(2 * (0.0672 * 730 + 50 * 0.08), 2); // 2 x t4g.large
    // Graviton core nodes (the default): the NFS server images are amd64 only, so a node of their own.
    expect(by["NFS storage node (2 servers)"]).toBeCloseTo(0.0864 * 730 + 100 * 0.08, 2); // m6a.large
    expect(by["group home volumes (1)"]).toBe(1.6); // starts at 20 GiB (grows to 500) x 0.08
    expect(by["hub-wide shared volume"]).toBe(1.6);
    expect(by["hub database volume"]).toBe(0.8);
    expect(by["Prometheus volume"]).toBe(1.2); // 15 GiB (400 days of the allow-listed series) x 0.08
    expect(by["KMS keys (the cluster's secrets, user data)"]).toBe(2); // storage.kmsKey: customer, the default
    expect(e.idle.monthlyUsd).toBeCloseTo(73 + 2 + 7.36 + 23.73 + 106.11 + 71.07 + 1.6 + 1.6 + 0.8 + 1.2, 2);
    const amd64 = estimate(loadDeployment("config/hand.yaml", HAND.replace("cluster:\n", "cluster:\n  coreNodes: { instanceTypes: [t3a.large] }\n")), { usage: {}, asOf: new Date("2026-12-02") });
    expect(amd64.idle.items.find((i) => i.item.startsWith("NFS storage node"))).toBeUndefined(); // on the amd64 core node
    expect(e.monthlyUsd).toBe(e.idle.monthlyUsd);
    expect(e.groups[0]).toMatchObject({ group: "team", storageMonthlyUsd: 1.6, usage: [], monthlyUsd: 1.6 });
  });

  it("group usage: users x hours at the packed rate; a budget becomes server-hours", () => {
    const withBudget = HAND.replace("storage: { volumeSize: 500Gi }", "storage: { volumeSize: 500Gi }\n    capacity: on-demand\n    budget: { monthlyUsd: 240, alertEmails: [a@example.org] }");
    const c = loadDeployment("config/hand.yaml", withBudget);
    const e = estimate(c, { usage: { team: { half: { users: 10, hoursPerMonth: 20, concurrent: 2 } } } });
    const line = e.groups[0].usage[0];
    expect(line).toMatchObject({ profile: "half", capacity: "on-demand", concurrent: 2, nodeType: "m6i.xlarge" });
    expect(line.monthlyUsd).toBeCloseTo(10 * 20 * ((0.192 + DISK_HOUR) / 2), 2);
    expect(e.monthlyUsd).toBeCloseTo(e.idle.monthlyUsd + line.monthlyUsd, 2);
    // (240 - 1.6 storage) / (10 at once: 5 nodes for 10 servers = half a node each)
    expect(e.groups[0].budget!.serverHoursWithin.half).toBe(Math.floor(238.4 / ((0.192 + DISK_HOUR) / 2)));
  });
});

describe("the price table", () => {
  it("every figure has a known source and a date", () => {
    const all = [...Object.values(PRICES), ...Object.values(FAMILY_XLARGE), ...Object.values(INSTANCE_PRICES)];
    for (const p of all) {
      expect(Object.keys(PRICE_SOURCES)).toContain(p.source);
      expect(p.asOf).toMatch(/^20\d\d/);
      expect(p.usd).toBeGreaterThan(0);
    }
  });

  it("prices the default deployment: every profile has a priced instance, so does the core", () => {
    const config = dandi().config;
    for (const p of config.profiles) expect(p.instances.some((s) => instancePrice(s.name, s.vcpu))).toBe(true);
    const core = instanceType(config.cluster.coreNodes.instanceTypes[0])!;
    expect(instancePrice(core.name, core.vcpu)).toBeDefined();
  });
});

describeShared("prices against the shared price snapshot", () => {
  type Snapshot = { ec2_on_demand_linux: Record<string, { usd_per_hour: number }>; eks: Rec; network: Rec; storage: Rec };
  const snap = () => readShared<Snapshot>("pricing/aws-us-east-1.json");

  it("every instance price the table gives (listed or scaled from xlarge) matches the snapshot", () => {
    let compared = 0;
    for (const [type, { usd_per_hour }] of Object.entries(snap().ec2_on_demand_linux)) {
      const shape = instanceType(type);
      const ours = shape && instancePrice(type, shape.vcpu);
      if (!ours) continue;
      // Scaled prices may differ from the list in the last (rounded) digit.
      expect(Math.abs(ours.usd - usd_per_hour) / usd_per_hour, type).toBeLessThan(0.002);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });

  it("the service prices match it too", () => {
    const s = snap();
    expect(PRICES.eksControlPlanePerHour.usd).toBe(s.eks.control_plane_standard_support_usd_per_hour.value);
    expect(PRICES.natGatewayPerHour.usd).toBe(s.network.nat_gateway_usd_per_hour.value);
    expect(PRICES.publicIpv4PerHour.usd).toBe(s.network.public_ipv4_usd_per_hour.value);
    expect(PRICES.nlbPerHour.usd).toBe(s.network.nlb_usd_per_hour.value);
    expect(PRICES.gp3PerGbMonth.usd).toBe(s.storage.ebs_gp3_usd_per_gb_month.value);
    expect(PRICES.efsStandardPerGbMonth.usd).toBe(s.storage.efs_standard_usd_per_gb_month.value);
  });

  it("the blueprint comparison rests on the blueprint's own variable defaults", () => {
    const vars = readShared<{ variables: { name: string; default: unknown }[] }>("upstream/blueprint/ai-on-eks-base-variables@90f920c6.json").variables;
    for (const [name, value] of Object.entries(BLUEPRINT_VARIABLES)) expect(vars.find((v) => v.name === name)?.default, name).toEqual(value);
    expect(BLUEPRINT_FLOOR.nat).toEqual({ gateways: BLUEPRINT_VARIABLES.single_nat_gateway ? 1 : BLUEPRINT_VARIABLES.availability_zones_count });
  });
});

describe("npm run cost", () => {
  const run = (args: string[]) => {
    let out = "";
    let err = "";
    const code = runCost(args, (s) => (out += s), (s) => (err += s));
    return { code, out, err };
  };

  it("prints the floor, the profile rates and the groups; --json gives the same numbers", () => {
    const text = run(["config/dandi.yaml"]);
    expect(text.code).toBe(0);
    const e = estimate(dandi().config);
    expect(text.out).toContain(`$${e.idle.monthlyUsd.toLocaleString("en-US", { minimumFractionDigits: 2 })}`);
    for (const p of ["tiny", "base", "gpu-t4"]) expect(text.out).toMatch(new RegExp(`^${p} +spot`, "m"));
    const json = JSON.parse(run(["config/dandi.yaml", "--json"]).out);
    expect(json.idle.monthlyUsd).toBe(e.idle.monthlyUsd);
    expect(json.groups.map((g: Rec) => g.group)).toEqual(["dandi", "linc", "bican", "ember", "workshop"]);
  });

  it("--usage replaces a group's usage; --spot-discount changes spot rates", () => {
    const json = JSON.parse(run(["config/dandi.yaml", "--json", "--usage", "bican:base=5x10", "--spot-discount", "0"]).out);
    const bican = json.groups.find((g: Rec) => g.group === "bican");
    expect(bican.usage).toMatchObject([{ profile: "base", users: 5, hoursPerMonth: 10 }]);
    const spot = json.profiles.find((r: Rec) => r.profile === "base" && r.capacity === "spot");
    const onDemand = json.profiles.find((r: Rec) => r.profile === "base" && r.capacity === "on-demand");
    expect(spot.alone.usdPerServerHour).toBeCloseTo(onDemand.alone.usdPerServerHour, 9);
  });

  it("bad arguments and bad files: a message, an exit code, no stack trace", () => {
    expect(run(["config/dandi.yaml", "--usage", "dandi:base=lots"])).toMatchObject({ code: 2, err: expect.stringContaining("expected group:profile=USERSxHOURS") });
    expect(run(["config/dandi.yaml", "--usage", "nobody:base=1x1"]).err).toContain("no group nobody");
    expect(run(["config/dandi.yaml", "--spot-discount", "2"]).code).toBe(2);
    expect(run([]).err).toContain("usage: npm run cost");
    const missing = run(["config/nope.yaml"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("config/nope.yaml");
  });

  it("runs as an npm script", () => {
    const r = spawnSync("npm", ["run", "-s", "cost", "--", "config/minimal.yaml", "--json"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).deployment).toBe("minimal");
  });
});

describe("help/cost.md", () => {
  it("shows the default deployment's idle floor next to the blueprint's, priced by the same table", () => {
    const doc = readFileSync(join(ROOT, "help/cost.md"), "utf8");
    const money = (x: number) => `$${x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    // The figures as of the day help/cost.md was written (extended support moves them later).
    expect(doc).toContain(money(idleFloor(floorInputs(dandi().config, new Date("2026-12-02"))).monthlyUsd));
    expect(doc).toContain(money(idleFloor(BLUEPRINT_FLOOR).monthlyUsd));
  });
});

describe("server hours priced from concurrency over time", () => {
  it("expected nodes of a Poisson count: one server per node is the mean; a huge node is the chance anyone is on", () => {
    for (const m of [0.3, 1, 4.5]) {
      expect(expectedNodes(m, 1)).toBeCloseTo(m, 9);
      expect(expectedNodes(m, 1000)).toBeCloseTo(1 - Math.exp(-m), 9);
    }
    // Two per node, mean 1: P(N>0) + P(N>2) + ... = 0.6321 + 0.0803 + 0.0037 + ...
    expect(expectedNodes(1, 2)).toBeCloseTo(0.7161, 3);
  });

  it("the monthly cost grows smoothly with users: no step when the average passes a whole server", () => {
    const c = dandi().config;
    const cost = (users: number) => estimate(c, { usage: { dandi: { base: { users, hoursPerMonth: 40 } } } }).groups[0].usage[0].monthlyUsd;
    const costs = Array.from({ length: 40 }, (_, i) => cost(i + 1));
    for (let i = 1; i < costs.length; i++) {
      expect(costs[i], `${i + 1} users`).toBeGreaterThan(costs[i - 1]);
      expect(costs[i] / costs[i - 1], `${i} -> ${i + 1} users`).toBeLessThan(1 + 1.5 / i);
    }
    // 18 and 19 users at 40 h: about 1/18 more, not the doubling of a rounded-up node.
    expect(cost(19) / cost(18)).toBeLessThan(1.07);
    expect(cost(30)).toBeGreaterThan(cost(25));
  });

  it("a workshop's everyone-at-once is priced as that many at once", () => {
    const e = estimate(dandi().config, { usage: { workshop: { base: { users: 40, hoursPerMonth: 6, concurrent: 40 } } } });
    const line = e.groups.find((g) => g.group === "workshop")!.usage[0];
    const at40 = serverRate(dandi().config.profiles.find((p) => p.key === "base")!, "on-demand", dandi().config.userNodes.diskGiB, 0.6, 40)!;
    expect(line.monthlyUsd).toBeCloseTo(40 * 6 * at40.usdPerServerHour, 1);
  });
});

describe("--usage", () => {
  const run = (...args: string[]) => {
    let out = "";
    expect(runCost(["config/dandi.yaml", "--json", ...args], (s) => (out += s), () => undefined)).toBe(0);
    return JSON.parse(out) as { groups: { group: string; usage: { profile: string; users: number; concurrent: number }[] }[] };
  };

  it("replaces the profiles it names and keeps the group's others, and their concurrent", () => {
    const e = run("--usage", "dandi:base=50x40", "--usage", "workshop:base=60x6");
    const dandiLines = e.groups.find((g) => g.group === "dandi")!.usage;
    expect(dandiLines.map((l) => [l.profile, l.users])).toEqual([["base", 50], ["medium", 10], ["gpu-t4", 2]]);
    expect(e.groups.find((g) => g.group === "workshop")!.usage[0]).toMatchObject({ users: 60, concurrent: 40 });
    expect(run("--usage", "workshop:base=60x6@60").groups.find((g) => g.group === "workshop")!.usage[0]).toMatchObject({ concurrent: 60 });
  });
});

describe("EKS support", () => {
  const at = (version: string, date: string) => estimate(loadDeployment("config/hand.yaml", HAND.replace("cluster:\n", `cluster:\n  kubernetesVersion: "${version}"\n`)), { usage: {}, asOf: new Date(date) });
  const plane = (e: ReturnType<typeof estimate>) => e.idle.items.find((i) => i.item.startsWith("EKS control plane"))!;

  it("a version past standard support costs extended support, and says so; one close to it warns", () => {
    expect(plane(at("1.35", "2026-12-02"))).toMatchObject({ item: "EKS control plane", monthlyUsd: 73 });
    const late = at("1.34", "2026-12-03");
    expect(plane(late)).toMatchObject({ item: "EKS control plane, extended support (1.34 left standard support after 2026-12-02)", monthlyUsd: 438 });
    expect(late.notes.join("\n")).toContain("Kubernetes 1.34 is in extended support since 2026-12-02: the control plane costs $438.00 a month instead of $73.00");
    expect(at("1.35", "2027-02-01").notes.join("\n")).toContain("Kubernetes 1.35 leaves standard support after 2027-03-27");
    expect(at("1.35", "2026-10-01").notes.join("\n")).not.toContain("standard support");
  });

  it("usage-priced items are named with their unit prices", () => {
    const notes = at("1.35", "2026-12-02").notes.join("\n");
    for (const s of ["data out to the internet (the NAT instance adds no processing charge)", "CloudWatch Logs ($0.5/GB ingested, $0.03/GB-month kept", "backups ($0.05/GB-month of changed blocks kept)"]) expect(notes).toContain(s);
  });
});

describe("--svg", () => {
  it("the chart's numbers are the table's: each group's idle, usage and budget; each profile's cost against users", () => {
    const file = join(mkdtempSync(join(tmpdir(), "dandihub-svg-")), "cost.svg");
    let out = "";
    let err = "";
    expect(runCost(["config/dandi.yaml", "--svg", file], (s) => (out += s), (s) => (err += s))).toBe(0);
    expect(err).toContain(`wrote ${file}`);
    const svg = readFileSync(file, "utf8");
    expect(svg.startsWith("<svg ")).toBe(true);
    const e = estimate(dandi().config);
    const groups = [...svg.matchAll(/<g class="group" data-group="([^"]+)" data-idle="([^"]*)" data-usage="([^"]*)" data-budget="([^"]*)">/g)];
    expect(groups.map((m) => m[1])).toEqual(e.groups.map((g) => g.group));
    for (const [, name, idle, usage, budget] of groups) {
      const g = e.groups.find((x) => x.group === name)!;
      expect(Number(idle)).toBe(g.storageMonthlyUsd);
      expect(Number(usage)).toBeCloseTo(g.monthlyUsd - g.storageMonthlyUsd, 2);
      expect(budget).toBe(g.budget ? String(g.budget.monthlyUsd) : "");
      // The table prints the same group's figures.
      expect(out).toMatch(new RegExp(`${name}\\s+\\$${g.storageMonthlyUsd.toFixed(2)}\\s+\\$${g.monthlyUsd.toLocaleString("en-US", { minimumFractionDigits: 2 }).replace(/\./g, "\\.")}`));
    }
    const curves = [...svg.matchAll(/<g class="curve" data-group="([^"]+)" data-profile="([^"]+)" data-costs="([^"]+)">/g)];
    expect(curves.map((m) => `${m[1]}:${m[2]}`)).toEqual(e.groups.flatMap((g) => g.usage.map((l) => `${g.group}:${l.profile}`)));
    for (const [, group, profile, costs] of curves) {
      const points = costs.split(" ").map(Number);
      expect(points).toHaveLength(50);
      // At the usage line's own number of users the curve is the table's figure.
      const line = e.groups.find((g) => g.group === group)!.usage.find((l) => l.profile === profile)!;
      if (line.users <= 50) expect(points[line.users - 1]).toBeCloseTo(line.monthlyUsd, 1);
      for (let i = 1; i < points.length; i++) expect(points[i]).toBeGreaterThanOrEqual(points[i - 1]);
    }
  });

  it("at its limits: the group's pools full all month, at their cheapest rate", () => {
    const e = estimate(dandi().config);
    const linc = e.groups.find((g) => g.group === "linc")!;
    // linc: 128 vCPU of spot c6i..r7i; the cheapest vCPU is c6i's (0.17 / 4), 60% off on spot.
    expect(linc.atLimitsMonthlyUsd).toBeCloseTo(linc.storageMonthlyUsd + 128 * (0.17 / 4) * 0.4 * 730, 0);
    expect(linc.atLimitsMonthlyUsd).toBeGreaterThan(linc.monthlyUsd);
  });
});

describe("spot priced from AWS's spot price history (--spot-prices)", () => {
  const FILE = join(ROOT, "__tests__/fixtures/spot-price-history.json");
  const prices = () => parseSpotPriceHistory(JSON.parse(readFileSync(FILE, "utf8")), "spot.json", 0.6);

  it("a type's price is the mean over its zones of each zone's mean; other products are left out", () => {
    const p = prices();
    // us-east-2a: (1.0 + 1.2) / 2 = 1.1; us-east-2b: 0.9; the Windows line does not count.
    expect(p.byType["m6i.16xlarge"]).toBeCloseTo((1.1 + 0.9) / 2, 9);
    expect(p.byType["t3a.large"]).toBe(0.03);
    expect(p.source).toBe("spot.json (2 types, zones us-east-2a, us-east-2b, 2026-11-25 to 2026-12-01)");
    expect(() => parseSpotPriceHistory({ Reservations: [] }, "x.json", 0.6)).toThrow("x.json: not a describe-spot-price-history response");
    expect(() => parseSpotPriceHistory({ SpotPriceHistory: [{ InstanceType: "m6i.large", AvailabilityZone: "a", SpotPrice: "free" }] }, "x.json", 0.6)).toThrow("SpotPriceHistory[0] needs");
  });

  it("the estimate uses an observed price where there is one, the discount elsewhere, and says which", () => {
    const c = dandi().config;
    const observed = estimate(c, { usage: {}, spotPrices: prices(), asOf: new Date("2026-12-02") });
    const assumed = estimate(c, { usage: {}, asOf: new Date("2026-12-02") });
    const busy = (e: typeof observed, profile: string) => e.profiles.find((r) => r.profile === profile && r.capacity === "spot")!.busy;
    // Ten base servers fit one m6i.16xlarge: $0.10/h observed against 0.4 x $3.072 assumed.
    expect(busy(observed, "base").type).toBe("m6i.16xlarge");
    expect(busy(observed, "base").usdPerServerHour).toBeCloseTo((1.0 + (100 * 0.08) / 730) / 10, 9);
    expect(busy(assumed, "base").usdPerServerHour).toBeCloseTo((3.072 * 0.4 + (100 * 0.08) / 730) / 10, 9);
    // The spot share of the core nodes at its observed $0.03/h.
    expect(observed.idle.items.find((i) => i.item.startsWith("core nodes, spot"))!.monthlyUsd).toBeCloseTo(0.03 * 730 + 50 * 0.08, 2);
    expect(observed.notes.join("\n")).toContain("Spot priced from spot.json (2 types");
    expect(observed.notes.join("\n")).toMatch(/The default profile \(base\) on spot: \d+% of on-demand per server-hour, from observed spot prices/);
    expect(assumed.notes.join("\n")).toMatch(/The default profile \(base\) on spot: 40% of on-demand per server-hour, from the assumed discount/);
  });

  it("the CLI reads the file, and says what is wrong with a bad one", () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(runCost(["config/dandi.yaml", "--spot-prices", FILE], (s) => out.push(s), (s) => err.push(s))).toBe(0);
    expect(out.join("")).toContain("Spot priced from");
    expect(runCost(["config/dandi.yaml", "--spot-prices", "/nonexistent.json"], () => {}, (s) => err.push(s))).toBe(2);
    expect(err.join("")).toContain("--spot-prices /nonexistent.json: ENOENT");
    expect(runCost(["config/dandi.yaml", "--spot-prices"], () => {}, (s) => err.push(s))).toBe(2);
  });
});

describe("time to a notebook, modelled", () => {
  it("cold: a node's launch, then every image a new node of its kind pulls, at the speed of where it comes from", () => {
    const c = dandi().config;
    const e = estimate(c, { usage: {} });
    const base = e.startTimes.find((t) => t.profile === "base")!;
    const gpu = e.startTimes.find((t) => t.profile === "gpu-t4")!;
    const cpuImages = c.images.filter((i) => i.prePull && !i.gpu).length;
    // Sizes unknown: 5 GB each, pulled from the image cache at 125 MB/s.
    expect(base.coldPullGB).toBe(5 * cpuImages);
    expect(base.coldSeconds).toBe(Math.round(60 + (5 * cpuImages * 1000) / 125 + 15));
    expect(gpu.coldPullGB).toBe(5 * (cpuImages + 1));
    expect(base.warmSeconds).toBe(15);
    // Without the cache the images come through the t4g.nano NAT instance: an hour, not minutes.
    const direct = loadDeployment("config/dandi.yaml", readFileSync(join(ROOT, "config/dandi.yaml"), "utf8").replace("imageCache:\n  dockerHubSecret: ecr-pullthroughcache/docker-hub\n", "imageCache:\n  enabled: false\n"));
    expect(estimate(direct, { usage: {} }).startTimes.find((t) => t.profile === "base")!.coldSeconds).toBe(Math.round(60 + (5 * cpuImages * 1000) / 4 + 15));
    expect(e.notes.join("\n")).toMatch(/hub\.startTimeout \(900 s\) is 3\.\dx the slowest modelled cold start \(gpu-t4, \d+ s\)\./);
    expect(estimate(direct, { usage: {} }).notes.join("\n")).toMatch(/hub\.startTimeout \(900 s\) is less than 1\.5x the slowest modelled cold start/);
  });
});

describe("budgets enforced at spawn", () => {
  const settingsOf = (tf: TfJson) => hubSettings(releaseValues(tf, "jupyterhub_chart_release") as Record<string, any>);

  it("the groups with a budget are checked, at the estimate's prices for every type their pools may launch", () => {
    const b = settingsOf(dandi().tf).budgets;
    expect(Object.keys(b.groups)).toEqual(["dandi", "linc"]);
    // A group admin may extend by up to a quarter of the budget, for two weeks (the defaults).
    expect(b.groups.dandi).toEqual({ monthlyUsd: 3000, warnAt: [0.8, 0.9], extension: { maxUsd: 750, maxDays: 14 } });
    expect(b).toMatchObject({ failMode: "open", spotDiscount: 0.6, prometheusUrl: "http://monitoring-prometheus.monitoring.svc:9090" });
    expect(b.prices["m6i.4xlarge"]).toBe(0.768);
    expect(b.prices["g4dn.2xlarge"]).toBe(0.752);
    // The label names the hub groups by are kube-state-metrics' for the labels it exports.
    expect(b.labels).toEqual({ group: "label_dandihub_org_group", type: "label_node_kubernetes_io_instance_type", capacity: "label_karpenter_sh_capacity_type" });
  });

  it("the usage page: a service in the hub's pod, routed by the proxy, seen by budgeted groups, where a group's admins extend its budget", () => {
    const hub = (releaseValues(dandi().tf, "jupyterhub_chart_release") as Record<string, any>).hub;
    expect(hub.services["dandihub-usage"]).toEqual({
      display: true,
      url: "http://hub:10101",
      command: ["python3", "-m", "dandihub_hub.usage_service"],
      environment: { PYTHONPATH: "/usr/local/etc/jupyterhub/dandihub" },
      oauth_no_confirm: true,
      oauth_client_allowed_scopes: ["custom:dandihub-budget:extend"],
    });
    // Its module ships with the hub's package.
    expect(Object.values(hub.extraFiles as Record<string, { mountPath: string }>).map((f) => f.mountPath)).toContain("/usr/local/etc/jupyterhub/dandihub/dandihub_hub/usage_service.py");
    expect(hub.config.JupyterHub.custom_scopes).toEqual({ "custom:dandihub-budget:extend": { description: expect.any(String) } });
    expect(hub.loadRoles["dandihub-usage"]).toMatchObject({ scopes: ["read:users:groups", "read:groups!group=dandi", "read:groups!group=linc", "groups!group=dandi", "groups!group=linc"], services: ["dandihub-usage"] });
    expect(hub.loadRoles["dandihub-usage-users"]).toMatchObject({ scopes: ["access:services!service=dandihub-usage"], groups: ["dandi", "linc"] });
    expect(hub.loadRoles["dandihub-budget-extend-dandi"]).toMatchObject({ scopes: ["custom:dandihub-budget:extend!group=dandi"], users: ["satra", "yarikoptic"] });
    // The proxy reaches it on the hub's Service, and only the proxy gets in on that port.
    expect(hub.service.extraPorts).toEqual([{ name: "dandihub-usage", port: 10101, targetPort: 10101, protocol: "TCP" }]);
    expect(hub.networkPolicy.ingress).toContainEqual({ from: [{ podSelector: { matchLabels: { component: "proxy", app: "jupyterhub", release: "jupyterhub" } } }], ports: [{ port: 10101, protocol: "TCP" }] });
    // With Kubecost, the page shows its figure beside the estimate, read from its allocation API by the group label.
    expect(settingsOf(dandi().tf).budgets.kubecost).toEqual({ url: "http://kubecost-cost-analyzer.monitoring.svc:9090", label: "dandihub_org_group" });
    const kubecost = "lambda p: {'code': 200, 'data': [{'dandi': {'name': 'dandi', 'totalCost': 87.25}, '__unallocated__': {'name': '__unallocated__', 'totalCost': 4.0}}]}";
    const empty = "lambda q: {'status': 'success', 'data': {'resultType': 'vector', 'result': []}}";
    const now = "__import__('datetime').datetime(2026, 12, 20, tzinfo=__import__('datetime').timezone.utc)";
    expect(askHub(settingsOf(dandi().tf), `__import__('dandihub_hub.usage', fromlist=['report']).report(s, {'name': 'bob', 'scopes': []}, ['dandi'], ${now}, ${empty}, None, ${kubecost})[0]['budget']['kubecost']`)).toBe(87.25);
    // A deployment without budgets or quotas has none of it.
    const minimal = (releaseValues(synth("config/minimal.yaml").tf, "jupyterhub_chart_release") as Record<string, any>).hub;
    expect(minimal.services["dandihub-usage"]).toBeUndefined();
    expect(minimal.service).toBeUndefined();
    expect(minimal.config.JupyterHub?.custom_scopes).toBeUndefined();
  });

  it("a group admin's extension on the usage page is capped by the synthesized settings, and the spawn check counts it", () => {
    const settings = settingsOf(dandi().tf);
    const now = "__import__('datetime').datetime(2026, 12, 20, tzinfo=__import__('datetime').timezone.utc)";
    const admin = "{'name': 'satra', 'admin': False, 'scopes': ['custom:dandihub-budget:extend!group=dandi']}";
    const grant = (usd: number) =>
      `__import__('dandihub_hub.usage', fromlist=['grant']).grant(s, 'dandi', ${admin}, {'usd': '${usd}', 'days': '7', 'reason': 'deadline'}, ${now}, {})`;
    const empty = "lambda q: {'status': 'success', 'data': {'resultType': 'vector', 'result': []}}";
    expect(askHub(settings, `__import__('dandihub_hub.budgets', fromlist=['check']).check(s, 'dandi', ${now}, ${empty}, ${grant(750)}).budget`)).toBe(3750);
    // Over the cap: refused with the cap in the message (the page shows it; nothing is written).
    const refusal = `(lambda ns: (exec("def t():\\n try:\\n  ${grant(751).replace(/"/g, '\\"')}\\n except Exception as e:\\n  return str(e)", ns), ns['t']())[1])({'s': s, '__import__': __import__})`;
    expect(askHub(settings, refusal)).toBe("A group admin may extend dandi's budget by up to $750.00; ask a hub admin for more.");
  });

  it("the hub decides from the synthesized settings and a Prometheus answer, in its own Python", () => {
    const settings = settingsOf(dandi().tf);
    // 3,100 dollars of on-demand m6i.4xlarge hours (5-minute samples) this month.
    const samples = Math.round((3100 / 0.768) * 12);
    const answer = (n: number) => ({ status: "success", data: { resultType: "vector", result: [{ metric: { label_node_kubernetes_io_instance_type: "m6i.4xlarge", label_karpenter_sh_capacity_type: "on-demand" }, value: [0, String(n)] }] } });
    const verdict = (n: number) =>
      askHub(
        settings,
        `(lambda v: [v.allowed, v.level])(__import__('dandihub_hub.budgets', fromlist=['check']).check(s, 'dandi', __import__('datetime').datetime(2026, 12, 20, tzinfo=__import__('datetime').timezone.utc), lambda q: ${JSON.stringify(answer(n))} if q.startswith('sum') else {'status': 'success', 'data': {'resultType': 'vector', 'result': []}}))`,
      );
    expect(verdict(samples)).toEqual([false, "over"]);
    expect(verdict(Math.round(samples * 0.85))).toEqual([true, "80%"]);
    expect(verdict(100)).toEqual([true, null]);
  });

  it("Prometheus admits the hub; enforce: false or no monitoring leaves the check out, and enforce needs monitoring", () => {
    const policies = (releaseValues(dandi().tf, "isolation_policies_release") as { manifests: any[] }).manifests;
    const prometheus = policies.find((m) => m.kind === "NetworkPolicy" && m.metadata.name === "dandihub-prometheus")!;
    expect(JSON.stringify(prometheus.spec.ingress)).toContain('"component":"hub"');
    const yaml = (budget: string, extra = "") =>
      minimalYaml().replace("limits: { cpu: 64, memory: 256Gi }", `limits: { cpu: 64, memory: 256Gi }\n    budget: { monthlyUsd: 500, alertEmails: [a@example.org]${budget} }`) + extra;
    expect(settingsOf(synth(yaml(", enforce: false"), { name: "noenforce" }).tf).budgets).toBeUndefined();
    expect(settingsOf(synth(yaml(""), { name: "enforce" }).tf).budgets.groups.team.monthlyUsd).toBe(500);
    // Per-user quotas: CPU-hours over a rolling window, with overrides.
    const quota = minimalYaml().replace("limits: { cpu: 64, memory: 256Gi }", "limits: { cpu: 64, memory: 256Gi }\n    quota: { cpuHours: 200, window: 14d, overrides: { alice: 500 } }");
    const q = settingsOf(synth(quota, { name: "quotas" }).tf).budgets;
    expect(q.quotas).toEqual({ team: { cpuHours: 200, windowHours: 336, overrides: { alice: 500 } } });
    expect(q).toMatchObject({ userLabel: "label_hub_jupyter_org_username", namespace: "jupyterhub", groups: {} });
    expect(problemsOf(quota + "monitoring:\n  enabled: false\n").format()).toMatch(/groups\.team\.quota.*is checked at spawn from the cluster's Prometheus/);
    expect(problemsOf(yaml("", "monitoring:\n  enabled: false\n")).format()).toMatch(/groups\.team\.budget.*is enforced at spawn \(enforce: true, the default\) from the cluster's Prometheus/);
  });
});

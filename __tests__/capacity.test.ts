/**
 * The capacity plan and the Karpenter objects made from it, read straight from a validated file
 * (no synthesis): how a group's limits are split between its pools, which instances each pool
 * may launch, and what the NodePools and EC2NodeClasses say.
 */
import { storagePoolLimits } from "../src/features/capacity/node-pools";
import { NFS_SERVER_REQUESTS } from "../src/features/storage/layout";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DeploymentSchema, type Deployment } from "../src/config/schema";
import { candidateInstances, capacityOf, fittingInstances, planPools, poolName, type PlannedPool } from "../src/features/capacity/pools";
import { placementsOf, profileSize, resolveUserNodes } from "../src/features/capacity/resolve";
import { builderPoolManifests, karpenterManifests, nodeClassManifest, nodePoolManifest, storagePoolManifests, type CapacityPlan, type PoolContext } from "../src/features/capacity/node-pools";
import { checkCapacity } from "../src/features/capacity/checks";
import { allocatable, instanceType } from "../src/core/catalog/instance-types";
import { minimalYaml, problemsOf, releaseValues, synth, VARIANTS } from "./helpers";
import { hoursPerWeek, parseWindow, windowProblem } from "../src/features/capacity/warm";
import { estimate, serverRate } from "../src/features/cost/estimate";
import { instancePrice } from "../src/features/cost/prices";

const GiB = 2 ** 30;

const PROFILES = `profiles:
  small:
    displayName: Small
    cpu: { guarantee: 1, limit: 2 }
    memory: { guarantee: 2Gi, limit: 4Gi }
    images: [base]
  workshop:
    displayName: Workshop
    cpu: { guarantee: 2, limit: 4 }
    memory: { guarantee: 8Gi, limit: 8Gi }
    capacity: on-demand
    images: [base]
  gpu:
    displayName: GPU
    cpu: { guarantee: 2, limit: 4 }
    memory: { guarantee: 8Gi, limit: 12Gi }
    gpu: { type: t4 }
    images: [base]
  gpu-course:
    displayName: GPU course
    cpu: { guarantee: 2, limit: 4 }
    memory: { guarantee: 8Gi, limit: 12Gi }
    gpu: { type: t4 }
    capacity: on-demand
    instanceTypes: [g4dn.2xlarge]
    images: [base]`;

/** A file whose group `team` is granted `profiles` with `capacity` and `limits`. */
function deployment(opts: { capacity?: string; limits?: string; profiles?: string; groups?: string; userNodes?: string } = {}): Deployment {
  const groups =
    opts.groups ??
    `groups:
  team:
    displayName: Team
    members:
      github: [example]
    profiles: [${opts.profiles ?? "small, workshop, gpu, gpu-course"}]
    capacity: ${opts.capacity ?? "per-profile"}
    limits: ${opts.limits ?? "{ cpu: 64, memory: 256Gi, gpus: 4, onDemandShare: 0.25 }"}`;
  return parsed(minimalYaml({ profiles: PROFILES, groups, ...(opts.userNodes ? { userNodes: opts.userNodes } : {}) }));
}

/** The file as the schema leaves it, before the cross-field checks (which the last block tests). */
function parsed(yaml: string): Deployment {
  return DeploymentSchema.parse(parse(yaml)) as Deployment;
}

const byName = (pools: readonly PlannedPool[]) => Object.fromEntries(pools.map((p) => [p.name, p]));

describe("splitting a group's limits between spot and on-demand", () => {
  it("on-demand pools get onDemandShare of the CPU, memory and GPUs, spot pools the rest", () => {
    const pools = byName(planPools(deployment()));
    expect(Object.keys(pools)).toEqual(["team-cpu-spot", "team-cpu-on-demand", "team-gpu-t4-spot", "team-gpu-t4-on-demand"]);
    expect(pools["team-cpu-spot"].limits).toEqual({ cpu: 48, memoryBytes: 192 * GiB, gpus: 0 });
    expect(pools["team-cpu-on-demand"].limits).toEqual({ cpu: 16, memoryBytes: 64 * GiB, gpus: 0 });
    expect(pools["team-gpu-t4-spot"].limits.gpus).toBe(3);
    expect(pools["team-gpu-t4-on-demand"].limits.gpus).toBe(1);
  });

  it("a group of one capacity type gives each pool the whole limit, whatever onDemandShare says", () => {
    const pools = byName(planPools(deployment({ capacity: "on-demand" })));
    expect(Object.keys(pools)).toEqual(["team-cpu-on-demand", "team-gpu-t4-on-demand"]);
    expect(pools["team-cpu-on-demand"].limits).toMatchObject({ cpu: 64, memoryBytes: 256 * GiB });
    expect(pools["team-gpu-t4-on-demand"].limits.gpus).toBe(4);
    // per-profile with only spot profiles is also one capacity type.
    const spotOnly = byName(planPools(deployment({ profiles: "small, gpu" })));
    expect(spotOnly["team-cpu-spot"].limits).toMatchObject({ cpu: 64, memoryBytes: 256 * GiB });
    expect(spotOnly["team-gpu-t4-spot"].limits.gpus).toBe(4);
  });

  it("CPU and GPU pools are split independently: a lone on-demand GPU pool keeps every GPU", () => {
    const pools = byName(planPools(deployment({ profiles: "small, workshop, gpu-course" })));
    expect(pools["team-cpu-spot"].limits.cpu).toBe(48);
    expect(pools["team-gpu-t4-on-demand"].limits.gpus).toBe(4);
  });

  it("a group whose CPU profiles are all spot keeps all its CPU, whatever capacity its GPU profiles use", () => {
    const pools = byName(planPools(deployment({ profiles: "small, gpu-course" })));
    expect(pools["team-cpu-spot"].limits).toMatchObject({ cpu: 64, memoryBytes: 256 * GiB });
    expect(pools["team-gpu-t4-on-demand"].limits.gpus).toBe(4);
  });

  it("rounds shares down, memory to whole GiB, so the pools never exceed the group together", () => {
    const pools = byName(planPools(deployment({ limits: "{ cpu: 10, memory: 10Gi, gpus: 3, onDemandShare: 0.25 }" })));
    expect(pools["team-cpu-on-demand"].limits).toMatchObject({ cpu: 2, memoryBytes: 2 * GiB });
    expect(pools["team-cpu-spot"].limits).toMatchObject({ cpu: 7, memoryBytes: 7 * GiB });
    expect(pools["team-gpu-t4-on-demand"].limits.gpus).toBe(0);
    expect(pools["team-gpu-t4-spot"].limits.gpus).toBe(2);
  });

  it("a GPU pool's CPU and memory follow its GPUs times the roomiest instance per GPU", () => {
    const pools = byName(planPools(deployment({ limits: "{ cpu: 64, memory: 256Gi, gpus: 3, onDemandShare: 0.5 }" })));
    // g4dn: the 16xlarge has 64 vCPU / 256 GiB for its one GPU.
    expect(pools["team-gpu-t4-spot"].limits).toEqual({ cpu: 64, memoryBytes: 256 * GiB, gpus: 1 });
    // Pinned to g4dn.2xlarge: 8 vCPU / 32 GiB per GPU.
    expect(pools["team-gpu-t4-on-demand"].limits).toEqual({ cpu: 8, memoryBytes: 32 * GiB, gpus: 1 });
    // g5g: the 16xlarge has 64 vCPU / 128 GiB for two GPUs, the most per GPU of the family.
    const g5g = planPools(withArmGpu());
    expect(byName(g5g)["team-gpu-t4g-spot"].limits).toEqual({ cpu: 96, memoryBytes: 192 * GiB, gpus: 3 });
  });
});

/** A group with a t4g (Graviton GPU) profile and 3 GPUs. */
function withArmGpu(): Deployment {
  const yaml = minimalYaml({
    profiles: `profiles:
  small:
    displayName: Small
    cpu: { guarantee: 1, limit: 2 }
    memory: { guarantee: 2Gi, limit: 4Gi }
    images: [base]
  arm-gpu:
    displayName: ARM GPU
    cpu: { guarantee: 2, limit: 4 }
    memory: { guarantee: 4Gi, limit: 6Gi }
    gpu: { type: t4g }
    images: [base]`,
    groups: `groups:
  team:
    displayName: Team
    members:
      github: [example]
    profiles: [small, arm-gpu]
    limits: { cpu: 64, memory: 256Gi, gpus: 3 }`,
  });
  return parsed(yaml);
}

describe("the pools of a deployment", () => {
  it("are named by group, model and capacity; list their profiles in order; families sorted", () => {
    const d = deployment();
    const pools = byName(planPools(d));
    expect(pools["team-cpu-spot"]).toMatchObject({ group: "team", capacity: "spot", profiles: ["small"], arch: "amd64", families: ["c6i", "c7i", "m6i", "m7i", "r6i", "r7i"] });
    expect(pools["team-cpu-spot"].gpuType).toBeUndefined();
    expect(pools["team-gpu-t4-spot"]).toMatchObject({ capacity: "spot", gpuType: "t4", families: ["g4dn"], profiles: ["gpu"] });
    expect(pools["team-gpu-t4-on-demand"]).toMatchObject({ capacity: "on-demand", gpuType: "t4", families: ["g4dn"], profiles: ["gpu-course"] });
    expect(poolName("x", d.profiles.gpu, "spot")).toBe("x-gpu-t4-spot");
    expect(poolName("x", d.profiles.small, "on-demand")).toBe("x-cpu-on-demand");
  });

  it("profiles of one model and capacity share a pool; each group gets its own pools", () => {
    const d = parsed(
      minimalYaml({
        profiles: PROFILES,
        groups: `groups:
  ga:
    displayName: A
    members: { github: [example] }
    profiles: [workshop, small]
    limits: { cpu: 64, memory: 256Gi }
  gb:
    displayName: B
    members: { github: [example] }
    profiles: [small]
    capacity: on-demand
    limits: { cpu: 32, memory: 128Gi }`,
      }),
    );
    const pools = planPools(d);
    expect(pools.map((p) => [p.name, p.profiles])).toEqual([
      ["ga-cpu-spot", ["workshop", "small"]],
      ["gb-cpu-on-demand", ["small"]],
    ]);
    // A group's own capacity overrides the profile's.
    expect(capacityOf(d.groups.ga, d.profiles.workshop)).toBe("spot");
    expect(capacityOf(deployment().groups.team, d.profiles.workshop)).toBe("on-demand");
    expect(placementsOf(pools, "ga")).toEqual({ workshop: { pool: "ga-cpu-spot", capacity: "spot" }, small: { pool: "ga-cpu-spot", capacity: "spot" } });
    expect(placementsOf(pools, "gb")).toEqual({ small: { pool: "gb-cpu-on-demand", capacity: "on-demand" } });
  });

  it("is planned once per loaded file", () => {
    const d = deployment();
    expect(planPools(d)).toBe(planPools(d));
    expect(planPools(deployment())).not.toBe(planPools(d));
  });

  it("a CPU pool may launch every user family, also when a profile on it is pinned elsewhere", () => {
    const d = parsed(
      minimalYaml({
        userNodes: "userNodes:\n  instanceFamilies: [m6i]",
        profiles: "profiles:\n  pinned:\n    displayName: P\n    cpu: { guarantee: 1, limit: 2 }\n    memory: { guarantee: 2Gi, limit: 4Gi }\n    instanceTypes: [c7i.large]\n    images: [base]",
        groups: "groups:\n  team:\n    displayName: T\n    members: { github: [example] }\n    profiles: [pinned]\n    limits: { cpu: 8, memory: 32Gi }",
      }),
    );
    expect(planPools(d)[0].families).toEqual(["c7i", "m6i"]);
  });

  it("arm64 families make arm64 pools", () => {
    const d = deployment({ userNodes: "userNodes:\n  instanceFamilies: [m7g, c7g]", profiles: "small" });
    expect(planPools(d)[0]).toMatchObject({ arch: "arm64", families: ["c7g", "m7g"] });
    expect(resolveUserNodes(d).arch).toBe("arm64");
  });
});

describe("the instances a profile may run on", () => {
  const d = deployment();

  it("pins win; GPU profiles take the families of their GPU type; CPU profiles the user families", () => {
    expect(candidateInstances(d, d.profiles["gpu-course"]).map((i) => i.name)).toEqual(["g4dn.2xlarge"]);
    expect(new Set(candidateInstances(d, d.profiles.gpu).map((i) => i.family))).toEqual(new Set(["g4dn"]));
    expect(new Set(candidateInstances(d, d.profiles.small).map((i) => i.family))).toEqual(new Set(d.userNodes.instanceFamilies));
    // gpuFamilies narrows to the families with this GPU type.
    const both = deployment({ userNodes: "userNodes:\n  gpuFamilies: [g5, g4dn]" });
    expect(new Set(candidateInstances(both, both.profiles.gpu).map((i) => i.family))).toEqual(new Set(["g4dn"]));
    const none = deployment({ userNodes: "userNodes:\n  gpuFamilies: [g5]", profiles: "small" });
    expect(candidateInstances(none, none.profiles.gpu)).toEqual([]);
    // A misspelt GPU family (which the checks report) is skipped, not a crash.
    const typo = deployment({ userNodes: "userNodes:\n  gpuFamilies: [g4dx, g4dn]" });
    expect(new Set(candidateInstances(typo, typo.profiles.gpu).map((i) => i.family))).toEqual(new Set(["g4dn"]));
  });

  it("fitting instances leave room for the guarantees after the node's own reserve, smallest first", () => {
    const fits = fittingInstances(d, d.profiles.workshop).map((i) => i.name);
    // 2 vCPU guaranteed: a 2-vCPU node keeps ~0.4 for itself, so the smallest fit has 4 vCPUs.
    expect(fits[0]).toMatch(/\.xlarge$/);
    expect(fits).not.toContain("c6i.large");
    // 8 GiB on c6i.xlarge (8 GiB total) does not fit; on m6i.xlarge (16 GiB) it does.
    expect(fits).not.toContain("c6i.xlarge");
    expect(fits).toContain("m6i.xlarge");
    const vcpus = fittingInstances(d, d.profiles.workshop).map((i) => i.vcpu);
    expect(vcpus).toEqual([...vcpus].sort((a, b) => a - b));
    // Among equal vCPUs, less memory first.
    const four = fittingInstances(d, d.profiles.workshop).filter((i) => i.vcpu === 4).map((i) => i.memoryGiB);
    expect(four).toEqual([...four].sort((a, b) => a - b));
    expect(fittingInstances(d, d.profiles.gpu)[0].name).toBe("g4dn.xlarge");
    // Among the 2-vCPU sizes the compute families (least memory) come first, whatever the family order.
    expect(fittingInstances(d, d.profiles.small).slice(0, 6).map((i) => i.name)).toEqual(["c6i.large", "c7i.large", "m6i.large", "m7i.large", "r6i.large", "r7i.large"]);
  });

  it("a guarantee of exactly what a node leaves fits it", () => {
    const large = instanceType("m6i.large")!;
    const free = allocatable(large);
    const exact = (cpu: number, mem: number) =>
      parsed(
        minimalYaml({
          userNodes: "userNodes:\n  instanceFamilies: [m6i]",
          profiles: `profiles:\n  pp:\n    displayName: P\n    cpu: { guarantee: ${cpu}, limit: 2 }\n    memory: { guarantee: ${mem}Gi, limit: 8Gi }\n    images: [base]`,
          groups: "groups:\n  team:\n    displayName: T\n    members: { github: [example] }\n    profiles: [pp]\n    limits: { cpu: 8, memory: 32Gi }",
        }),
      );
    const fits = (d: Deployment) => fittingInstances(d, d.profiles.pp)[0]?.name;
    expect(fits(exact(free.vcpu, 4))).toBe("m6i.large");
    expect(fits(exact(free.vcpu + 0.001, 4))).toBe("m6i.xlarge");
    expect(fits(exact(1, free.memoryGiB))).toBe("m6i.large");
    expect(fits(exact(1, free.memoryGiB + 0.01))).toBe("m6i.xlarge");
  });

  it("a profile's size carries its guarantees, limits, GPU and instances", () => {
    const size = profileSize(d, d.profiles["gpu-course"]);
    expect(size).toMatchObject({ cpu: { guarantee: 2, limit: 4 }, memory: { guaranteeBytes: 8 * GiB, limitBytes: 12 * GiB }, gpu: { count: 1, type: "t4" }, pinnedInstanceTypes: ["g4dn.2xlarge"] });
    expect(size.instances.map((i) => i.name)).toEqual(["g4dn.2xlarge"]);
    expect(profileSize(d, d.profiles.small).gpu).toBeUndefined();
  });
});

const CTX: PoolContext = { clusterName: "testhub", nodeRoleName: "testhub-karpenter-node", discoveryTag: { "karpenter.sh/discovery": "testhub" } };

function plan(d: Deployment, extra: Partial<CapacityPlan> = {}): CapacityPlan {
  return { pools: planPools(d), userNodes: resolveUserNodes(d), tags: { project: "test" }, ...extra };
}

describe("NodePools and EC2NodeClasses", () => {
  const d = deployment({ userNodes: "userNodes:\n  expireAfter: 14d\n  terminationGracePeriod: 12h\n  consolidateAfter: 10m\n  diskSize: 200Gi\n  ami: al2023@v20251104" });
  const pools = byName(planPools(d));
  const u = resolveUserNodes(d);

  it("a CPU pool: its capacity type, architecture, families, limits, group label and taints", () => {
    const pool = nodePoolManifest(u, pools["team-cpu-on-demand"]);
    expect([pool.apiVersion, pool.kind]).toEqual(["karpenter.sh/v1", "NodePool"]);
    expect(pool.metadata).toEqual({ name: "team-cpu-on-demand", labels: { "dandihub.org/group": "team" } });
    expect(pool.spec.template.spec.requirements).toEqual([
      { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
      { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
      { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
      { key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["c6i", "c7i", "m6i", "m7i", "r6i", "r7i"] },
    ]);
    expect(pool.spec.limits).toEqual({ cpu: "16", memory: "64Gi" });
    expect(pool.spec.template.metadata!.labels).toEqual({ "hub.jupyter.org/node-purpose": "user", "dandihub.org/pool": "team-cpu-on-demand", "dandihub.org/group": "team" });
    expect(pool.spec.template.spec.taints).toEqual([
      { key: "hub.jupyter.org/dedicated", value: "user", effect: "NoSchedule" },
      { key: "dandihub.org/group", value: "team", effect: "NoSchedule" },
    ]);
    expect(pool.spec.template.spec.nodeClassRef).toEqual({ group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "team-cpu-on-demand" });
  });

  it("node lifetimes come from userNodes; only empty nodes are consolidated", () => {
    const pool = nodePoolManifest(u, pools["team-cpu-spot"]);
    expect(pool.spec.template.spec.expireAfter).toBe("336h");
    expect(pool.spec.template.spec.terminationGracePeriod).toBe("12h");
    expect(pool.spec.disruption).toEqual({ consolidationPolicy: "WhenEmpty", consolidateAfter: "10m" });
  });

  it("a GPU pool also carries the GPU taint and a GPU limit", () => {
    const pool = nodePoolManifest(u, pools["team-gpu-t4-spot"]);
    expect(pool.spec.template.spec.taints).toContainEqual({ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" });
    expect(pool.spec.limits).toEqual({ cpu: "192", memory: "768Gi", "nvidia.com/gpu": "3" });
    expect(nodePoolManifest(u, pools["team-cpu-spot"]).spec.template.spec.taints).not.toContainEqual(expect.objectContaining({ key: "nvidia.com/gpu" }));
  });

  it("an EC2NodeClass: the AMI, the node role, discovery by tag, IMDSv2 one hop, encrypted disk, billing tags", () => {
    const nc = nodeClassManifest(plan(d), pools["team-cpu-spot"], CTX);
    expect([nc.apiVersion, nc.kind, nc.metadata.name]).toEqual(["karpenter.k8s.aws/v1", "EC2NodeClass", "team-cpu-spot"]);
    expect(nc.spec).toEqual({
      amiSelectorTerms: [{ alias: "al2023@v20251104" }],
      role: "testhub-karpenter-node",
      subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "testhub" } }],
      securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "testhub" } }],
      metadataOptions: { httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpPutResponseHopLimit: 1, httpTokens: "required" },
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: "200Gi", volumeType: "gp3", encrypted: true, deleteOnTermination: true } }],
      tags: { project: "test", "dandihub:group": "team", "dandihub:pool": "team-cpu-spot", Name: "testhub-team-cpu-spot" },
    });
  });

  it("node classes come first, then pools; platform pools only when wanted", () => {
    const kinds = (ms: { kind: string; metadata: { name: string } }[]) => ms.map((m) => `${m.kind}/${m.metadata.name}`);
    const plain = kinds(karpenterManifests(plan(d), CTX));
    expect(plain).toEqual([
      ...Object.keys(pools).map((n) => `EC2NodeClass/${n}`),
      ...Object.keys(pools).map((n) => `NodePool/${n}`),
    ]);
    const all = kinds(karpenterManifests(plan(d, { storagePool: true, builder: true }), CTX));
    expect(all).toEqual([
      ...Object.keys(pools).map((n) => `EC2NodeClass/${n}`),
      "EC2NodeClass/storage",
      "EC2NodeClass/builder",
      ...Object.keys(pools).map((n) => `NodePool/${n}`),
      "NodePool/storage",
      "NodePool/builder",
    ]);
    expect(kinds(karpenterManifests(plan(d, { builder: true }), CTX))).not.toContain("NodePool/storage");
    expect(kinds(karpenterManifests(plan(d, { storagePool: true }), CTX))).not.toContain("NodePool/builder");
  });

  it("the storage pool: on-demand amd64 nodes of small sizes, tainted for NFS servers (which pick the zone)", () => {
    const [nc, pool] = storagePoolManifests(plan(d), CTX);
    expect([nc.kind, nc.metadata.name, pool.apiVersion, pool.kind]).toEqual(["EC2NodeClass", "storage", "karpenter.sh/v1", "NodePool"]);
    expect(nc.spec).toEqual(nodeClassManifest(plan(d), { name: "storage", group: "platform" }, CTX).spec);
    expect(nc.spec.tags["dandihub:group"]).toBe("platform");
    expect(pool.metadata).toEqual({ name: "storage" });
    expect(pool.spec.template.spec.requirements).toEqual([
      { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
      { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
      { key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["m6i", "m7i", "m6a"] },
      { key: "karpenter.k8s.aws/instance-size", operator: "In", values: ["large", "xlarge"] },
    ]);
    expect(pool.spec.template.spec.taints).toEqual([{ key: "dandihub.org/storage", value: "true", effect: "NoSchedule" }]);
    expect(pool.spec.template.metadata!.labels).toEqual({ "dandihub.org/node-role": "storage" });
    expect(pool.spec.limits).toEqual({ cpu: "8", memory: "32Gi" });
    // NFS servers stay put: never expired (expiry does not wait for them), never replaced for
    // drift or packed tighter; an empty storage node may still go.
    expect(pool.spec.template.spec.expireAfter).toBe("Never");
    expect(pool.spec.disruption).toEqual({ consolidationPolicy: "WhenEmpty", consolidateAfter: "10m", budgets: [{ nodes: "0", reasons: ["Drifted", "Underutilized"] }] });
    expect(pool.spec.template.spec.nodeClassRef).toEqual({ group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "storage" });
  });

  it("the builder pool: spot or on-demand user families, the user taint, selected by role", () => {
    const [, pool] = builderPoolManifests(plan(d), CTX);
    expect(pool.spec.template.spec.requirements).toEqual([
      { key: "karpenter.sh/capacity-type", operator: "In", values: ["spot", "on-demand"] },
      { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
      { key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["m6i", "m7i", "c6i", "c7i", "r6i", "r7i"] },
    ]);
    expect(pool.spec.template.spec.taints).toEqual([{ key: "hub.jupyter.org/dedicated", value: "user", effect: "NoSchedule" }]);
    expect(pool.spec.template.metadata!.labels).toEqual({ "dandihub.org/node-role": "builder" });
    expect(pool.spec.limits).toEqual({ cpu: "32", memory: "128Gi" });
    expect(pool.spec.template.spec.expireAfter).toBe("336h");
    expect(pool.spec.disruption.budgets).toBeUndefined();
  });
});

describe("capacity checks", () => {
  const problems = (d: Deployment) => checkCapacity(d).map((p) => `${p.path.join(".")}: ${p.message}`);

  it("a sound file has none", () => {
    expect(problems(deployment())).toEqual([]);
  });

  it("each pool's limit must admit one node for each of its profiles", () => {
    // 4 GPUs, 0.25 on demand: the on-demand GPU pool gets 1 GPU, enough for one g4dn.2xlarge.
    expect(problems(deployment())).toEqual([]);
    // 3 GPUs: floor(0.75) = 0 on demand.
    expect(problems(deployment({ limits: "{ cpu: 64, memory: 256Gi, gpus: 3, onDemandShare: 0.25 }" }))).toEqual([
      "groups.team.limits.gpus: below what profile gpu-course needs: one g4dn.2xlarge (8 vCPU, 32 GiB, 1 GPU) on pool team-gpu-t4-on-demand; this pool may have 0 GPU(s)",
    ]);
    // 8 vCPU, a quarter on demand: 2 vCPU cannot hold a 4-vCPU node for the workshop profile.
    expect(problems(deployment({ limits: "{ cpu: 8, memory: 256Gi, gpus: 4, onDemandShare: 0.25 }" }))).toEqual([
      "groups.team.limits.cpu: below what profile workshop needs: one m6i.xlarge (4 vCPU, 16 GiB) on pool team-cpu-on-demand; this pool may have 2 vCPU",
    ]);
    expect(problems(deployment({ limits: "{ cpu: 64, memory: 40Gi, gpus: 4, onDemandShare: 0.25 }" }))).toEqual([
      "groups.team.limits.memory: below what profile workshop needs: one m6i.xlarge (4 vCPU, 16 GiB) on pool team-cpu-on-demand; this pool may have 10 GiB",
    ]);
    // Exactly enough is enough.
    expect(problems(deployment({ limits: "{ cpu: 16, memory: 64Gi, gpus: 4, onDemandShare: 0.25 }" }))).toEqual([]);
  });

  it("user node families: known, not GPU, one architecture; GPU families must be GPU families", () => {
    const unknown = problems(deployment({ profiles: "small", userNodes: "userNodes:\n  instanceFamilies: [m6i, m6j]" }));
    // An unknown family is not also a second architecture.
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatch(/^userNodes\.instanceFamilies\.1: unknown instance family \(did you mean m6i\?\); known: t3, t3a, /);
    expect(unknown[0]).not.toMatch(/g4dn|g5/);
    expect(problems(deployment({ profiles: "small", userNodes: "userNodes:\n  instanceFamilies: [qqqqqq]" }))[0]).toMatch(/^userNodes\.instanceFamilies\.0: unknown instance family; known: /);
    expect(problems(deployment({ userNodes: "userNodes:\n  gpuFamilies: [g4dn, g5]" }))).toEqual([]);
    expect(problems(deployment({ profiles: "small", userNodes: "userNodes:\n  instanceFamilies: [m6i, g4dn]" }))).toContain(
      "userNodes.instanceFamilies.1: GPU families belong in userNodes.gpuFamilies (GPU nodes are tainted for GPU profiles only)",
    );
    expect(problems(deployment({ profiles: "small", userNodes: "userNodes:\n  instanceFamilies: [m6i, m7g]" }))).toEqual([
      "userNodes.instanceFamilies: mix of amd64 and arm64 families: user images must run on every family listed; keep one architecture",
    ]);
    const notGpu = problems(deployment({ profiles: "small", userNodes: "userNodes:\n  gpuFamilies: [m6i]" })).filter((p) => p.startsWith("userNodes"));
    expect(notGpu).toHaveLength(1);
    expect(notGpu[0]).toMatch(/^userNodes\.gpuFamilies\.0: not a GPU family; known: g4dn, g5, g6, g6e, g5g$/);
  });

  it("profile sizes: guarantee within limit, pins that exist and match the GPU, some instance that fits", () => {
    const profiles = (body: string) =>
      problems(
        parsed(
          minimalYaml({ profiles: `profiles:\n  pp:\n    displayName: P\n    images: [base]\n${body}`, groups: "groups:\n  team:\n    displayName: T\n    members: { github: [example] }\n    profiles: [pp]\n    limits: { cpu: 512, memory: 4Ti, gpus: 8 }" }),
        ),
      );
    expect(profiles("    cpu: { guarantee: 3, limit: 2 }\n    memory: { guarantee: 2Gi, limit: 4Gi }")).toEqual(["profiles.pp.cpu.guarantee: must not exceed cpu.limit (2)"]);
    expect(profiles("    cpu: { guarantee: 2, limit: 2 }\n    memory: { guarantee: 5Gi, limit: 4Gi }")).toEqual(["profiles.pp.memory.guarantee: must not exceed memory.limit (4Gi)"]);
    expect(profiles("    cpu: { guarantee: 2, limit: 2 }\n    memory: { guarantee: 4Gi, limit: 4Gi }")).toEqual([]);
    expect(profiles("    cpu: { guarantee: 1, limit: 2 }\n    memory: { guarantee: 2Gi, limit: 4Gi }\n    instanceTypes: [m6i.huge]")[0]).toMatch(/^profiles\.pp\.instanceTypes\.0: unknown instance type; known: m6i\.large, /);
    expect(profiles("    cpu: { guarantee: 1, limit: 2 }\n    memory: { guarantee: 2Gi, limit: 4Gi }\n    gpu: { type: a10g }\n    instanceTypes: [g4dn.xlarge]")).toEqual(["profiles.pp.instanceTypes.0: has no a10g GPU"]);
    expect(profiles("    cpu: { guarantee: 1, limit: 2 }\n    memory: { guarantee: 2Gi, limit: 4Gi }\n    instanceTypes: [g4dn.xlarge]")).toEqual(["profiles.pp.instanceTypes.0: is a GPU instance; a profile without gpu would waste it"]);
    expect(profiles("    cpu: { guarantee: 1, limit: 2 }\n    memory: { guarantee: 2Gi, limit: 4Gi }\n    instanceTypes: [m6i.large]")).toEqual([]);
    expect(profiles("    cpu: { guarantee: 200, limit: 200 }\n    memory: { guarantee: 2Gi, limit: 4Gi }")).toEqual([
      "profiles.pp.cpu: fits no allowed instance: the largest, m7i.48xlarge, leaves 190.6 vCPU / 766 GiB for a server; lower the guarantees or allow larger families",
    ]);
    expect(profiles("    cpu: { guarantee: 1, limit: 2 }\n    memory: { guarantee: 2Gi, limit: 4Gi }\n    gpu: { type: t4, count: 8 }")[0]).toBe("profiles.pp.cpu: fits no allowed instance: the largest, g4dn.16xlarge, leaves 63.3 vCPU / 254 GiB / 1 GPU for a server; lower the guarantees or allow larger families");
  });

  it("a GPU type no listed GPU family has", () => {
    const d = deployment({ profiles: "small, gpu", userNodes: "userNodes:\n  gpuFamilies: [g5]" });
    expect(problems(d)).toContain("profiles.gpu.gpu.type: no family in userNodes.gpuFamilies has t4 GPUs; add g4dn");
  });
});

describe("the storage pool grows with the groups", () => {
  it("room for every NFS server twice over, at least 8 vCPU / 32 GiB", () => {
    expect(storagePoolLimits(6)).toEqual({ cpu: 8, memoryBytes: 32 * 2 ** 30 });
    // 500 groups and the hub-wide volume: 501 servers of 25m / 256Mi.
    expect(NFS_SERVER_REQUESTS).toMatchObject({ cpu: 0.025, memoryBytes: 256 * 2 ** 20 });
    expect(storagePoolLimits(501)).toEqual({ cpu: Math.ceil(501 * 0.025 * 2) + 4, memoryBytes: Math.ceil((501 * 256 * 2) / 1024 + 8) * 2 ** 30 });
    expect(storagePoolLimits(501).cpu * 1000).toBeGreaterThanOrEqual(501 * 25 * 2);
  });
});

describe("root volumes sized from the images that land on a pool", () => {
  const images =
    "images:\n  base:\n    name: quay.io/jupyter/base-notebook\n    tag: '2025-06-02'\n    nodeDisk: 6Gi\n  big:\n    name: quay.io/jupyter/scipy-notebook\n    tag: '2025-06-02'\n    nodeDisk: 14Gi\n    prePull: false\n  cuda:\n    name: quay.io/jupyter/pytorch-notebook\n    tag: cuda12-2025-06-02\n    gpu: true\n    nodeDisk: 25Gi";
  const profiles =
    "profiles:\n  small:\n    displayName: Small\n    cpu: { guarantee: 1, limit: 2 }\n    memory: { guarantee: 2Gi, limit: 4Gi }\n    images: [base, big]\n  t4:\n    displayName: T4\n    cpu: { guarantee: 2, limit: 4 }\n    memory: { guarantee: 8Gi, limit: 12Gi }\n    gpu: { type: t4 }\n    images: [cuda]";
  const groups = (extra = "") => `groups:\n  team:\n    displayName: Team\n    members:\n      github: [example]\n    profiles: [small, t4]\n    limits: { cpu: 64, memory: 256Gi, gpus: 2 }${extra}`;
  const pools = (overrides: Record<string, string>) => Object.fromEntries(planPools(DeploymentSchema.parse(parse(minimalYaml({ images, profiles, groups: groups(), ...overrides })))).map((p) => [p.name, p.diskGiB]));

  it("the sum of their nodeDisk and 20Gi headroom, rounded up to 10Gi: CPU pools hold the profiles' and the pre-pulled CPU images, GPU pools the GPU ones too", () => {
    // CPU: base 6 + big 14 (offered there, though not pre-pulled) + 20 = 40. GPU: cuda 25 + base 6 (pre-pulled everywhere) + 20 = 51 -> 60.
    expect(pools({})).toEqual({ "team-cpu-spot": 40, "team-gpu-t4-spot": 60 });
  });

  it("100Gi when an image does not say its size, or the pool takes own images; userNodes.diskSize overrides all", () => {
    expect(pools({ images: images.replace("    nodeDisk: 6Gi\n", "") })).toEqual({ "team-cpu-spot": 100, "team-gpu-t4-spot": 100 });
    expect(pools({ groups: groups("\n    customImages: { own: true }") + "\ncustomImages:\n  allowedRegistries: [quay.io/]" })).toEqual({ "team-cpu-spot": 100, "team-gpu-t4-spot": 100 });
    expect(pools({ userNodes: "userNodes:\n  diskSize: 80Gi" })).toEqual({ "team-cpu-spot": 80, "team-gpu-t4-spot": 80 });
  });

  it("each pool's EC2NodeClass gets its size, and the estimate prices each server's node disk from it", () => {
    const s = synth(minimalYaml({ images, profiles, groups: groups() }), { name: "imagedisks" });
    const classes = (releaseValues(s.tf, "karpenter_pools_release") as { manifests: any[] }).manifests.filter((m) => m.kind === "EC2NodeClass");
    const size = (name: string) => classes.find((m) => m.metadata.name === name).spec.blockDeviceMappings[0].ebs.volumeSize;
    expect([size("team-cpu-spot"), size("team-gpu-t4-spot")]).toEqual(["40Gi", "60Gi"]);
    const e = estimate(s.config, { usage: {} });
    const alone = e.profiles.find((r) => r.profile === "small" && r.capacity === "on-demand")!.alone;
    expect(alone.usdPerServerHour).toBeCloseTo(instancePrice(alone.type, instanceType(alone.type)!.vcpu)!.usd + (40 * 0.08) / 730, 9);
  });
});

describe("warm capacity on a schedule (groups.<g>.warm)", () => {
  const variant = () => VARIANTS["chart-service"]();
  const jobs = () => (releaseValues(variant().tf, "storage-jobs_jobs_release") as { manifests: any[] }).manifests;

  it("reads the window: days (ranges wrap), whole hours, a time zone", () => {
    expect(parseWindow("Mon-Fri 08:00-18:00 America/New_York")).toEqual({ days: [1, 2, 3, 4, 5], startHour: 8, endHour: 18, timeZone: "America/New_York" });
    expect(parseWindow("Fri-Mon 09:00-12:00 UTC").days).toEqual([5, 6, 0, 1]);
    expect(hoursPerWeek(parseWindow("Mon-Fri 08:00-18:00 America/New_York"))).toBe(50);
    expect(windowProblem("Mon-Fri 18:00-08:00 UTC")).toMatch(/ends \(8:00\) before it starts/);
    expect(windowProblem("Mon-Fri 08:00-18:00 Mars/Olympus")).toMatch(/not an IANA time zone/);
    expect(windowProblem("Sat 10:00-14:00 Europe/Berlin")).toBeUndefined();
  });

  it("placeholders of the profile's size on the group's pool, below every user server, created empty", () => {
    const deployment = jobs().find((m) => m.kind === "Deployment" && m.metadata.name === "warm-team")!;
    expect(deployment.spec.replicas).toBe(0);
    const pod = deployment.spec.template.spec;
    const pool = variant().config.groups[0].placements.small.pool;
    expect(pod.nodeSelector).toEqual({ "dandihub.org/group": "team", "dandihub.org/pool": pool });
    expect(pod.tolerations).toContainEqual({ key: "dandihub.org/group", value: "team", effect: "NoSchedule", operator: "Equal" });
    const small = variant().config.profiles.find((p) => p.key === "small")!;
    expect(pod.containers[0].resources.requests).toEqual({ cpu: `${small.cpu.guarantee * 1000}m`, memory: `${small.memory.guaranteeBytes / 2 ** 20}Mi` });
    const priority = jobs().find((m) => m.kind === "PriorityClass")!;
    expect(priority).toMatchObject({ metadata: { name: pod.priorityClassName }, value: -10, preemptionPolicy: "Never" });
    // User servers run at z2jh's priority (podPriority), which preempts the placeholders.
    const hub = releaseValues(variant().tf, "jupyterhub_chart_release") as Record<string, any>;
    expect(hub.scheduling.podPriority.defaultPriority).toBeGreaterThan(priority.value);
  });

  it("scaled up every 15 minutes inside the window and down at its end, in its time zone, by a role that may scale only them", () => {
    const up = jobs().find((m) => m.kind === "CronJob" && m.metadata.name === "warm-team-up")!;
    const down = jobs().find((m) => m.kind === "CronJob" && m.metadata.name === "warm-team-down")!;
    expect([up.spec.schedule, up.spec.timeZone]).toEqual(["*/15 8-17 * * 1,2,3,4,5", "America/New_York"]);
    expect([down.spec.schedule, down.spec.timeZone]).toEqual(["0 18 * * 1,2,3,4,5", "America/New_York"]);
    expect(up.spec.jobTemplate.spec.template.spec.containers[0].command).toEqual(["python", "-m", "dandihub_jobs.warm", "jupyterhub", "warm-team", "2"]);
    expect(down.spec.jobTemplate.spec.template.spec.containers[0].command.at(-1)).toBe("0");
    // The scaler calls the API with its service account's token; the storage jobs mount none.
    expect(up.spec.jobTemplate.spec.template.spec).toMatchObject({ serviceAccountName: "dandihub-warm-scaler", automountServiceAccountToken: true });
    expect(jobs().filter((m) => m.kind === "CronJob" && m.metadata.labels["app.kubernetes.io/component"] === "storage-job").every((m) => m.spec.jobTemplate.spec.template.spec.automountServiceAccountToken === false)).toBe(true);
    // The hub's namespace denies by default: the scalers may reach the API server, and only that.
    const policies = (releaseValues(variant().tf, "isolation_policies_release") as { manifests: any[] }).manifests;
    const scalers = policies.find((m) => m.kind === "NetworkPolicy" && m.metadata.name === "dandihub-warm-scalers")!;
    expect(scalers.spec.podSelector).toEqual({ matchLabels: { "app.kubernetes.io/component": "warm-scaler" } });
    expect(scalers.spec.policyTypes).toEqual(["Egress"]);
    expect(up.spec.jobTemplate.spec.template.metadata.labels).toMatchObject(scalers.spec.podSelector.matchLabels);
    const role = jobs().find((m) => m.kind === "Role" && m.metadata.name === "dandihub-warm-scaler")!;
    expect(role.rules).toEqual([{ apiGroups: ["apps"], resources: ["deployments/scale"], resourceNames: ["warm-team"], verbs: ["get", "patch"] }]);
  });

  it("priced as that many servers held through the window", () => {
    const c = variant().config;
    const line = estimate(c, { usage: {} }).groups[0].usage.find((l) => l.warm)!;
    const small = c.profiles.find((p) => p.key === "small")!;
    const rate = serverRate(small, line.capacity, 100, c.cost.spotDiscount, 2)!;
    expect(line).toMatchObject({ profile: "small", users: 2, hoursPerMonth: Math.round(((50 * 52) / 12) * 100) / 100, concurrent: 2 });
    expect(line.monthlyUsd).toBeCloseTo(2 * line.hoursPerMonth * rate.usdPerServerHour, 1);
  });

  it("a profile the group has, a window that exists, within the group's limits", () => {
    const warm = (w: string) => minimalYaml().replace("limits: { cpu: 64, memory: 256Gi }", `limits: { cpu: 64, memory: 256Gi }\n    warm: ${w}`);
    expect(problemsOf(warm('{ servers: 2, profile: smal, when: "Mon-Fri 08:00-18:00 UTC" }')).format()).toMatch(/groups\.team\.warm\.profile = "smal": is not one of the group's profiles \(did you mean small\?\)/);
    expect(problemsOf(warm('{ servers: 2, when: "Mon-Fri 08:00-18:00 Mars/Olympus" }')).format()).toMatch(/groups\.team\.warm\.when = .*not an IANA time zone/);
    expect(problemsOf(warm('{ servers: 2, when: "weekdays 9 to 5" }')).format()).toMatch(/groups\.team\.warm\.when = "weekdays 9 to 5": expected days, whole hours and an IANA time zone/);
    expect(problemsOf(warm('{ servers: 100, when: "Mon-Fri 08:00-18:00 UTC" }')).format()).toMatch(/groups\.team\.warm\.servers = 100: 100 placeholders of small need more than the group's limits allow/);
  });
});

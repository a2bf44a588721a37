/**
 * User capacity as Karpenter objects: which pools exist, what each may launch, and the
 * NodePool / EC2NodeClass pair for each. Pure functions of the config, so tests read them
 * directly and the construct only installs them.
 */
import { familyArch, type Arch, type GpuType } from "../catalog/instance-types";
import type { HubConfig, ResolvedProfile } from "../config/resolve";
import { formatGoDuration, formatQuantity } from "../config/units";
import { GPU_TAINT, NODE_PURPOSE, POOL_LABEL, USER_TAINT } from "../labels";
import type { EC2NodeClass, NodePool, NodeSelectorRequirement } from "./types";

export interface UserPool {
  /** NodePool, EC2NodeClass and `dandihub.org/pool` label value. */
  readonly name: string;
  readonly capacity: "spot" | "on-demand";
  readonly gpuType?: GpuType;
  readonly families: readonly string[];
  readonly arch: Arch;
  /** Profiles whose servers land on this pool. */
  readonly profiles: readonly string[];
}

export interface PoolContext {
  readonly clusterName: string;
  /** Karpenter node IAM role name (fixed, so manifests stay literal). */
  readonly nodeRoleName: string;
  readonly discoveryTag: Readonly<Record<string, string>>;
}

export function poolNameFor(profile: ResolvedProfile): string {
  return `${profile.gpu ? `gpu-${profile.gpu.type}` : "cpu"}-${profile.capacity}`;
}

/** One pool per (CPU or GPU model) x capacity type that some profile uses, in profile order. */
export function planUserPools(config: HubConfig): UserPool[] {
  const pools = new Map<string, { capacity: "spot" | "on-demand"; gpuType?: GpuType; families: Set<string>; profiles: string[] }>();
  for (const p of config.profiles) {
    const name = poolNameFor(p);
    const pool = pools.get(name) ?? { capacity: p.capacity, gpuType: p.gpu?.type, families: new Set<string>(), profiles: [] };
    if (!p.gpu) config.userNodes.instanceFamilies.forEach((f) => pool.families.add(f));
    p.instances.forEach((i) => pool.families.add(i.family));
    pool.profiles.push(p.key);
    pools.set(name, pool);
  }
  return [...pools].map(([name, pool]) => {
    const families = [...pool.families].sort();
    return { name, capacity: pool.capacity, gpuType: pool.gpuType, families, arch: familyArch(families[0])!, profiles: pool.profiles };
  });
}

export function nodeClassManifest(config: HubConfig, pool: UserPool, ctx: PoolContext): EC2NodeClass {
  return {
    apiVersion: "karpenter.k8s.aws/v1",
    kind: "EC2NodeClass",
    metadata: { name: pool.name },
    spec: {
      amiSelectorTerms: [{ alias: config.userNodes.ami }],
      role: ctx.nodeRoleName,
      subnetSelectorTerms: [{ tags: { ...ctx.discoveryTag } }],
      securityGroupSelectorTerms: [{ tags: { ...ctx.discoveryTag } }],
      // IMDSv2 only, one hop: pods cannot reach the node's credentials.
      metadataOptions: { httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpPutResponseHopLimit: 1, httpTokens: "required" },
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: { volumeSize: `${config.userNodes.diskGiB}Gi`, volumeType: "gp3", encrypted: true, deleteOnTermination: true },
        },
      ],
      // Karpenter-launched instances are not Terraform resources: tags are how they reach the bill.
      tags: { ...config.tags, "dandihub:pool": pool.name, Name: `${ctx.clusterName}-${pool.name}` },
    },
  };
}

export function nodePoolManifest(config: HubConfig, pool: UserPool): NodePool {
  const u = config.userNodes;
  const requirements: NodeSelectorRequirement[] = [
    { key: "karpenter.sh/capacity-type", operator: "In", values: [pool.capacity] },
    { key: "kubernetes.io/arch", operator: "In", values: [pool.arch] },
    { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
    { key: "karpenter.k8s.aws/instance-family", operator: "In", values: [...pool.families] },
  ];
  const limits: Record<string, string> = { cpu: String(u.limits.cpu), memory: formatQuantity(u.limits.memoryBytes) };
  if (pool.gpuType) limits["nvidia.com/gpu"] = String(u.limits.gpus);
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name: pool.name },
    spec: {
      template: {
        metadata: { labels: { [NODE_PURPOSE]: "user", [POOL_LABEL]: pool.name } },
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: pool.name },
          requirements,
          taints: pool.gpuType ? [USER_TAINT, GPU_TAINT] : [USER_TAINT],
          expireAfter: formatGoDuration(u.expireAfterSeconds),
          terminationGracePeriod: formatGoDuration(u.terminationGracePeriodSeconds),
        },
      },
      // Never move a running notebook to save money: only empty nodes go.
      disruption: { consolidationPolicy: "WhenEmpty", consolidateAfter: formatGoDuration(u.consolidateAfterSeconds) },
      limits,
    },
  };
}

/** Every Karpenter object of the deployment, NodeClasses first. */
export function karpenterManifests(config: HubConfig, ctx: PoolContext): (EC2NodeClass | NodePool)[] {
  const pools = planUserPools(config);
  return [...pools.map((p) => nodeClassManifest(config, p, ctx)), ...pools.map((p) => nodePoolManifest(config, p))];
}

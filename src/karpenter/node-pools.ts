/**
 * User capacity as Karpenter objects: a NodePool and an EC2NodeClass for every planned pool
 * (one per group, CPU or GPU model and capacity type). Pure functions of the config, so tests
 * read them directly and the construct only installs them.
 */
import type { PlannedPool } from "../config/pools";
import type { HubConfig } from "../config/resolve";
import { formatGoDuration, formatQuantity } from "../config/units";
import { GPU_TAINT, GROUP_LABEL, GROUP_TAG, NODE_PURPOSE, POOL_LABEL, USER_TAINT } from "../labels";
import type { EC2NodeClass, NodePool, NodeSelectorRequirement, Taint } from "./types";

export interface PoolContext {
  readonly clusterName: string;
  /** Karpenter node IAM role name (fixed, so manifests stay literal). */
  readonly nodeRoleName: string;
  readonly discoveryTag: Readonly<Record<string, string>>;
}

/** Keeps every other group's servers (and everything else) off a group's nodes. */
export function groupTaint(group: string): Taint {
  return { key: GROUP_LABEL, value: group, effect: "NoSchedule" };
}

export function nodeClassManifest(config: HubConfig, pool: PlannedPool, ctx: PoolContext): EC2NodeClass {
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
      // Karpenter-launched instances and their volumes are not Terraform resources: these tags
      // are how they reach the group's bill.
      tags: { ...config.tags, [GROUP_TAG]: pool.group, "dandihub:pool": pool.name, Name: `${ctx.clusterName}-${pool.name}` },
    },
  };
}

export function nodePoolManifest(config: HubConfig, pool: PlannedPool): NodePool {
  const u = config.userNodes;
  const requirements: NodeSelectorRequirement[] = [
    { key: "karpenter.sh/capacity-type", operator: "In", values: [pool.capacity] },
    { key: "kubernetes.io/arch", operator: "In", values: [pool.arch] },
    { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
    { key: "karpenter.k8s.aws/instance-family", operator: "In", values: [...pool.families] },
  ];
  const limits: Record<string, string> = { cpu: String(pool.limits.cpu), memory: formatQuantity(pool.limits.memoryBytes) };
  if (pool.gpuType) limits["nvidia.com/gpu"] = String(pool.limits.gpus);
  const taints: Taint[] = [USER_TAINT, groupTaint(pool.group)];
  if (pool.gpuType) taints.push(GPU_TAINT);
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name: pool.name, labels: { [GROUP_LABEL]: pool.group } },
    spec: {
      template: {
        metadata: { labels: { [NODE_PURPOSE]: "user", [POOL_LABEL]: pool.name, [GROUP_LABEL]: pool.group } },
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: pool.name },
          requirements,
          taints,
          expireAfter: formatGoDuration(u.expireAfterSeconds),
          terminationGracePeriod: formatGoDuration(u.terminationGracePeriodSeconds),
        },
      },
      // Never move a running notebook to save money: only empty nodes go, so GPU pools and idle
      // groups scale to zero.
      disruption: { consolidationPolicy: "WhenEmpty", consolidateAfter: formatGoDuration(u.consolidateAfterSeconds) },
      limits,
    },
  };
}

/** Every Karpenter object of the deployment, NodeClasses first. */
export function karpenterManifests(config: HubConfig, ctx: PoolContext): (EC2NodeClass | NodePool)[] {
  return [...config.pools.map((p) => nodeClassManifest(config, p, ctx)), ...config.pools.map((p) => nodePoolManifest(config, p))];
}

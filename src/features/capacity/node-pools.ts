/**
 * User capacity as Karpenter objects: a NodePool and an EC2NodeClass for every planned pool
 * (one per group, CPU or GPU model and capacity type), plus the platform pools (NFS servers,
 * image builds). Pure functions of the capacity slice, so tests read them directly and the
 * construct only installs them.
 */
import { NFS_SERVER_REQUESTS } from "../storage/layout";
import { BUILDER_NODE_ROLE, GPU_RESOURCE, GPU_TAINT, GROUP_LABEL, GROUP_TAG, groupTaint, NODE_PURPOSE, POOL_LABEL, STORAGE_NODE_ROLE, STORAGE_TAINT, USER_TAINT } from "../../core/labels";
import { formatGoDuration, formatQuantity } from "../../config/units";
import type { PlannedPool } from "./pools";
import type { ResolvedUserNodes } from "./resolve";
import type { EC2NodeClass, NodePool, NodeSelectorRequirement, Taint } from "./types";

export interface PoolContext {
  readonly clusterName: string;
  /** Karpenter node IAM role name (fixed, so manifests stay literal). */
  readonly nodeRoleName: string;
  readonly discoveryTag: Readonly<Record<string, string>>;
}

/** What the Karpenter objects are made from. */
export interface CapacityPlan {
  readonly pools: readonly PlannedPool[];
  readonly userNodes: ResolvedUserNodes;
  /** Tags of every node and volume Karpenter launches (with the pool's group). */
  readonly tags: Readonly<Record<string, string>>;
  /** Whether NFS servers need the storage pool (`storage.servers: dedicated`). @default false */
  readonly storagePool?: boolean;
  /** NFS servers the storage pool holds (one per volume). @default 1 */
  readonly nfsServers?: number;
  /** Whether some group builds images (the builder pool). @default false */
  readonly builder?: boolean;
}

/** The node class of a pool: only its name and group (for the bill) differ between pools. */
export function nodeClassManifest(plan: CapacityPlan, pool: Pick<PlannedPool, "name" | "group"> & { readonly diskGiB?: number }, ctx: PoolContext): EC2NodeClass {
  return {
    apiVersion: "karpenter.k8s.aws/v1",
    kind: "EC2NodeClass",
    metadata: { name: pool.name },
    spec: {
      amiSelectorTerms: [{ alias: plan.userNodes.ami }],
      role: ctx.nodeRoleName,
      subnetSelectorTerms: [{ tags: { ...ctx.discoveryTag } }],
      securityGroupSelectorTerms: [{ tags: { ...ctx.discoveryTag } }],
      // IMDSv2 only, one hop: pods cannot reach the node's credentials.
      metadataOptions: { httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpPutResponseHopLimit: 1, httpTokens: "required" },
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: { volumeSize: `${pool.diskGiB ?? plan.userNodes.diskGiB}Gi`, volumeType: "gp3", encrypted: true, deleteOnTermination: true },
        },
      ],
      // Karpenter-launched instances and their volumes are not Terraform resources: these tags
      // are how they reach the group's bill.
      tags: { ...plan.tags, [GROUP_TAG]: pool.group, "dandihub:pool": pool.name, Name: `${ctx.clusterName}-${pool.name}` },
    },
  };
}

export function nodePoolManifest(u: ResolvedUserNodes, pool: PlannedPool): NodePool {
  const requirements: NodeSelectorRequirement[] = [
    { key: "karpenter.sh/capacity-type", operator: "In", values: [pool.capacity] },
    { key: "kubernetes.io/arch", operator: "In", values: [pool.arch] },
    { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
    { key: "karpenter.k8s.aws/instance-family", operator: "In", values: [...pool.families] },
  ];
  const limits: Record<string, string> = { cpu: String(pool.limits.cpu), memory: formatQuantity(pool.limits.memoryBytes) };
  if (pool.gpuType) limits[GPU_RESOURCE] = String(pool.limits.gpus);
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

export const STORAGE_POOL = "storage";
/** Instance families of the storage pool (small on-demand amd64 nodes for the NFS servers). */
export const STORAGE_FAMILIES = ["m6i", "m7i", "m6a"] as const;
export const STORAGE_SIZES = ["large", "xlarge"] as const;
export const BUILDER_POOL = "builder";

interface PlatformPool {
  readonly name: string;
  readonly capacityTypes: readonly ("spot" | "on-demand")[];
  readonly arch: PlannedPool["arch"];
  readonly families: readonly string[];
  /** Labels of its nodes (what its pods select). */
  readonly nodeLabels: Readonly<Record<string, string>>;
  /** Keeps everything else off its nodes. */
  readonly taint: Taint;
  /** Requirements beyond capacity type, architecture and family. */
  readonly requirements?: readonly NodeSelectorRequirement[];
  readonly limits: { readonly cpu: number; readonly memoryBytes: number };
  /** Never expire its nodes, and let Karpenter remove one only when it is empty. @default false (user nodes' lifetimes) */
  readonly pinned?: boolean;
}

/** A pool for platform pods (not a group's servers): its node class and its NodePool. */
function platformPoolManifests(plan: CapacityPlan, ctx: PoolContext, p: PlatformPool): [EC2NodeClass, NodePool] {
  const u = plan.userNodes;
  const nodeClass = nodeClassManifest(plan, { name: p.name, group: "platform" }, ctx);
  const pool: NodePool = {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name: p.name },
    spec: {
      template: {
        metadata: { labels: { ...p.nodeLabels } },
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: p.name },
          requirements: [
            { key: "karpenter.sh/capacity-type", operator: "In", values: [...p.capacityTypes] },
            { key: "kubernetes.io/arch", operator: "In", values: [p.arch] },
            { key: "karpenter.k8s.aws/instance-family", operator: "In", values: [...p.families] },
            ...(p.requirements ?? []),
          ],
          taints: [p.taint],
          // Expiry is forceful (it does not wait for do-not-disrupt pods): pinned nodes never expire.
          expireAfter: p.pinned ? "Never" : formatGoDuration(u.expireAfterSeconds),
          terminationGracePeriod: formatGoDuration(u.terminationGracePeriodSeconds),
        },
      },
      disruption: p.pinned
        ? // Empty nodes may go; none is replaced for drift (a new AMI) or packed tighter: an operator
          // moves them deliberately (help/runbooks.md, "Storage node maintenance").
          { consolidationPolicy: "WhenEmpty", consolidateAfter: formatGoDuration(u.consolidateAfterSeconds), budgets: [{ nodes: "0", reasons: ["Drifted", "Underutilized"] }] }
        : { consolidationPolicy: "WhenEmpty", consolidateAfter: formatGoDuration(u.consolidateAfterSeconds) },
      limits: { cpu: String(p.limits.cpu), memory: formatQuantity(p.limits.memoryBytes) },
    },
  };
  return [nodeClass, pool];
}

/**
 * The builder pool (when some group builds images): spot capacity of the user families, tainted
 * like user nodes (build pods tolerate that) and selected by role, so user servers never land
 * beside the privileged Docker daemon.
 */
export function builderPoolManifests(plan: CapacityPlan, ctx: PoolContext): [EC2NodeClass, NodePool] {
  return platformPoolManifests(plan, ctx, {
    name: BUILDER_POOL,
    capacityTypes: ["spot", "on-demand"],
    arch: plan.userNodes.arch,
    families: plan.userNodes.instanceFamilies,
    nodeLabels: BUILDER_NODE_ROLE,
    taint: USER_TAINT,
    limits: { cpu: 32, memoryBytes: 128 * 2 ** 30 },
  });
}

/**
 * The storage pool (home-nfs mode): small on-demand nodes in the zone of the NFS volumes, for
 * the NFS servers only. Never spot: an interrupted NFS server stalls every server of its group.
 */
export function storagePoolManifests(plan: CapacityPlan, ctx: PoolContext): [EC2NodeClass, NodePool] {
  return platformPoolManifests(plan, ctx, {
    name: STORAGE_POOL,
    capacityTypes: ["on-demand"],
    // amd64 whatever the core nodes are: the NFS server image is not known to have an arm64 build.
    arch: "amd64",
    families: STORAGE_FAMILIES,
    nodeLabels: STORAGE_NODE_ROLE,
    taint: STORAGE_TAINT,
    pinned: true,
    // No zone: only the NFS servers tolerate the taint, and each selects the volumes' zone
    // itself, so Karpenter launches there. Naming the zone here put a Terraform reference into
    // the pools' values, which CDKTF then scanned once per fragment (quadratic in the groups).
    requirements: [{ key: "karpenter.k8s.aws/instance-size", operator: "In", values: [...STORAGE_SIZES] }],
    limits: storagePoolLimits(plan.nfsServers ?? 1),
  });
}

/**
 * Room for every NFS server twice over (a second node during a move), and never less than one
 * xlarge: the pool grows with the groups instead of running out at a fixed size.
 */
export function storagePoolLimits(servers: number): { cpu: number; memoryBytes: number } {
  return {
    cpu: Math.max(8, Math.ceil(servers * NFS_SERVER_REQUESTS.cpu * 2) + 4),
    memoryBytes: Math.max(32 * 2 ** 30, Math.ceil((servers * NFS_SERVER_REQUESTS.memoryBytes * 2) / 2 ** 30 + 8) * 2 ** 30),
  };
}

/** Every Karpenter object of the deployment, NodeClasses first. */
export function karpenterManifests(plan: CapacityPlan, ctx: PoolContext): (EC2NodeClass | NodePool)[] {
  const platform: (EC2NodeClass | NodePool)[] = [];
  if (plan.storagePool) platform.push(...storagePoolManifests(plan, ctx));
  if (plan.builder) platform.push(...builderPoolManifests(plan, ctx));
  return [
    ...plan.pools.map((p) => nodeClassManifest(plan, p, ctx)),
    ...platform.filter((m) => m.kind === "EC2NodeClass"),
    ...plan.pools.map((p) => nodePoolManifest(plan.userNodes, p)),
    ...platform.filter((m) => m.kind === "NodePool"),
  ];
}

/**
 * Kubernetes labels, taints and annotations dandihub puts on nodes and pods. z2jh's own
 * `hub.jupyter.org/*` keys are used where the chart already keys scheduling on them.
 */

/** z2jh schedules core pods (hub, proxy, scheduler) on this label and user pods on its `user` value. */
export const NODE_PURPOSE = "hub.jupyter.org/node-purpose";

export const CORE_NODE_LABELS = { [NODE_PURPOSE]: "core", "dandihub.org/node-role": "core" } as const;
/**
 * The on-demand core nodes (EKS labels a managed group's nodes with its capacity type): the hub,
 * the proxy and whatever holds a zonal volume, which a spot reclaim must not move.
 */
export const ON_DEMAND_CORE_NODE_LABELS = { ...CORE_NODE_LABELS, "eks.amazonaws.com/capacityType": "ON_DEMAND" } as const;
/**
 * The priority of those pods: above the stateless core pods' (0), so a stateless pod that took
 * their room while the spot share was away is preempted (it moves to spot) instead of leaving the
 * hub pending; below system-cluster-critical (CoreDNS, Karpenter, the CSI controllers).
 */
export const ON_DEMAND_CORE_PRIORITY = { name: "dandihub-on-demand-core", value: 1000 } as const;

/** The taint z2jh's user pods tolerate by default; it keeps everything else off user nodes. */
export const USER_TAINT = { key: "hub.jupyter.org/dedicated", value: "user", effect: "NoSchedule" } as const;

/** GPU nodes additionally repel pods that did not ask for a GPU. */
export const GPU_TAINT = { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" } as const;
/** The extended resource the NVIDIA device plugin advertises. */
export const GPU_RESOURCE = "nvidia.com/gpu";

/** Names the Karpenter NodePool a user node came from. */
export const POOL_LABEL = "dandihub.org/pool";

/**
 * The group a user node or server belongs to: on nodes (label and taint, so a group's servers
 * land only on its nodes and nothing else does) and on every user pod (billing, monitoring).
 */
export const GROUP_LABEL = "dandihub.org/group";

/** The profile a user server was started with (pod label; monitoring sums by it). */
export const PROFILE_LABEL = "dandihub.org/profile";

/** AWS tag carrying the group on everything billed to it (instances, volumes, buckets). */
export const GROUP_TAG = "dandihub:group";
/** AWS tag on every resource of a deployment (provider default tags). */
export const DEPLOYMENT_TAG = "dandihub:deployment";

/** Karpenter never voluntarily disrupts a node running a pod with this annotation. */
export const DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt";

/** Nodes of the storage pool (NFS servers): labelled with this role and tainted so nothing else lands there. */
export const STORAGE_NODE_ROLE = { "dandihub.org/node-role": "storage" } as const;
export const STORAGE_TAINT = { key: "dandihub.org/storage", value: "true", effect: "NoSchedule" } as const;

/** Tolerates the user-node taint (user servers, and whatever else must run on user nodes). */
export const USER_TOLERATION = { key: USER_TAINT.key, operator: "Equal", value: USER_TAINT.value, effect: USER_TAINT.effect } as const;

/** Karpenter's label on every NVIDIA GPU node, whatever its group or pool. */
export const NVIDIA_GPU_NODES = { "karpenter.k8s.aws/instance-gpu-manufacturer": "nvidia" } as const;

/** What an agent on every GPU user node tolerates: the GPU and user taints, and any group's taint. */
export const GPU_NODE_AGENT_TOLERATIONS = [
  { key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect },
  USER_TOLERATION,
  // GPU nodes belong to a group; the agent serves all of them.
  { key: GROUP_LABEL, operator: "Exists", effect: "NoSchedule" },
] as const;

/** Tag that puts a volume or file system in the daily backup (AWS Backup selects by it). */
export const BACKUP_TAG = { "dandihub:backup": "daily" } as const;

/** Keeps every other group's servers (and everything else) off a group's nodes. */
export function groupTaint(group: string): { readonly key: string; readonly value: string; readonly effect: "NoSchedule" } {
  return { key: GROUP_LABEL, value: group, effect: "NoSchedule" };
}

/** Nodes where image builds (and their privileged Docker daemon) run, and nothing else. */
export const BUILDER_NODE_ROLE = { "dandihub.org/node-role": "builder" } as const;

/** What a namespace dandihub creates is for (isolation policies select namespaces by it). */
export const ROLE_LABEL = "dandihub.org/role";
/** The role of each volume's NFS server namespace. */
export const NFS_SERVER_ROLE = "nfs-server";
/** Every namespace dandihub creates carries this label (admin network policies select by it). */
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "dandihub" } as const;
/** Label key Dask Gateway's controller puts on every scheduler and worker pod (users' code). */
export const DASK_CLUSTER_LABEL = "gateway.dask.org/cluster";

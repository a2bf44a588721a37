/**
 * Which Karpenter pools the deployment needs and how big each may grow: one pool per group,
 * CPU or GPU model, and capacity type. Decided here once; checks, the Karpenter objects and the
 * hub's placement table all read the same plan.
 */
import { allocatable, familyArch, GPU_FAMILIES_BY_TYPE, instancesOf, instanceType, type Arch, type GpuType, type InstanceShape } from "../../core/catalog/instance-types";
import type { Deployment, GroupConfig, ProfileConfig } from "../../config/schema";
import { parseQuantity, toGiB } from "../../config/units";
import { requests } from "../../core/resources";

/** The Karpenter controller, per replica; the chart puts its replicas on different nodes. */
export const KARPENTER_REQUESTS = requests(0.25, 512, 1024);

export type Capacity = "spot" | "on-demand";

export interface PoolLimits {
  readonly cpu: number;
  readonly memoryBytes: number;
  readonly gpus: number;
}

export interface PlannedPool {
  /** NodePool / EC2NodeClass name and `dandihub.org/pool` label value. */
  readonly name: string;
  readonly group: string;
  readonly capacity: Capacity;
  readonly gpuType?: GpuType;
  readonly families: readonly string[];
  readonly arch: Arch;
  /** Profiles of the group that land on this pool, in profile order. */
  readonly profiles: readonly string[];
  readonly limits: PoolLimits;
  /** Root volume of its nodes, GiB (nodeDiskGiB). */
  readonly diskGiB: number;
}

/** User nodes' root volume when nothing says better (the images are several GB each). */
export const DEFAULT_USER_DISK_GIB = 100;
/** Beyond the images: container logs, writable layers and emptyDirs of the servers on a node. */
export const USER_DISK_HEADROOM_GIB = 20;

/**
 * A pool's root volume: userNodes.diskSize when set; else the images that land on its nodes (the
 * profiles' images, every pre-pulled CPU image, and the pre-pulled GPU images on GPU pools) and the
 * headroom, when each of them has a nodeDisk and no profile there takes own images.
 */
export function nodeDiskGiB(d: Deployment, group: GroupConfig, profiles: readonly string[], gpu: boolean): number {
  if (d.userNodes.diskSize) return toGiB(parseQuantity(d.userNodes.diskSize));
  const own = (group.customImages.own || group.customImages.build) && profiles.some((p) => d.profiles[p]?.customImages);
  const names = new Set([
    ...profiles.flatMap((p) => d.profiles[p]?.images ?? []),
    ...Object.entries(d.images).filter(([, i]) => i.prePull && (gpu || !i.gpu)).map(([k]) => k),
  ]);
  const sizes = [...names].map((n) => d.images[n]?.nodeDisk);
  if (own || sizes.some((s) => s === undefined)) return DEFAULT_USER_DISK_GIB;
  const gib = sizes.reduce((sum, s) => sum + parseQuantity(s!) / 2 ** 30, 0) + USER_DISK_HEADROOM_GIB;
  return Math.max(30, Math.ceil(gib / 10) * 10);
}

/** Instance types a profile may run on, after pins and GPU type. */
export function candidateInstances(d: Deployment, p: ProfileConfig): readonly InstanceShape[] {
  return memo(candidates, d, p, () => {
    if (p.instanceTypes) return p.instanceTypes.map(instanceType).filter((s): s is InstanceShape => !!s);
    const families = p.gpu
      ? (d.userNodes.gpuFamilies ?? GPU_FAMILIES_BY_TYPE[p.gpu.type]).filter((f) => instancesOf(f)[0]?.gpuType === p.gpu!.type)
      : d.userNodes.instanceFamilies;
    return families.flatMap(instancesOf);
  });
}

/** The candidate instances with room for one server of the profile, smallest first. */
export function fittingInstances(d: Deployment, p: ProfileConfig): readonly InstanceShape[] {
  return memo(fitting, d, p, () => {
    const memory = parseQuantity(p.memory.guarantee);
    return candidateInstances(d, p)
      .filter((s) => {
        const free = allocatable(s);
        return free.vcpu >= p.cpu.guarantee && free.memoryGiB * 2 ** 30 >= memory && s.gpus >= (p.gpu?.count ?? 0);
      })
      .sort((a, b) => a.vcpu - b.vcpu || a.memoryGiB - b.memoryGiB);
  });
}

/** The families of a profile's candidate instances, in the order they come. */
function candidateFamilies(d: Deployment, p: ProfileConfig): readonly string[] {
  return memo(familyLists, d, p, () => [...new Set(candidateInstances(d, p).map((i) => i.family))]);
}

// A profile is granted by many groups and checked for each: its instances are worked out once per file.
type ByProfile<T> = WeakMap<Deployment, Map<ProfileConfig, readonly T[]>>;
const candidates: ByProfile<InstanceShape> = new WeakMap();
const fitting: ByProfile<InstanceShape> = new WeakMap();
const familyLists: ByProfile<string> = new WeakMap();

function memo<T>(cache: ByProfile<T>, d: Deployment, p: ProfileConfig, compute: () => T[]): readonly T[] {
  let byProfile = cache.get(d);
  if (!byProfile) cache.set(d, (byProfile = new Map()));
  let values = byProfile.get(p);
  if (!values) {
    values = Object.freeze(compute());
    byProfile.set(p, values);
  }
  return values;
}

export function capacityOf(group: GroupConfig, profile: ProfileConfig): Capacity {
  return group.capacity === "per-profile" ? profile.capacity : group.capacity;
}

export function poolName(group: string, profile: ProfileConfig, capacity: Capacity): string {
  return `${group}-${profile.gpu ? `gpu-${profile.gpu.type}` : "cpu"}-${capacity}`;
}

/** Share of the group's limits a pool of this capacity gets (all of it when the group has one capacity type). */
function share(group: GroupConfig, capacity: Capacity, capacities: Set<Capacity>): number {
  if (capacities.size < 2) return 1;
  return capacity === "on-demand" ? group.limits.onDemandShare : 1 - group.limits.onDemandShare;
}

const plans = new WeakMap<Deployment, readonly PlannedPool[]>();

/**
 * Every pool, in group then profile order. CPU pools share the group's cpu and memory limits;
 * GPU pools share its GPU limit, and their cpu/memory limits follow from the GPUs (the most
 * vCPUs and memory per GPU among the pool's instance types) so they never block a GPU node.
 * Planned once per loaded file: the checks and the resolution read the same plan.
 */
export function planPools(d: Deployment): readonly PlannedPool[] {
  let plan = plans.get(d);
  if (!plan) {
    plan = computePools(d);
    plans.set(d, plan);
  }
  return plan;
}

function computePools(d: Deployment): PlannedPool[] {
  const pools: PlannedPool[] = [];
  for (const [groupName, group] of Object.entries(d.groups)) {
    const granted = group.profiles.filter((p) => d.profiles[p]).map((p) => [p, d.profiles[p]] as const);
    const byName = new Map<string, { capacity: Capacity; gpuType?: GpuType; families: Set<string>; instances: InstanceShape[]; profiles: string[] }>();
    for (const [profileName, profile] of granted) {
      const capacity = capacityOf(group, profile);
      const name = poolName(groupName, profile, capacity);
      const pool = byName.get(name) ?? { capacity, gpuType: profile.gpu?.type, families: new Set<string>(), instances: [], profiles: [] };
      if (!profile.gpu) d.userNodes.instanceFamilies.forEach((f) => pool.families.add(f));
      candidateFamilies(d, profile).forEach((f) => pool.families.add(f));
      // Only a GPU pool's limits read its instances (CPU and memory per GPU).
      if (profile.gpu) pool.instances.push(...candidateInstances(d, profile));
      pool.profiles.push(profileName);
      byName.set(name, pool);
    }
    const cpuCapacities = new Set([...byName.values()].filter((p) => !p.gpuType).map((p) => p.capacity));
    const gpuCapacities = new Set([...byName.values()].filter((p) => p.gpuType).map((p) => p.capacity));
    const memory = parseQuantity(group.limits.memory);
    for (const [name, pool] of byName) {
      const families = [...pool.families].sort();
      let limits: PoolLimits;
      if (pool.gpuType) {
        const gpus = Math.floor(group.limits.gpus * share(group, pool.capacity, gpuCapacities));
        // A GPU pool holds GPU instances only (checks refuse a GPU profile pinned to anything else).
        const cpuPerGpu = Math.max(...pool.instances.map((i) => i.vcpu / i.gpus));
        const memPerGpu = Math.max(...pool.instances.map((i) => i.memoryGiB / i.gpus));
        limits = { cpu: Math.ceil(gpus * cpuPerGpu), memoryBytes: Math.ceil(gpus * memPerGpu) * 2 ** 30, gpus };
      } else {
        const part = share(group, pool.capacity, cpuCapacities);
        limits = { cpu: Math.floor(group.limits.cpu * part), memoryBytes: Math.floor((memory * part) / 2 ** 30) * 2 ** 30, gpus: 0 };
      }
      const diskGiB = nodeDiskGiB(d, group, pool.profiles, pool.gpuType !== undefined);
      pools.push({ name, group: groupName, capacity: pool.capacity, gpuType: pool.gpuType, families, arch: familyArch(families[0])!, profiles: pool.profiles, limits, diskGiB });
    }
  }
  return pools;
}

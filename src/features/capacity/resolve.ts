/** User capacity, resolved: node settings, each profile's size, each group's pools. */
import { familyArch, type Arch, type GpuType, type InstanceShape } from "../../core/catalog/instance-types";
import type { Deployment, ProfileConfig } from "../../config/schema";
import { parseDuration, parseQuantity, toGiB } from "../../config/units";
import { candidateInstances, DEFAULT_USER_DISK_GIB, type Capacity, type PlannedPool } from "./pools";

export interface ResolvedUserNodes {
  readonly instanceFamilies: readonly string[];
  readonly arch: Arch;
  readonly diskGiB: number;
  readonly ami: string;
  readonly expireAfterSeconds: number;
  readonly terminationGracePeriodSeconds: number;
  readonly consolidateAfterSeconds: number;
}

/** What a profile asks of a node. */
export interface ProfileSize {
  readonly cpu: { readonly guarantee: number; readonly limit: number };
  readonly memory: { readonly guaranteeBytes: number; readonly limitBytes: number };
  readonly gpu?: { readonly count: number; readonly type: GpuType };
  /** Instance types Karpenter may launch for this profile (pinned, or every size of its families). */
  readonly instances: readonly InstanceShape[];
  readonly pinnedInstanceTypes?: readonly string[];
}

/** The pool a granted profile lands on, and its capacity type. */
export interface Placement {
  readonly pool: string;
  readonly capacity: Capacity;
}

export function resolveUserNodes(d: Deployment): ResolvedUserNodes {
  const u = d.userNodes;
  return {
    instanceFamilies: u.instanceFamilies,
    arch: familyArch(u.instanceFamilies[0])!,
    diskGiB: u.diskSize ? toGiB(parseQuantity(u.diskSize)) : DEFAULT_USER_DISK_GIB,
    ami: u.ami,
    expireAfterSeconds: parseDuration(u.expireAfter),
    terminationGracePeriodSeconds: parseDuration(u.terminationGracePeriod),
    consolidateAfterSeconds: parseDuration(u.consolidateAfter),
  };
}

export function profileSize(d: Deployment, p: ProfileConfig): ProfileSize {
  return {
    cpu: { guarantee: p.cpu.guarantee, limit: p.cpu.limit },
    memory: { guaranteeBytes: parseQuantity(p.memory.guarantee), limitBytes: parseQuantity(p.memory.limit) },
    gpu: p.gpu ? { count: p.gpu.count, type: p.gpu.type } : undefined,
    instances: candidateInstances(d, p),
    pinnedInstanceTypes: p.instanceTypes,
  };
}

/** A group's placements: each granted profile's pool, from the plan. */
export function placementsOf(pools: readonly PlannedPool[], group: string): Record<string, Placement> {
  const placements: Record<string, Placement> = {};
  for (const pool of pools.filter((p) => p.group === group)) {
    for (const profile of pool.profiles) placements[profile] = { pool: pool.name, capacity: pool.capacity };
  }
  return placements;
}

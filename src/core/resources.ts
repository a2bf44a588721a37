/**
 * What a core pod asks the scheduler for, as numbers: the values carry them formatted, and the
 * core-node checks add them up, so both read the same constant.
 */
import { formatQuantity } from "../config/units";

const MI = 2 ** 20;

export interface PodRequests {
  /** vCPUs requested. */
  readonly cpu: number;
  readonly memoryBytes: number;
  /** Where the container is killed; no CPU limit, so idle CPU is shared. */
  readonly memoryLimitBytes: number;
}

export const requests = (cpu: number, memoryMi: number, limitMi: number): PodRequests => ({ cpu, memoryBytes: memoryMi * MI, memoryLimitBytes: limitMi * MI });

/** A container's `resources` block. */
export function containerResources(r: PodRequests): { requests: { cpu: string; memory: string }; limits: { memory: string } } {
  return { requests: { cpu: `${Math.round(r.cpu * 1000)}m`, memory: formatQuantity(r.memoryBytes) }, limits: { memory: formatQuantity(r.memoryLimitBytes) } };
}

/**
 * What must run on the on-demand core nodes, by the requests the values give it. With a spot
 * share (cluster.coreNodes.spot) every on-demand core node is in the volumes' zone and holds the
 * pods a spot reclaim must not move: the hub, the proxy and whatever has a zonal volume. The
 * checks refuse a deployment whose on-demand nodes cannot hold them, before synthesis.
 */
import { allocatable, instanceType } from "../../core/catalog/instance-types";
import type { PodRequests } from "../../core/resources";
import type { Deployment } from "../../config/schema";
import { KARPENTER_REQUESTS } from "../capacity/pools";
import { HUB_REQUESTS, PROXY_REQUESTS, TRAEFIK_REQUESTS } from "../hub/values";
import { PROMETHEUS_REQUESTS } from "../monitoring/values";
import { NFS_SERVER_REQUESTS, volumesOf } from "../storage/layout";
import { nfsServersOf } from "../storage/resolve";

const GIB = 2 ** 30;

export interface PinnedWorkload {
  readonly name: string;
  readonly requests: PodRequests;
  readonly pods: number;
}

/** The pods pinned to on-demand core nodes (ON_DEMAND_CORE_NODE_LABELS), and one Karpenter replica. */
export function onDemandCoreWorkloads(d: Deployment): PinnedWorkload[] {
  const nfs = d.storage.mode === "home-nfs" && nfsServersOf(d) === "core";
  return [
    { name: "hub", requests: HUB_REQUESTS, pods: 1 },
    { name: "proxy", requests: PROXY_REQUESTS, pods: 1 },
    ...(d.hub.tls.letsEncrypt ? [{ name: "autohttps", requests: TRAEFIK_REQUESTS, pods: 1 }] : []),
    ...(nfs ? [{ name: "NFS servers", requests: NFS_SERVER_REQUESTS, pods: volumesOf(Object.keys(d.groups)).length }] : []),
    ...(d.monitoring.enabled ? [{ name: "Prometheus", requests: PROMETHEUS_REQUESTS, pods: 1 }] : []),
    // The chart spreads its replicas one per node: one lands on an on-demand node.
    { name: "Karpenter (one replica)", requests: KARPENTER_REQUESTS, pods: 1 },
  ];
}

export interface CoreFit {
  readonly cpu: number;
  readonly memoryGiB: number;
  /** What the on-demand nodes leave for pods, all of them together. */
  readonly freeCpu: number;
  readonly freeMemoryGiB: number;
  /** Whether the pods fit, node by node (first fit, largest first). */
  readonly fits: boolean;
}

/** Whether `min` on-demand core nodes hold the pinned pods by their requests. */
export function onDemandCoreFit(d: Deployment): CoreFit | undefined {
  const shape = instanceType(d.cluster.coreNodes.instanceTypes[0] ?? "");
  if (!shape) return undefined;
  const free = allocatable(shape);
  const nodes = Array.from({ length: d.cluster.coreNodes.min }, () => ({ cpu: free.vcpu, memoryBytes: free.memoryGiB * GIB }));
  const pods = onDemandCoreWorkloads(d)
    .flatMap((w) => Array.from({ length: w.pods }, () => w.requests))
    .sort((a, b) => b.memoryBytes - a.memoryBytes || b.cpu - a.cpu);
  let fits = true;
  for (const pod of pods) {
    const node = nodes.find((n) => n.cpu >= pod.cpu - 1e-9 && n.memoryBytes >= pod.memoryBytes);
    if (!node) fits = false;
    else {
      node.cpu -= pod.cpu;
      node.memoryBytes -= pod.memoryBytes;
    }
  }
  const sum = (f: (r: PodRequests) => number) => pods.reduce((s, r) => s + f(r), 0);
  return {
    cpu: sum((r) => r.cpu),
    memoryGiB: sum((r) => r.memoryBytes) / GIB,
    freeCpu: free.vcpu * d.cluster.coreNodes.min,
    freeMemoryGiB: free.memoryGiB * d.cluster.coreNodes.min,
    fits,
  };
}

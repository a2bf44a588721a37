/** Connections storage needs (rendered by features/isolation). */
import { HUB_NAMESPACE } from "../../core/names";
import { address, HTTPS, pods, type Flow, type PodSet } from "../../core/network";
import { HUB_API, HUB_PODS } from "../hub/network";
import { PROMETHEUS_PODS } from "../monitoring/network";
import { GROWER_COMPONENT } from "./jobs";
import { NFS_PORTS, storageNamespace } from "./layout";

/** A volume's NFS server (the chart labels its pod `app: nfs-server`). */
export function nfsServerPods(volume: string): PodSet {
  return { name: "nfs-server", namespace: storageNamespace(volume), labels: { app: "nfs-server" } };
}

/** The inactive-home jobs (the storage jobs that call the hub carry z2jh's access label). */
export const RETENTION_JOB_PODS: PodSet = {
  name: "retention-jobs",
  namespace: HUB_NAMESPACE,
  labels: { "app.kubernetes.io/component": "storage-job", "hub.jupyter.org/network-access-hub": "true" },
};

/** The volume growers (they reach only EC2's API). */
export const GROWER_JOB_PODS: PodSet = { name: "volume-growers", namespace: HUB_NAMESPACE, labels: { "app.kubernetes.io/component": GROWER_COMPONENT } };

export interface StorageNetworkInput {
  /** Volumes with an NFS server (home-nfs mode); none with EFS. */
  readonly nfsVolumes: readonly string[];
  /** Prometheus runs (it scrapes the servers' quota metrics). @default false */
  readonly monitoring?: boolean;
  /** Volumes grow by themselves (storage.growth, home-nfs). @default false */
  readonly growth?: boolean;
}

/** The home-nfs chart's metrics exporter (directory sizes and quotas). */
export const NFS_METRICS_PORT = 9100;

export function storageFlows(input: StorageNetworkInput): Flow[] {
  return [
    // The kernel NFS client on a node connects from the node's own address (kubelet mounts the
    // export for the pod), never from a pod: the server admits nodes only.
    ...input.nfsVolumes.map((v): Flow => ({ from: address("nodes"), to: pods(nfsServerPods(v)), ports: NFS_PORTS.map((port) => ({ port })), why: `nodes mount volume ${v} for their pods` })),
    ...(input.monitoring
      ? input.nfsVolumes.map((v): Flow => ({ from: pods(PROMETHEUS_PODS), to: pods(nfsServerPods(v)), ports: [{ port: NFS_METRICS_PORT }], why: `Prometheus reads volume ${v}'s quotas` }))
      : []),
    // Cleanup jobs need no network at all (their volume is mounted by the node).
    { from: pods(RETENTION_JOB_PODS), to: pods(HUB_PODS), ports: HUB_API, why: "the inactive-home job reads last activity from the hub" },
    { from: pods(RETENTION_JOB_PODS), to: address("internet"), ports: HTTPS, why: "home archives go to S3" },
    { from: pods(RETENTION_JOB_PODS), to: address("podIdentity"), why: "the inactive-home job's AWS role (S3)" },
    ...(input.growth
      ? [
          { from: pods(GROWER_JOB_PODS), to: address("internet"), ports: HTTPS, why: "volume growers call EC2 (describe, modify their volume)" },
          { from: pods(GROWER_JOB_PODS), to: address("podIdentity"), why: "the volume growers' AWS role" },
        ]
      : []),
  ];
}

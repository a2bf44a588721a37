/**
 * Names several features refer to: namespaces, the cluster's service range, storage classes,
 * service accounts, the hub's API and the hub services dandihub registers. Defined once here so
 * no feature imports another feature's construct for a string.
 */

/** Kubernetes namespaces dandihub owns. */
export const HUB_NAMESPACE = "jupyterhub";
export const MONITORING_NAMESPACE = "monitoring";
/** Karpenter, the load balancer controller and the GPU device plugin run here. */
export const SYSTEM_NAMESPACE = "kube-system";

/** The cluster's Service range (fixed: changing it replaces the cluster). */
export const SERVICE_CIDR_BLOCK = "172.20.0.0/16";

/** Storage classes (features/storage/storage-classes.ts creates them). */
export const STORAGE_CLASSES = {
  /** Scratch volumes: deleted with their claim. The cluster default. */
  ephemeral: "gp3",
  /** Anything that holds user data (homes, hub database, Prometheus): the EBS volume outlives its claim. */
  retained: "gp3-retain",
} as const;

/** Service account of a group's user servers (their AWS identity through EKS Pod Identity). */
export function userServiceAccount(group: string): string {
  return `user-${group}`;
}

/** The hub's API inside the cluster (z2jh's `hub` Service). */
export const HUB_API_PORT = 8081;
export const HUB_API_URL = `http://hub.${HUB_NAMESPACE}.svc:${HUB_API_PORT}/hub/api`;

/** Hub services dandihub registers (z2jh generates each one's API token into its `hub` Secret). */
export const HUB_SERVICES = {
  retention: "dandihub-retention",
  exporter: "dandihub-exporter",
  prometheus: "prometheus",
  grafana: "grafana",
  /** /services/binder/: the name jupyterhub-fancy-profiles expects. */
  builder: "binder",
  daskGateway: "dask-gateway",
  /** /services/dandihub-usage/: spend against budget, use against quota, budget extensions. */
  usage: "dandihub-usage",
} as const;

/** A hub service's API token, as an env var source: z2jh keeps it in the hub's `hub` Secret. */
export function hubServiceToken(service: string): { readonly secretKeyRef: { readonly name: string; readonly key: string } } {
  return { secretKeyRef: { name: "hub", key: `hub.services.${service}.apiToken` } };
}

/**
 * Who owns every file on user volumes: jovyan (uid 1000) and its group `users` (gid 100), the
 * identity z2jh runs user servers as (singleuser.uid / fsGid, set from this). Ownership is forced,
 * not changed after the fact: home-nfs exports are All_Squash with this anonymous uid/gid, so every
 * file created through NFS (kubelet's subPath directories too) is owned by it and every access is
 * made as it; EFS volumes are mounted through an access point with this POSIX user.
 */
export const USER_IDENTITY = { uid: 1000, gid: 100 } as const;

/** Prefix of the hub load balancer's access log objects in their bucket. */
export const ACCESS_LOG_PREFIX = "nlb";

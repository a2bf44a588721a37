/**
 * Where user data lives and where it appears in a server. Every volume (a group's, and the
 * hub-wide common one) has the same layout, in either storage mode:
 *
 *   /<username>/   homes (home-nfs: a hard XFS project quota each)
 *   /_shared/      the group's shared directory (its own quota)
 *   /_reports/     cleanup, retention and usage reports (admins only)
 */
import type { HubConfig } from "../config/resolve";

/**
 * Who owns every file on user volumes: jovyan (uid 1000) and its group `users` (gid 100), the
 * identity z2jh runs user servers as (singleuser.uid / fsGid, set from this). Ownership is forced,
 * not changed after the fact: home-nfs exports are All_Squash with this anonymous uid/gid, so every
 * file created through NFS (kubelet's subPath directories too) is owned by it and every access is
 * made as it; EFS volumes are mounted through an access point with this POSIX user.
 */
export const USER_IDENTITY = { uid: 1000, gid: 100 } as const;

export const SHARED_DIR = "_shared";
export const REPORTS_DIR = "_reports";

/** Name of the PersistentVolumeClaim (hub namespace) of a volume: a group's, or `common`. */
export function claimName(volume: string): string {
  return volume === "common" ? "shared-common" : `home-${volume}`;
}

/** Namespace of a volume's NFS server (home-nfs mode): one per volume, as the chart's selectors require. */
export function storageNamespace(volume: string): string {
  return `storage-${volume}`;
}

/** Paths inside a user's server. */
export const MOUNT_PATHS = {
  home: "/home/jovyan",
  groupShared: (group: string) => `/shared/${group}`,
  common: "/shared/hub",
  otherHome: (group: string) => `/mnt/homes/${group}`,
  allHomes: (group: string) => `/mnt/all-homes/${group}`,
} as const;

/**
 * The Kubernetes service range, fixed so NFS servers get stable addresses: kubelet mounts NFS
 * from the node, which cannot resolve cluster DNS names.
 */
/** What one NFS server pod requests (also how the cost estimate sizes the storage node). */
export const NFS_SERVER_REQUESTS = { cpu: 0.1, memoryBytes: 256 * 2 ** 20 } as const;

export const SERVICE_CIDR = "172.20.0.0/16";

/** Every volume of the deployment: the common one first, then one per group. */
export function volumes(config: HubConfig): string[] {
  return ["common", ...config.groups.map((g) => g.key)];
}

/** Fixed ClusterIP of a volume's NFS service, inside SERVICE_CIDR. */
export function nfsServiceIp(config: HubConfig, volume: string): string {
  const index = volumes(config).indexOf(volume);
  if (index < 0) throw new Error(`no volume ${volume}`);
  return `172.20.250.${10 + index}`;
}

/**
 * Where user data lives and where it appears in a server. Every volume (a group's, and the
 * hub-wide common one) has the same layout, in either storage mode:
 *
 *   /<username>/   homes (home-nfs: a hard XFS project quota each)
 *   /_shared/      the group's shared directory (its own quota)
 *   /_reports/     cleanup, retention and usage reports (admins only)
 */
import { requests } from "../../core/resources";

export const SHARED_DIR = "_shared";
export const REPORTS_DIR = "_reports";

/** The hub-wide volume (curated data, read-only for users). */
export const COMMON_VOLUME = "common";

/** Name of the PersistentVolumeClaim (hub namespace) of a volume: a group's, or `common`. */
export function claimName(volume: string): string {
  return volume === COMMON_VOLUME ? "shared-common" : `home-${volume}`;
}

/** Namespace of a volume's NFS server (home-nfs mode): one per volume, as the chart's selectors require. */
export function storageNamespace(volume: string): string {
  return `storage-${volume}`;
}

/** NFS, mountd and rpcbind: the ports of the home-nfs server. */
export const NFS_PORTS = [2049, 20048, 111] as const;

/** Paths inside a user's server. */
export const MOUNT_PATHS = {
  home: "/home/jovyan",
  groupShared: (group: string) => `/shared/${group}`,
  common: "/shared/hub",
  otherHome: (group: string) => `/mnt/homes/${group}`,
  allHomes: (group: string) => `/mnt/all-homes/${group}`,
} as const;

/**
 * What one NFS server pod requests (also how the cost estimate sizes the storage node): its
 * work is the disk's, and it has no CPU limit, so a busy server takes the node's idle CPU.
 */
export const NFS_SERVER_REQUESTS = requests(0.025, 256, 1024);

/** Every volume of a deployment: the common one first, then one per group. */
export function volumesOf(groups: readonly string[]): string[] {
  return [COMMON_VOLUME, ...groups];
}

/** Storage, resolved: sizes in GiB, durations in seconds, each group's quotas and extra mounts. */
import type { Deployment, GroupConfig } from "../../config/schema";
import { formerKeysOf } from "../../config/renames";
import { parseDuration, parseQuantity, toGiB } from "../../config/units";
import { instanceType } from "../../core/catalog/instance-types";
import { NFS_SERVER_REQUESTS } from "./layout";

export interface ResolvedStorage {
  readonly mode: "home-nfs" | "efs";
  /** Where NFS servers run: the core node in the volumes' zone, or a storage node of their own. */
  readonly servers: "core" | "dedicated";
  /** The hub-wide volume's cap (its size when growth is off). */
  readonly commonSizeGiB: number;
  /** What the hub-wide volume is made with. */
  readonly commonInitialGiB: number;
  /** `schedule` unset: each volume's grower at its own offset (jobs.ts spreadMinute). */
  readonly growth: { readonly enabled: boolean; readonly threshold: number; readonly schedule?: string; readonly dryRun: boolean };
  readonly scratch: { readonly enabled: boolean; readonly expireAfterDays: number };
  readonly backups: { readonly keepDays: number; readonly schedule: string; readonly lock: boolean };
  /** S3 server access logs of the group buckets, when on. */
  readonly accessLogs?: { readonly keepDays: number };
  readonly retention: {
    readonly enabled: boolean;
    readonly warnAfterSeconds: number;
    readonly resetAfterSeconds: number;
    readonly dryRun: boolean;
    /** Unset: Mondays 06:mm, mm from the group's key (jobs.ts spreadMinute). */
    readonly schedule?: string;
  };
  readonly cleanup: readonly {
    readonly volume: string;
    readonly path: string;
    readonly olderThanSeconds: number;
    readonly dryRun: boolean;
    readonly schedule: string;
  }[];
  readonly allowDestroy: boolean;
  /** Whose key encrypts user data: this deployment's (a KMS key it creates) or AWS's. */
  readonly kmsKey: "customer" | "aws-managed";
}

export interface GroupStorage {
  /**
   * Name of the group's volume and bucket and of their namespace, claim and PersistentVolume:
   * the key the group was created under (its oldest `renamedFrom`), since none of those names
   * can change without replacing what holds the data.
   */
  readonly volume: string;
  readonly homeQuotaGiB: number;
  readonly sharedQuotaGiB: number;
  readonly quotaOverridesGiB: Readonly<Record<string, number>>;
  /** The most the volume may grow to (its size when growth is off). */
  readonly volumeSizeGiB: number;
  /** What the volume is made with. */
  readonly initialSizeGiB: number;
}

export interface ResolvedMount {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
  readonly nfs?: { readonly server: string; readonly path: string };
  readonly pvc?: { readonly claimName: string };
}

/** A group's storage slice. */
export interface StorageGroup {
  readonly key: string;
  /** Keys it had before, oldest first. */
  readonly formerKeys: readonly string[];
  readonly storage: GroupStorage;
  readonly mounts: readonly ResolvedMount[];
  readonly readBuckets: readonly string[];
}

function gib(quantity: string): number {
  return toGiB(parseQuantity(quantity));
}

export function resolveStorage(d: Deployment): ResolvedStorage {
  const s = d.storage;
  const volumeOf = (key: string) => (key in d.groups ? volumeName(key, d.groups[key]) : key);
  return {
    mode: s.mode,
    servers: nfsServersOf(d),
    commonSizeGiB: gib(s.common.size),
    commonInitialGiB: initialGiB(s.growth.enabled, s.common.size, s.common.initialSize),
    growth: { ...s.growth },
    scratch: { enabled: s.scratch.enabled, expireAfterDays: Math.max(1, Math.ceil(parseDuration(s.scratch.expireAfter) / 86400)) },
    backups: { keepDays: s.backups.keepDays, schedule: s.backups.schedule, lock: s.backups.lock },
    ...(s.accessLogs.enabled ? { accessLogs: { keepDays: s.accessLogs.keepDays } } : {}),
    retention: {
      enabled: s.retention.enabled,
      warnAfterSeconds: parseDuration(s.retention.warnAfter),
      resetAfterSeconds: parseDuration(s.retention.resetAfter),
      dryRun: s.retention.dryRun,
      schedule: s.retention.schedule,
    },
    cleanup: s.cleanup.map((c) => ({ volume: volumeOf(c.volume), path: c.path, olderThanSeconds: parseDuration(c.olderThan), dryRun: c.dryRun, schedule: c.schedule })),
    allowDestroy: s.allowDestroy,
    kmsKey: s.kmsKey,
  };
}

/**
 * NFS servers fit on the core node in the volumes' zone: one per zone, few enough volumes to
 * attach (a Nitro node has 28 slots shared with its network interfaces and root disk) and the
 * servers' memory within a quarter of the node. The core nodes must also be amd64 (the server
 * images are built for amd64 only): platform checks report that with every amd64-only component.
 */
export const MAX_CORE_NFS_VOLUMES = 20;

export function coreNfsProblem(d: Deployment): string | undefined {
  const shape = instanceType(d.cluster.coreNodes.instanceTypes[0] ?? "");
  const volumes = Object.keys(d.groups).length + 1;
  // With a spot share every on-demand core node is in the volumes' zone.
  if (!d.cluster.coreNodes.spot && d.cluster.coreNodes.desired < d.network.azs) return `cluster.coreNodes.desired (${d.cluster.coreNodes.desired}) must be at least network.azs (${d.network.azs}), so the volumes' zone has a core node`;
  if (volumes > MAX_CORE_NFS_VOLUMES) return `${volumes} volumes (one per group and the hub-wide one) are more than one node attaches alongside its own (at most ${MAX_CORE_NFS_VOLUMES})`;
  if (shape && volumes * NFS_SERVER_REQUESTS.memoryBytes > (shape.memoryGiB * 2 ** 30) / 4) return `${volumes} NFS servers need more than a quarter of a ${shape.name}'s memory`;
  return undefined;
}

/** Where the NFS servers run: as set, else on the core nodes when they can serve them. */
export function nfsServersOf(d: Deployment): "core" | "dedicated" {
  return d.storage.servers ?? (coreCanServe(d) ? "core" : "dedicated");
}

function coreCanServe(d: Deployment): boolean {
  const arch = instanceType(d.cluster.coreNodes.instanceTypes[0] ?? "")?.arch;
  return d.storage.mode === "home-nfs" && arch === "amd64" && coreNfsProblem(d) === undefined;
}

/** Volumes start here when they grow by themselves. */
export const DEFAULT_INITIAL_GIB = 20;

function initialGiB(growth: boolean, cap: string, initial: string | undefined): number {
  if (!growth) return gib(cap);
  return initial === undefined ? Math.min(DEFAULT_INITIAL_GIB, gib(cap)) : gib(initial);
}

/** The volume of a group: named after the key it was created under. */
function volumeName(key: string, g: GroupConfig): string {
  return formerKeysOf(g.renamedFrom)[0] ?? key;
}

export function resolveGroupStorage(key: string, g: GroupConfig, growth: boolean): GroupStorage {
  return {
    volume: volumeName(key, g),
    homeQuotaGiB: gib(g.storage.homeQuota),
    sharedQuotaGiB: gib(g.storage.sharedQuota),
    quotaOverridesGiB: Object.fromEntries(Object.entries(g.storage.quotaOverrides).map(([u, q]) => [u, gib(q)])),
    volumeSizeGiB: gib(g.storage.volumeSize),
    initialSizeGiB: initialGiB(growth, g.storage.volumeSize, g.storage.initialSize),
  };
}

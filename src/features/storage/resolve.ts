/** Storage, resolved: sizes in GiB, durations in seconds, each group's quotas and extra mounts. */
import type { Deployment, GroupConfig } from "../../config/schema";
import { formerKeysOf } from "../../config/renames";
import { parseDuration, parseQuantity, toGiB } from "../../config/units";

export interface ResolvedStorage {
  readonly mode: "home-nfs" | "efs";
  readonly commonSizeGiB: number;
  readonly scratch: { readonly enabled: boolean; readonly expireAfterDays: number };
  readonly backups: { readonly keepDays: number; readonly schedule: string };
  readonly retention: {
    readonly enabled: boolean;
    readonly warnAfterSeconds: number;
    readonly resetAfterSeconds: number;
    readonly dryRun: boolean;
    readonly schedule: string;
  };
  readonly cleanup: readonly {
    readonly volume: string;
    readonly path: string;
    readonly olderThanSeconds: number;
    readonly dryRun: boolean;
    readonly schedule: string;
  }[];
  readonly allowDestroy: boolean;
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
  readonly volumeSizeGiB: number;
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
    commonSizeGiB: gib(s.common.size),
    scratch: { enabled: s.scratch.enabled, expireAfterDays: Math.max(1, Math.ceil(parseDuration(s.scratch.expireAfter) / 86400)) },
    backups: { keepDays: s.backups.keepDays, schedule: s.backups.schedule },
    retention: {
      enabled: s.retention.enabled,
      warnAfterSeconds: parseDuration(s.retention.warnAfter),
      resetAfterSeconds: parseDuration(s.retention.resetAfter),
      dryRun: s.retention.dryRun,
      schedule: s.retention.schedule,
    },
    cleanup: s.cleanup.map((c) => ({ volume: volumeOf(c.volume), path: c.path, olderThanSeconds: parseDuration(c.olderThan), dryRun: c.dryRun, schedule: c.schedule })),
    allowDestroy: s.allowDestroy,
  };
}

/** The volume of a group: named after the key it was created under. */
function volumeName(key: string, g: GroupConfig): string {
  return formerKeysOf(g.renamedFrom)[0] ?? key;
}

export function resolveGroupStorage(key: string, g: GroupConfig): GroupStorage {
  return {
    volume: volumeName(key, g),
    homeQuotaGiB: gib(g.storage.homeQuota),
    sharedQuotaGiB: gib(g.storage.sharedQuota),
    quotaOverridesGiB: Object.fromEntries(Object.entries(g.storage.quotaOverrides).map(([u, q]) => [u, gib(q)])),
    volumeSizeGiB: gib(g.storage.volumeSize),
  };
}

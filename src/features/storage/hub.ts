/**
 * What storage adds to the hub: where homes and shared directories are (hub/dandihub_hub mounts
 * them per spawn), each group's claim, quotas, scratch bucket and AWS identity, its extra mounts,
 * the identity user servers run as, and the retention job's hub service and role.
 */
import type { HubContribution } from "../../core/hub-contribution";
import { HUB_SERVICES, USER_IDENTITY, userServiceAccount } from "../../core/names";
import { bucketRef, STORAGE_REFS_CONFIGMAP } from "./jobs";
import { claimName, COMMON_VOLUME, MOUNT_PATHS, SHARED_DIR } from "./layout";
import type { ResolvedMount, ResolvedStorage, StorageGroup } from "./resolve";

function volumeName(group: string, mount: ResolvedMount): string {
  return `group-${group}-${mount.name}`;
}

export interface StorageHubInput {
  readonly storage: ResolvedStorage;
  readonly groups: readonly StorageGroup[];
}

export function storageHubContribution({ storage, groups }: StorageHubInput): HubContribution {
  const retention = storage.retention.enabled;
  return {
    values: {
      // `none`: homes are mounted per group by hub/dandihub_hub/spawn.py, not by z2jh.
      singleuser: { storage: { type: "none", homeMountPath: MOUNT_PATHS.home }, uid: USER_IDENTITY.uid, fsGid: USER_IDENTITY.gid },
    },
    settings: {
      storage: {
        mode: storage.mode,
        sharedDir: SHARED_DIR,
        commonClaim: claimName(COMMON_VOLUME),
        paths: {
          home: MOUNT_PATHS.home,
          groupShared: MOUNT_PATHS.groupShared("{group}"),
          common: MOUNT_PATHS.common,
          otherHome: MOUNT_PATHS.otherHome("{group}"),
          allHomes: MOUNT_PATHS.allHomes("{group}"),
        },
      },
      groups: Object.fromEntries(
        groups.map((g) => [
          g.key,
          {
            volumes: g.mounts.map((m) =>
              m.nfs
                ? { name: volumeName(g.key, m), nfs: { server: m.nfs.server, path: m.nfs.path, readOnly: m.readOnly } }
                : { name: volumeName(g.key, m), persistentVolumeClaim: { claimName: m.pvc!.claimName, readOnly: m.readOnly } },
            ),
            volumeMounts: g.mounts.map((m) => ({ name: volumeName(g.key, m), mountPath: m.mountPath, readOnly: m.readOnly })),
            storage: {
              claim: claimName(g.storage.volume),
              homeQuota: `${g.storage.homeQuotaGiB}Gi`,
              sharedQuota: `${g.storage.sharedQuotaGiB}Gi`,
              quotaOverrides: Object.fromEntries(Object.entries(g.storage.quotaOverridesGiB).map(([u, q]) => [u, `${q}Gi`])),
              // A Terraform reference kept out of the hub's values (see jobs.ts STORAGE_REFS_CONFIGMAP).
              scratchBucketRef: storage.scratch.enabled ? { configMap: STORAGE_REFS_CONFIGMAP, key: bucketRef(g.key) } : null,
              serviceAccount: userServiceAccount(g.key),
            },
          },
        ]),
      ),
    },
    ...(retention
      ? {
          services: { [HUB_SERVICES.retention]: { display: false } },
          roles: {
            [HUB_SERVICES.retention]: {
              description: "Inactive-home policy: reads who was active when",
              scopes: ["list:users", "read:users:name", "read:users:activity"],
              services: [HUB_SERVICES.retention],
            },
          },
        }
      : {}),
  };
}

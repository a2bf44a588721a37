/**
 * The settings file the hub's Python reads (hub/dandihub_hub/settings.py documents the shape):
 * groups with their members and placements, the profiles in KubeSpawner's form, the archives,
 * and the label keys. Built from the HubConfig, so the hub never re-derives what synth decided.
 */
import type { HubConfig, ResolvedGroup, ResolvedMount, ResolvedProfile } from "../config/resolve";
import { formatSpawnerBytes } from "../config/units";
import { userServiceAccount } from "../constructs/user-access";
import { GPU_TAINT, GROUP_LABEL, POOL_LABEL, PROFILE_LABEL, USER_TOLERATION } from "../labels";
import { buildGroups, buildingEnabled, unlistedChoice, type CustomImageContext } from "../images/custom-images";
import { daskClientEnv } from "../services/dask-gateway";
import { claimName, MOUNT_PATHS, SHARED_DIR } from "../storage/layout";

export interface Toleration {
  readonly key: string;
  readonly operator: "Equal" | "Exists";
  readonly value?: string;
  readonly effect: string;
}

/** KubeSpawner traits a profile or option may override. */
export interface KubeSpawnerOverride {
  readonly image?: string;
  readonly cpu_guarantee?: number;
  readonly cpu_limit?: number;
  readonly mem_guarantee?: string;
  readonly mem_limit?: string;
  readonly node_affinity_required?: readonly object[];
  readonly tolerations?: readonly Toleration[];
  readonly extra_resource_limits?: Readonly<Record<string, string>>;
}

export interface ProfileOptionChoice {
  readonly display_name: string;
  readonly default?: boolean;
  readonly kubespawner_override: KubeSpawnerOverride;
  /** dandihub: only members of these groups see the choice (stripped before KubeSpawner sees it). */
  readonly allowed_groups?: readonly string[];
}

export interface ProfileOption {
  readonly display_name: string;
  readonly choices: Readonly<Record<string, ProfileOptionChoice>>;
  /** The user's own (or a built) image; dandihub picks its regex per user from `variants`. */
  readonly unlisted_choice?: ReturnType<typeof unlistedChoice>;
  /** jupyterhub-fancy-profiles' build UI, for the groups listed. */
  readonly dynamic_image_building?: { readonly enabled: true; readonly allowed_groups: readonly string[] };
}

/** One entry of KubeSpawner's profile_list. */
export interface SpawnerProfile {
  readonly display_name: string;
  readonly slug: string;
  readonly description: string;
  readonly default?: boolean;
  readonly kubespawner_override: KubeSpawnerOverride;
  readonly profile_options?: Readonly<Record<string, ProfileOption>>;
}

export interface StorageSettings {
  readonly mode: "home-nfs" | "efs";
  readonly sharedDir: string;
  readonly commonClaim: string;
  readonly paths: { home: string; groupShared: string; common: string; otherHome: string; allHomes: string };
}

export interface HubSettings {
  readonly authenticator: HubConfig["authenticator"];
  readonly labels: { readonly group: string; readonly pool: string; readonly profile: string };
  readonly contact: string;
  readonly groupOrder: readonly string[];
  readonly groups: Readonly<Record<string, GroupSettings>>;
  readonly profiles: readonly SpawnerProfile[];
  readonly archives: readonly ArchiveSettings[];
  readonly adminTeams: readonly (readonly [string, string | null])[];
  readonly oauthArchive: string | null;
  readonly storage: StorageSettings;
  /** Serve the spawn page with jupyterhub-fancy-profiles (its build UI); the hub image has it. */
  readonly fancyProfiles: boolean;
}

export interface GroupSettings {
  readonly displayName: string;
  readonly members: { orgs: readonly string[]; teams: readonly (readonly [string, string])[]; archives: readonly string[]; users: readonly string[] };
  readonly profiles: Readonly<Record<string, { readonly pool: string; readonly capacity: string }>>;
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly volumes: readonly object[];
  readonly volumeMounts: readonly { name: string; mountPath: string; readOnly: boolean }[];
  readonly storage: {
    readonly claim: string;
    readonly homeQuota: string;
    readonly sharedQuota: string;
    readonly quotaOverrides: Readonly<Record<string, string>>;
    /** Name of the group's bucket (a Terraform expression until apply), or null without scratch. */
    readonly scratchBucket: string | null;
    readonly serviceAccount: string;
  };
}

export interface ArchiveSettings {
  readonly name: string;
  readonly displayName: string;
  readonly api: string;
  readonly web: string;
  /** Hub environment variable holding the archive's API token (from a Kubernetes Secret). */
  readonly tokenEnv: string;
  readonly check: "search" | "list";
  readonly timeoutSeconds: number;
}

export function archiveTokenEnv(name: string): string {
  return `DANDIHUB_ARCHIVE_TOKEN_${name.toUpperCase().replace(/-/g, "_")}`;
}

/** Tolerations of user pods: z2jh's own user taint, plus the GPU taint for GPU profiles. */
function userTolerations(gpu: boolean): Toleration[] {
  const tolerations: Toleration[] = [USER_TOLERATION];
  if (gpu) tolerations.push({ key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect });
  return tolerations;
}

/** A profile as KubeSpawner takes it. Placement (pool, group) is added per spawn by the hub. */
export function spawnerProfile(config: HubConfig, p: ResolvedProfile, ctx: CustomImageContext): SpawnerProfile {
  const override: KubeSpawnerOverride = {
    cpu_guarantee: p.cpu.guarantee,
    cpu_limit: p.cpu.limit,
    mem_guarantee: formatSpawnerBytes(p.memory.guaranteeBytes),
    mem_limit: formatSpawnerBytes(p.memory.limitBytes),
    ...(p.pinnedInstanceTypes
      ? {
          node_affinity_required: [
            { matchExpressions: [{ key: "node.kubernetes.io/instance-type", operator: "In", values: [...p.pinnedInstanceTypes] }] },
          ],
        }
      : {}),
    // Overriding tolerations replaces z2jh's, so the user taint is repeated here.
    ...(p.gpu ? { tolerations: userTolerations(true), extra_resource_limits: { "nvidia.com/gpu": String(p.gpu.count) } } : {}),
    ...(p.images.length === 1 ? { image: p.images[0].ref } : {}),
  };
  const unlisted = unlistedChoice(config, p, ctx);
  const builders = buildGroups(config, p);
  const imageMenu: Record<string, ProfileOption> | undefined =
    p.images.length > 1 || unlisted
      ? {
          image: {
            display_name: "Image",
            choices: Object.fromEntries(
              p.images.map((img, i) => [img.key, { display_name: img.displayName, default: i === 0, kubespawner_override: { image: img.ref } }]),
            ),
            ...(unlisted ? { unlisted_choice: unlisted } : {}),
            ...(unlisted && builders.length ? { dynamic_image_building: { enabled: true as const, allowed_groups: builders } } : {}),
          },
        }
      : undefined;
  return {
    display_name: p.displayName,
    slug: p.key,
    description: p.description,
    ...(p.default ? { default: true } : {}),
    kubespawner_override: override,
    ...(imageMenu ? { profile_options: imageMenu } : {}),
  };
}

function volumeName(group: string, mount: ResolvedMount): string {
  return `group-${group}-${mount.name}`;
}

/** What the hub needs from resources created elsewhere in the stack. */
export interface HubSettingsContext extends CustomImageContext {
  /** Group bucket names, by group. */
  readonly buckets: Readonly<Record<string, string>>;
}

function groupSettings(config: HubConfig, g: ResolvedGroup, ctx: HubSettingsContext): GroupSettings {
  return {
    displayName: g.displayName,
    members: { orgs: g.members.orgs, teams: g.members.teams, archives: g.members.archives, users: g.members.users },
    profiles: g.placements,
    env: { ...daskClientEnv(config, g.key), ...g.env },
    labels: g.labels,
    volumes: g.mounts.map((m) =>
      m.nfs
        ? { name: volumeName(g.key, m), nfs: { server: m.nfs.server, path: m.nfs.path, readOnly: m.readOnly } }
        : { name: volumeName(g.key, m), persistentVolumeClaim: { claimName: m.pvc!.claimName, readOnly: m.readOnly } },
    ),
    volumeMounts: g.mounts.map((m) => ({ name: volumeName(g.key, m), mountPath: m.mountPath, readOnly: m.readOnly })),
    storage: {
      claim: claimName(g.key),
      homeQuota: `${g.storage.homeQuotaGiB}Gi`,
      sharedQuota: `${g.storage.sharedQuotaGiB}Gi`,
      quotaOverrides: Object.fromEntries(Object.entries(g.storage.quotaOverridesGiB).map(([u, q]) => [u, `${q}Gi`])),
      scratchBucket: config.storage.scratch.enabled ? (ctx.buckets[g.key] ?? null) : null,
      serviceAccount: userServiceAccount(g.key),
    },
  };
}

export function buildHubSettings(config: HubConfig, ctx: HubSettingsContext): HubSettings {
  const gh = config.auth.github;
  return {
    authenticator: config.authenticator,
    labels: { group: GROUP_LABEL, pool: POOL_LABEL, profile: PROFILE_LABEL },
    contact: config.hub.contact,
    groupOrder: config.groups.map((g) => g.key),
    groups: Object.fromEntries(config.groups.map((g) => [g.key, groupSettings(config, g, ctx)])),
    profiles: config.profiles.map((p) => spawnerProfile(config, p, ctx)),
    archives: config.archives.map((a) => ({ ...a, tokenEnv: archiveTokenEnv(a.name) })),
    adminTeams: (gh?.adminTeams ?? []).map((t) => {
      const [org, team] = t.split(":");
      return [org, team ?? null] as const;
    }),
    oauthArchive: config.auth.dandiOAuth?.archive ?? null,
    storage: {
      mode: config.storage.mode,
      sharedDir: SHARED_DIR,
      commonClaim: claimName("common"),
      paths: {
        home: MOUNT_PATHS.home,
        groupShared: MOUNT_PATHS.groupShared("{group}"),
        common: MOUNT_PATHS.common,
        otherHome: MOUNT_PATHS.otherHome("{group}"),
        allHomes: MOUNT_PATHS.allHomes("{group}"),
      },
    },
    fancyProfiles: buildingEnabled(config),
  };
}

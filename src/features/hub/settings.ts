/**
 * The settings file the hub's Python reads (hub/dandihub_hub/settings.py documents the shape).
 * This is the hub's own part of it: the label keys, the contact, the group order, each group's
 * placements, env and labels, and the profiles in KubeSpawner's form. The other features add
 * theirs through their hub contributions (members and archives, storage, Dask env, the build UI);
 * the hub never re-derives what synth decided.
 */
import { GPU_RESOURCE, GPU_TAINT, GROUP_LABEL, POOL_LABEL, PROFILE_LABEL, USER_TOLERATION } from "../../core/labels";
import type { ResolvedGroup, ResolvedProfile } from "../../config/resolve";
import { formatSpawnerBytes } from "../../config/units";
import type { unlistedChoice } from "../images/custom-images";

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

/** A group as the hub's own part of the settings file has it (features add members, storage, env). */
export interface HubGroupSettings {
  readonly displayName: string;
  /** Each granted profile's pool and capacity type. */
  readonly profiles: Readonly<Record<string, { readonly pool: string; readonly capacity: string }>>;
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

/** What the image feature offers in a profile's image menu beyond its curated images. */
export interface ProfileImageChoices {
  /** The free-form (own or built image) choice. @default none */
  readonly unlisted?: ReturnType<typeof unlistedChoice>;
  /** Groups that see the build UI. @default none */
  readonly builders?: readonly string[];
}

/** Tolerations of user pods: z2jh's own user taint, plus the GPU taint for GPU profiles. */
function userTolerations(gpu: boolean): Toleration[] {
  const tolerations: Toleration[] = [USER_TOLERATION];
  if (gpu) tolerations.push({ key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect });
  return tolerations;
}

/** A profile as KubeSpawner takes it. Placement (pool, group) is added per spawn by the hub. */
export function spawnerProfile(p: ResolvedProfile, menu: ProfileImageChoices = {}): SpawnerProfile {
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
    ...(p.gpu ? { tolerations: userTolerations(true), extra_resource_limits: { [GPU_RESOURCE]: String(p.gpu.count) } } : {}),
    ...(p.images.length === 1 ? { image: p.images[0].ref } : {}),
  };
  const unlisted = menu.unlisted;
  const builders = menu.builders ?? [];
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

/** A hub group's own settings: placements, env and labels. */
export function hubGroupSettings(g: ResolvedGroup): HubGroupSettings {
  return { displayName: g.displayName, profiles: g.placements, env: g.env, labels: g.labels };
}

/** The hub's own part of the settings file. */
export function hubSettings(contact: string, groups: readonly ResolvedGroup[], profiles: readonly SpawnerProfile[]): object {
  return {
    labels: { group: GROUP_LABEL, pool: POOL_LABEL, profile: PROFILE_LABEL },
    contact,
    groupOrder: groups.map((g) => g.key),
    groups: Object.fromEntries(groups.map((g) => [g.key, hubGroupSettings(g)])),
    profiles,
  };
}

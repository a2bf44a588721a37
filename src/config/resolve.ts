/**
 * Turns a validated deployment file into the HubConfig the stack reads, assembled from each
 * feature's resolution (src/features/<feature>/resolve.ts). Every default that depends on other
 * fields is decided there, once; constructs take only the slices they use.
 */
import { authSecrets, resolveAuth, resolveMembers, type GroupMembers, type ResolvedAuth } from "../features/auth/resolve";
import { planPools, type PlannedPool } from "../features/capacity/pools";
import { placementsOf, profileSize, resolveUserNodes, type Placement, type ProfileSize, type ResolvedUserNodes } from "../features/capacity/resolve";
import { resolveBudget, resolveCost, type GroupBudget, type ResolvedCost } from "../features/cost/resolve";
import { defaultProfileKey, resolveHub, type ResolvedHub } from "../features/hub/resolve";
import { resolveCustomImages, resolveImageCache, resolveImages, type ResolvedCustomImages, type ResolvedImage } from "../features/images/resolve";
import type { ResolvedImageCache } from "../features/images/cache";
import { resolveMonitoring, type ResolvedMonitoring } from "../features/monitoring/resolve";
import { resolveBackend, resolveCluster, resolveNetwork, resolveTags, type Backend, type ResolvedCluster, type ResolvedNetwork } from "../features/platform/resolve";
import { resolveServices, type ResolvedServices } from "../features/services/resolve";
import { resolveGroupStorage, resolveStorage, type GroupStorage, type ResolvedMount, type ResolvedStorage } from "../features/storage/resolve";
import { formerKeysOf } from "./renames";
import type { Deployment } from "./schema";
import type { SecretRef } from "./secrets";
import { parseWindow, warmProfileOf, type WarmGroup } from "../features/capacity/warm";
import { parseDuration, parseQuantity } from "./units";

export type { Backend } from "../features/platform/resolve";
export type { Tls } from "../features/hub/resolve";
export type { ResolvedImage } from "../features/images/resolve";
export type { ResolvedMount, ResolvedStorage } from "../features/storage/resolve";

/** A profile: its place in the menu (hub), its size (capacity) and its images. */
export interface ResolvedProfile extends ProfileSize {
  readonly key: string;
  readonly displayName: string;
  readonly description: string;
  /** The one default profile (the one marked default, else the first). */
  readonly default: boolean;
  readonly images: readonly ResolvedImage[];
  /** Offers own/built images to groups granted them. */
  readonly customImages: boolean;
}

/** A group: every feature's part of it. */
export interface ResolvedGroup {
  readonly key: string;
  /** Keys the group had before, oldest first: its resources carry `moved` blocks from them. */
  readonly formerKeys: readonly string[];
  readonly displayName: string;
  readonly description: string;
  readonly members: GroupMembers;
  readonly admins: readonly string[];
  /** Granted profiles, in the order of the `profiles` section. */
  readonly profiles: readonly string[];
  /** Pool each granted profile lands on, and its capacity type. */
  readonly placements: Readonly<Record<string, Placement>>;
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly mounts: readonly ResolvedMount[];
  /** Own and built images; `allowedRegistries` is the group's own list or the hub-wide one. */
  readonly customImages: { readonly own: boolean; readonly build: boolean; readonly allowedRegistries: readonly string[] };
  readonly budget?: GroupBudget;
  /** Members' CPU-hours over a rolling window, checked at spawn. */
  readonly quota?: { readonly cpuHours: number; readonly windowHours: number; readonly overrides: Readonly<Record<string, number>> };
  /** Warm capacity on a schedule, with the profile whose size it keeps. */
  readonly warm?: WarmGroup & { readonly profile: string };
  readonly readBuckets: readonly string[];
  readonly storage: GroupStorage;
}

export interface HubConfig {
  readonly name: string;
  readonly environment: "production" | "development";
  /** The deployment file this came from (policy findings point at it). */
  readonly file?: string;
  readonly region: string;
  readonly accountId?: string;
  /** Tags for every AWS resource, the deployment's own merged over dandihub's. */
  readonly tags: Readonly<Record<string, string>>;
  readonly backend: Backend;
  readonly network: ResolvedNetwork;
  readonly cluster: ResolvedCluster;
  readonly userNodes: ResolvedUserNodes;
  readonly hub: ResolvedHub;
  readonly auth: ResolvedAuth;
  readonly images: readonly ResolvedImage[];
  readonly customImages: ResolvedCustomImages;
  /** The ECR pull-through cache of the menu's images, when on (aws.accountId set). */
  readonly imageCache?: ResolvedImageCache;
  readonly profiles: readonly ResolvedProfile[];
  /** The default profile (also what a server gets when no profile applies). */
  readonly defaultProfile: ResolvedProfile;
  readonly groups: readonly ResolvedGroup[];
  /** Karpenter pools for user servers: one per group, CPU/GPU model and capacity type. */
  readonly pools: readonly PlannedPool[];
  readonly storage: ResolvedStorage;
  readonly cost: ResolvedCost;
  readonly monitoring: ResolvedMonitoring;
  readonly services: ResolvedServices;
  readonly policy: { readonly waivers: readonly { readonly rule: string; readonly address?: string; readonly reason: string }[] };
  /** Every secret reference, in the file's order (the Secrets construct numbers Secrets Manager reads by it). */
  readonly secrets: readonly SecretRef[];
}

function resolveProfiles(d: Deployment, images: readonly ResolvedImage[]): ResolvedProfile[] {
  const imageByKey = new Map(images.map((i) => [i.key, i]));
  const defaultKey = defaultProfileKey(d);
  return Object.entries(d.profiles).map(([key, p]) => ({
    key,
    displayName: p.displayName,
    description: p.description,
    default: key === defaultKey,
    ...profileSize(d, p),
    images: p.images.map((k) => imageByKey.get(k)!),
    customImages: p.customImages,
  }));
}

function resolveWarm(d: Deployment, key: string, pools: readonly PlannedPool[]): (WarmGroup & { profile: string }) | undefined {
  const g = d.groups[key];
  if (!g.warm) return undefined;
  // The checks refuse a profile the group is not granted.
  const profile = warmProfileOf(Object.keys(d.profiles), g)!;
  const p = d.profiles[profile];
  return {
    group: key,
    profile,
    pool: placementsOf(pools, key)[profile].pool,
    servers: g.warm.servers,
    window: parseWindow(g.warm.when),
    cpu: p.cpu.guarantee,
    memoryBytes: parseQuantity(p.memory.guarantee),
    gpus: p.gpu?.count ?? 0,
  };
}

function resolveGroups(d: Deployment, pools: readonly PlannedPool[]): ResolvedGroup[] {
  const profileOrder = Object.keys(d.profiles);
  return Object.entries(d.groups).map(([key, g]) => ({
    key,
    formerKeys: formerKeysOf(g.renamedFrom),
    displayName: g.displayName,
    description: g.description,
    members: resolveMembers(g),
    admins: g.admins,
    profiles: profileOrder.filter((p) => g.profiles.includes(p)),
    placements: placementsOf(pools, key),
    env: g.env,
    labels: g.labels,
    mounts: g.mounts,
    customImages: { own: g.customImages.own, build: g.customImages.build, allowedRegistries: g.customImages.allowedRegistries ?? d.customImages.allowedRegistries },
    budget: resolveBudget(g),
    ...(g.quota ? { quota: { cpuHours: g.quota.cpuHours, windowHours: Math.ceil(parseDuration(g.quota.window) / 3600), overrides: g.quota.overrides } } : {}),
    warm: resolveWarm(d, key, pools),
    readBuckets: g.readBuckets,
    storage: resolveGroupStorage(key, g, d.storage.growth.enabled),
  }));
}

export function resolveDeployment(d: Deployment): HubConfig {
  const imageCache = resolveImageCache(d);
  const images = resolveImages(d, imageCache);
  const profiles = resolveProfiles(d, images);
  const pools = planPools(d);
  const auth = resolveAuth(d);
  const customImages = resolveCustomImages(d);
  return {
    name: d.name,
    environment: d.environment,
    region: d.aws.region,
    accountId: d.aws.accountId,
    tags: resolveTags(d),
    backend: resolveBackend(d),
    network: resolveNetwork(d),
    cluster: resolveCluster(d),
    userNodes: resolveUserNodes(d),
    hub: resolveHub(d),
    auth,
    images,
    customImages,
    imageCache,
    profiles,
    defaultProfile: profiles.find((p) => p.default) ?? profiles[0],
    groups: resolveGroups(d, pools),
    pools,
    storage: resolveStorage(d),
    cost: resolveCost(d),
    monitoring: resolveMonitoring(d),
    services: resolveServices(d),
    policy: d.policy,
    secrets: [...authSecrets(auth), ...customImages.pullSecrets.map((p) => p.password)],
  };
}

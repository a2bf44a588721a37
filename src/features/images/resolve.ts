/** Images, resolved: the menu's references, and users' own and built images (building decided once). */
import { formatImageRef } from "../../core/util/image-ref";
import { resolveSecret, type SecretRef } from "../../config/secrets";
import type { Deployment } from "../../config/schema";
import { parseQuantity } from "../../config/units";
import { CACHEABLE_REGISTRIES, cachedRef, registryOf, type CacheableRegistry, type CacheRule, type ResolvedImageCache } from "./cache";

export interface ResolvedImage {
  readonly key: string;
  /** `repository:tag`, with `@digest` when pinned, as a pod spec takes it: through the image cache when it covers the registry. */
  readonly ref: string;
  /** The reference as the deployment file names it (upstream). */
  readonly upstreamRef: string;
  readonly displayName: string;
  readonly gpu: boolean;
  readonly prePull: boolean;
  /** What it takes on a node's disk once pulled (images.<name>.nodeDisk). @default unknown */
  readonly nodeDiskBytes?: number;
}

export interface PullSecret {
  readonly server: string;
  readonly username: string;
  readonly password: SecretRef;
}

export interface ImageBuilding {
  /** A hub image with jupyterhub-fancy-profiles (the build UI). */
  readonly hubImage: { readonly name: string; readonly tag: string };
  readonly keepDays: number;
  /** ECR repository prefix of built images: `<name>-builds/`. */
  readonly repositoryPrefix: string;
  /** Groups whose members may build, in file order. */
  readonly groups: readonly string[];
}

export interface ResolvedCustomImages {
  readonly allowedRegistries: readonly string[];
  readonly pullSecrets: readonly PullSecret[];
  /** Present only when customImages.build is configured and some group may build. */
  readonly building?: ImageBuilding;
}

/** The cache rules for the registries the menu's images come from, when the cache is on. */
export function resolveImageCache(d: Deployment): ResolvedImageCache | undefined {
  const c = d.imageCache;
  if (!(c.enabled ?? d.aws.accountId !== undefined) || !d.aws.accountId) return undefined;
  const used = new Set(Object.values(d.images).map((i) => registryOf(i.name).host));
  const rules = Object.entries(CACHEABLE_REGISTRIES).flatMap(([registry, r]): CacheRule[] => {
    if (!used.has(registry)) return [];
    const secretName = "credentials" in r ? c[r.credentials] : undefined;
    if ("credentials" in r && !secretName) return [];
    return [{ registry: registry as CacheableRegistry, prefix: r.prefix, upstream: r.upstream, ...(secretName ? { secretName } : {}) }];
  });
  return { host: `${d.aws.accountId}.dkr.ecr.${d.aws.region}.amazonaws.com`, rules, keepImages: c.keepImages };
}

export function resolveImages(d: Deployment, cache: ResolvedImageCache | undefined = resolveImageCache(d)): ResolvedImage[] {
  return Object.entries(d.images).map(([key, i]) => {
    const upstreamRef = formatImageRef({ repository: i.name, tag: i.tag, digest: i.digest });
    return {
      key,
      ref: cachedRef(upstreamRef, cache),
      upstreamRef,
      displayName: i.displayName ?? `${i.name}:${i.tag}`,
      gpu: i.gpu,
      prePull: i.prePull,
      ...(i.nodeDisk ? { nodeDiskBytes: parseQuantity(i.nodeDisk) } : {}),
    };
  });
}

export function resolveCustomImages(d: Deployment): ResolvedCustomImages {
  const c = d.customImages;
  const builders = Object.entries(d.groups).filter(([, g]) => g.customImages.build).map(([k]) => k);
  return {
    allowedRegistries: c.allowedRegistries,
    pullSecrets: c.pullSecrets.map((p, i) => ({ server: p.server, username: p.username, password: resolveSecret(["customImages", "pullSecrets", i, "password"], p.password) })),
    building:
      c.build && builders.length
        ? { hubImage: { name: c.build.hubImage.name, tag: c.build.hubImage.tag }, keepDays: c.build.keepDays, repositoryPrefix: `${d.name}-builds/`, groups: builders }
        : undefined,
  };
}

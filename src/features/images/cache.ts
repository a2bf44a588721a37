/**
 * The image cache: ECR pull-through cache rules for the public registries the menu's images
 * come from. A new user node then pulls each multi-GB image from this region's ECR, whose layers
 * arrive through the S3 gateway endpoint, not through NAT, and not against Docker Hub's rate
 * limit on the NAT's one address. ECR fetches from upstream itself, once per image, AWS-side.
 */
import { parseImageRef, formatImageRef } from "../../core/util/image-ref";

/** The upstream registries ECR caches: the rule's prefix and upstream URL, and whether ECR needs credentials for it. */
export const CACHEABLE_REGISTRIES = {
  "docker.io": { prefix: "docker-hub", upstream: "registry-1.docker.io", credentials: "dockerHubSecret" },
  "quay.io": { prefix: "quay", upstream: "quay.io" },
  "ghcr.io": { prefix: "github", upstream: "ghcr.io", credentials: "githubSecret" },
  "registry.k8s.io": { prefix: "k8s", upstream: "registry.k8s.io" },
  "public.ecr.aws": { prefix: "ecr-public", upstream: "public.ecr.aws" },
} as const satisfies Record<string, { prefix: string; upstream: string; credentials?: "dockerHubSecret" | "githubSecret" }>;

export type CacheableRegistry = keyof typeof CACHEABLE_REGISTRIES;

/** A repository's registry host and path, as a container runtime reads it (no host: Docker Hub; one segment: library/). */
export function registryOf(repository: string): { host: string; path: string } {
  const slash = repository.indexOf("/");
  const first = slash < 0 ? "" : repository.slice(0, slash);
  if (first.includes(".") || first.includes(":") || first === "localhost") return { host: first, path: repository.slice(slash + 1) };
  return { host: "docker.io", path: slash < 0 ? `library/${repository}` : repository };
}

export interface CacheRule {
  readonly registry: CacheableRegistry;
  readonly prefix: string;
  readonly upstream: string;
  /** The Secrets Manager secret (its name, `ecr-pullthroughcache/...`) ECR signs in to upstream with. */
  readonly secretName?: string;
}

export interface ResolvedImageCache {
  /** `<account>.dkr.ecr.<region>.amazonaws.com`. */
  readonly host: string;
  /** One per upstream registry the menu uses and ECR can cache (with its credentials, where it needs them). */
  readonly rules: readonly CacheRule[];
  /** Images kept per cached repository (older ones expire; the next pull fetches again). */
  readonly keepImages: number;
}

/** The reference a node pulls: through the cache when a rule covers the image's registry. */
export function cachedRef(ref: string, cache: ResolvedImageCache | undefined): string {
  if (!cache) return ref;
  const r = parseImageRef(ref);
  const { host, path } = registryOf(r.repository);
  const rule = cache.rules.find((x) => x.registry === host);
  return rule ? formatImageRef({ ...r, repository: `${cache.host}/${rule.prefix}/${path}` }) : ref;
}

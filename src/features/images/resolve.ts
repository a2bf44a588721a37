/** Images, resolved: the menu's references, and users' own and built images (building decided once). */
import { formatImageRef } from "../../core/util/image-ref";
import { resolveSecret, type SecretRef } from "../../config/secrets";
import type { Deployment } from "../../config/schema";

export interface ResolvedImage {
  readonly key: string;
  /** `repository:tag`, with `@digest` when pinned, as a pod spec takes it. */
  readonly ref: string;
  readonly displayName: string;
  readonly gpu: boolean;
  readonly prePull: boolean;
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

export function resolveImages(d: Deployment): ResolvedImage[] {
  return Object.entries(d.images).map(([key, i]) => ({
    key,
    ref: formatImageRef({ repository: i.name, tag: i.tag, digest: i.digest }),
    displayName: i.displayName ?? `${i.name}:${i.tag}`,
    gpu: i.gpu,
    prePull: i.prePull,
  }));
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

/**
 * What runs on the core nodes, and whether its images are published for arm64 (Graviton).
 * Graviton core nodes are the cheaper default; a deployment that enables something published
 * for amd64 only must use amd64 core types, and the checks say so before synthesis.
 */
import type { Deployment } from "../../config/schema";

export interface CoreComponent {
  readonly name: string;
  /** Whether every image it runs on core nodes is multi-arch with arm64. */
  readonly arm64: boolean;
  /** Whether the deployment runs it. */
  readonly enabled: (d: Deployment) => boolean;
}

export const CORE_COMPONENTS: readonly CoreComponent[] = [
  // z2jh publishes hub, proxy, scheduler and puller images for amd64 and arm64 (since 1.0).
  { name: "JupyterHub (z2jh hub, proxy, user scheduler)", arm64: true, enabled: () => true },
  { name: "Karpenter and the AWS Load Balancer Controller", arm64: true, enabled: () => true },
  { name: "storage and image jobs (python, busybox)", arm64: true, enabled: () => true },
  // No arm64 image known for binderhub-service's API pod; the builds run on amd64 builder nodes anyway.
  // chartpress builds ghcr.io/2i2c-org/nfs-ganesha and jupyterhub-home-nfs on amd64 runners only (1.2.0's workflow has no platforms).
  { name: "jupyterhub-home-nfs (NFS servers with storage.servers: core)", arm64: false, enabled: (d) => d.storage.mode === "home-nfs" && d.storage.servers === "core" },
  { name: "binderhub-service (image building)", arm64: false, enabled: (d) => !!d.customImages.build && Object.values(d.groups).some((g) => g.customImages.build) },
];

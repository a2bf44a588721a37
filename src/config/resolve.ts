/**
 * Turns a validated deployment file into the HubConfig every construct reads. All derived
 * defaults (those that depend on other fields) are decided here and nowhere else.
 */
import { familyArch, instanceType, type Arch, type GpuType, type InstanceShape } from "../catalog/instance-types";
import { DEPLOYMENT_TAG } from "../labels";
import { parseCidr, planSubnets, type Ipv4Block } from "../util/cidr";
import { AUTHENTICATORS, secretRefs } from "./checks";
import { candidateInstances, planPools, type Capacity, type PlannedPool } from "./pools";
import type { ConfigPath } from "./errors";
import type { Deployment, GroupConfig, SecretRefConfig } from "./schema";
import { parseDuration, parseQuantity, toGiB } from "./units";

export type Backend =
  | { readonly kind: "local"; readonly path: string }
  | { readonly kind: "s3"; readonly bucket: string; readonly key: string; readonly region: string; readonly kmsKeyId?: string }
  | {
      readonly kind: "cloud";
      readonly organization: string;
      readonly workspace: string;
      readonly hostname?: string;
      /** Where Terraform runs (the workspace's execution mode): never Terraform Cloud's own runners. */
      readonly executionMode: "local" | "agent";
      /** Private networks of an HCP Terraform agent, let through to the private API endpoint. */
      readonly agentCidrs: readonly string[];
    };

export type Tls =
  | { readonly kind: "acm"; readonly certificateArn: string }
  | { readonly kind: "letsencrypt"; readonly email: string }
  | { readonly kind: "none" };

export interface ResolvedImage {
  readonly key: string;
  /** `repository:tag`, as a pod spec takes it. */
  readonly ref: string;
  readonly displayName: string;
  readonly gpu: boolean;
  readonly prePull: boolean;
}

export interface ResolvedProfile {
  readonly key: string;
  readonly displayName: string;
  readonly description: string;
  readonly default: boolean;
  readonly cpu: { readonly guarantee: number; readonly limit: number };
  readonly memory: { readonly guaranteeBytes: number; readonly limitBytes: number };
  readonly gpu?: { readonly count: number; readonly type: GpuType };
  readonly images: readonly ResolvedImage[];
  /** Instance types Karpenter may launch for this profile (pinned, or every size of its families). */
  readonly instances: readonly InstanceShape[];
  readonly pinnedInstanceTypes?: readonly string[];
  /** Offers own/built images to groups granted them. */
  readonly customImages: boolean;
}

export interface ResolvedMount {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
  readonly nfs?: { readonly server: string; readonly path: string };
  readonly pvc?: { readonly claimName: string };
}

export interface ResolvedGroup {
  readonly key: string;
  readonly displayName: string;
  readonly description: string;
  readonly members: {
    readonly orgs: readonly string[];
    /** `[org, team-slug]` pairs. */
    readonly teams: readonly (readonly [string, string])[];
    readonly archives: readonly string[];
    readonly users: readonly string[];
  };
  readonly admins: readonly string[];
  /** Granted profiles, in the order of the `profiles` section. */
  readonly profiles: readonly string[];
  /** Pool each granted profile lands on, and its capacity type. */
  readonly placements: Readonly<Record<string, { readonly pool: string; readonly capacity: Capacity }>>;
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly mounts: readonly ResolvedMount[];
  readonly customImages: { readonly own: boolean; readonly build: boolean };
  readonly budget?: GroupConfig["budget"];
  readonly readBuckets: readonly string[];
  readonly storage: {
    readonly homeQuotaGiB: number;
    readonly sharedQuotaGiB: number;
    readonly quotaOverridesGiB: Readonly<Record<string, number>>;
    readonly volumeSizeGiB: number;
  };
}

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

export type Authenticator = (typeof AUTHENTICATORS)[number];

export interface ResolvedArchive {
  readonly name: string;
  readonly displayName: string;
  readonly api: string;
  readonly web: string;
  readonly check: "search" | "list";
  readonly timeoutSeconds: number;
}

export interface SecretUse {
  /** Field path in the deployment file. */
  readonly path: ConfigPath;
  readonly ref: SecretRefConfig;
}

export interface HubConfig {
  readonly name: string;
  readonly environment: "production" | "development";
  readonly region: string;
  readonly accountId?: string;
  /** Tags for every AWS resource, the deployment's own merged over dandihub's. */
  readonly tags: Readonly<Record<string, string>>;
  readonly backend: Backend;
  readonly network: {
    readonly cidr: string;
    readonly azs: number;
    readonly singleNatGateway: boolean;
    readonly privateSubnets: readonly string[];
    readonly publicSubnets: readonly string[];
  };
  readonly cluster: {
    readonly name: string;
    readonly kubernetesVersion: string;
    readonly endpointPublicAccessCidrs: readonly string[];
    readonly admins: readonly string[];
    readonly coreNodes: {
      readonly instanceTypes: readonly string[];
      readonly arch: Arch;
      readonly min: number;
      readonly desired: number;
      readonly max: number;
      readonly diskGiB: number;
    };
  };
  readonly userNodes: {
    readonly instanceFamilies: readonly string[];
    readonly arch: Arch;
    readonly diskGiB: number;
    readonly ami: string;
    readonly expireAfterSeconds: number;
    readonly terminationGracePeriodSeconds: number;
    readonly consolidateAfterSeconds: number;
  };
  readonly hub: {
    readonly domain: string;
    readonly url: string;
    readonly tls: Tls;
    readonly cull: { readonly enabled: boolean; readonly idleTimeoutSeconds: number; readonly maxAgeSeconds: number; readonly everySeconds: number };
    readonly startTimeoutSeconds: number;
    readonly defaultUrl: string;
    readonly dbSizeBytes: number;
    readonly loadBalancerSourceRanges: readonly string[];
    readonly contact: string;
  };
  readonly auth: Deployment["auth"];
  /** The one login method configured. */
  readonly authenticator: Authenticator;
  readonly archives: readonly ResolvedArchive[];
  /** Hosted login page domain prefix, when the Cognito authenticator is used. */
  readonly cognitoDomainPrefix?: string;
  readonly images: readonly ResolvedImage[];
  readonly profiles: readonly ResolvedProfile[];
  readonly groups: readonly ResolvedGroup[];
  readonly customImages: Deployment["customImages"];
  readonly cost: Deployment["cost"];
  readonly policy: Deployment["policy"];
  readonly services: Deployment["services"];
  /** The deployment file this came from (policy findings point at it). */
  readonly file?: string;
  readonly monitoring: Omit<Deployment["monitoring"], "retention" | "storageSize"> & { readonly retentionDays: number; readonly storageGiB: number };
  /** Karpenter pools for user servers: one per group, CPU/GPU model and capacity type. */
  readonly pools: readonly PlannedPool[];
  readonly storage: ResolvedStorage;
  readonly secrets: readonly SecretUse[];
}

function resolveBackend(d: Deployment): Backend {
  const b = d.backend;
  if (b?.s3) return { kind: "s3", bucket: b.s3.bucket, key: b.s3.key, region: b.s3.region ?? d.aws.region, kmsKeyId: b.s3.kmsKeyId };
  if (b?.cloud) {
    const c = b.cloud;
    // checks.ts refuses a cloud backend without an execution mode.
    return { kind: "cloud", organization: c.organization, workspace: c.workspace, hostname: c.hostname, executionMode: c.executionMode!, agentCidrs: c.agentCidrs };
  }
  return { kind: "local", path: b?.local?.path ?? `terraform.${d.name}.tfstate` };
}

function resolveTls(d: Deployment): Tls {
  const t = d.hub.tls;
  if (t.acmCertificateArn) return { kind: "acm", certificateArn: t.acmCertificateArn };
  if (t.letsEncrypt) return { kind: "letsencrypt", email: t.letsEncrypt.email };
  return { kind: "none" };
}

export function resolveDeployment(d: Deployment): HubConfig {
  const backend = resolveBackend(d);
  const images = Object.entries(d.images).map(([key, i]) => ({
    key,
    ref: `${i.name}:${i.tag}`,
    displayName: i.displayName ?? `${i.name}:${i.tag}`,
    gpu: i.gpu,
    prePull: i.prePull,
  }));
  const imageByKey = new Map(images.map((i) => [i.key, i]));
  const entries = Object.entries(d.profiles);
  const defaultKey = entries.find(([, p]) => p.default)?.[0] ?? entries[0]?.[0];
  const profiles = entries.map(([key, p]) => ({
    key,
    displayName: p.displayName,
    description: p.description,
    default: key === defaultKey,
    cpu: { guarantee: p.cpu.guarantee, limit: p.cpu.limit },
    memory: { guaranteeBytes: parseQuantity(p.memory.guarantee), limitBytes: parseQuantity(p.memory.limit) },
    gpu: p.gpu ? { count: p.gpu.count, type: p.gpu.type } : undefined,
    images: p.images.map((k) => imageByKey.get(k)!),
    instances: candidateInstances(d, p),
    pinnedInstanceTypes: p.instanceTypes,
    customImages: p.customImages,
  }));
  const pools = planPools(d);
  const vpc = parseCidr(d.network.cidr) as Ipv4Block;
  const subnets = planSubnets(vpc, d.network.azs);
  const coreArch = instanceType(d.cluster.coreNodes.instanceTypes[0])!.arch;

  return {
    name: d.name,
    environment: d.environment,
    region: d.aws.region,
    accountId: d.aws.accountId,
    tags: { [DEPLOYMENT_TAG]: d.name, "managed-by": "dandihub", ...d.aws.tags },
    backend,
    network: {
      cidr: d.network.cidr,
      azs: d.network.azs,
      singleNatGateway: d.network.singleNatGateway,
      privateSubnets: subnets.private,
      publicSubnets: subnets.public,
    },
    cluster: {
      name: d.name,
      kubernetesVersion: d.cluster.kubernetesVersion,
      endpointPublicAccessCidrs: d.cluster.endpointPublicAccessCidrs,
      admins: d.cluster.admins,
      coreNodes: {
        instanceTypes: d.cluster.coreNodes.instanceTypes,
        arch: coreArch,
        min: d.cluster.coreNodes.min,
        desired: d.cluster.coreNodes.desired,
        max: d.cluster.coreNodes.max,
        diskGiB: toGiB(parseQuantity(d.cluster.coreNodes.diskSize)),
      },
    },
    userNodes: {
      instanceFamilies: d.userNodes.instanceFamilies,
      arch: familyArch(d.userNodes.instanceFamilies[0])!,
      diskGiB: toGiB(parseQuantity(d.userNodes.diskSize)),
      ami: d.userNodes.ami,
      expireAfterSeconds: parseDuration(d.userNodes.expireAfter),
      terminationGracePeriodSeconds: parseDuration(d.userNodes.terminationGracePeriod),
      consolidateAfterSeconds: parseDuration(d.userNodes.consolidateAfter),
    },
    hub: {
      domain: d.hub.domain,
      url: `${d.hub.tls.none ? "http" : "https"}://${d.hub.domain}`,
      tls: resolveTls(d),
      cull: {
        enabled: d.hub.cull.enabled,
        idleTimeoutSeconds: parseDuration(d.hub.cull.idleTimeout),
        maxAgeSeconds: d.hub.cull.maxAge ? parseDuration(d.hub.cull.maxAge) : 0,
        everySeconds: parseDuration(d.hub.cull.every),
      },
      startTimeoutSeconds: parseDuration(d.hub.startTimeout),
      defaultUrl: d.hub.defaultUrl,
      dbSizeBytes: parseQuantity(d.hub.db.size),
      loadBalancerSourceRanges: d.hub.loadBalancerSourceRanges,
      contact: d.hub.contact,
    },
    auth: d.auth,
    authenticator: AUTHENTICATORS.find((a) => d.auth[a] !== undefined)!,
    archives: d.auth.archives.map((a) => ({
      name: a.name,
      displayName: a.displayName,
      api: a.api,
      web: a.web,
      check: a.check,
      timeoutSeconds: parseDuration(a.timeout),
    })),
    cognitoDomainPrefix: d.auth.cognito ? (d.auth.cognito.domainPrefix ?? `${d.name}-dandihub`) : undefined,
    images,
    profiles,
    groups: resolveGroups(d, pools),
    customImages: d.customImages,
    cost: d.cost,
    policy: d.policy,
    services: d.services,
    monitoring: {
      enabled: d.monitoring.enabled,
      alertEmails: d.monitoring.alertEmails,
      logRetentionDays: d.monitoring.logRetentionDays,
      grafanaViewers: d.monitoring.grafanaViewers,
      retentionDays: Math.ceil(parseDuration(d.monitoring.retention) / 86400),
      storageGiB: gib(d.monitoring.storageSize),
    },
    pools,
    storage: resolveStorage(d),
    secrets: secretRefs(d),
  };
}

function resolveGroups(d: Deployment, pools: readonly PlannedPool[]): ResolvedGroup[] {
  const profileOrder = Object.keys(d.profiles);
  return Object.entries(d.groups).map(([key, g]) => {
    const placements: Record<string, { pool: string; capacity: Capacity }> = {};
    for (const pool of pools.filter((p) => p.group === key)) {
      for (const profile of pool.profiles) placements[profile] = { pool: pool.name, capacity: pool.capacity };
    }
    return {
      key,
      displayName: g.displayName,
      description: g.description,
      members: {
        orgs: g.members.github.filter((e) => !e.includes(":")),
        teams: g.members.github.filter((e) => e.includes(":")).map((e) => e.split(":") as [string, string]),
        archives: g.members.archives,
        users: g.members.users,
      },
      admins: g.admins,
      profiles: profileOrder.filter((p) => g.profiles.includes(p)),
      placements,
      env: g.env,
      labels: g.labels,
      mounts: g.mounts,
      customImages: g.customImages,
      budget: g.budget,
      readBuckets: g.readBuckets,
      storage: {
        homeQuotaGiB: gib(g.storage.homeQuota),
        sharedQuotaGiB: gib(g.storage.sharedQuota),
        quotaOverridesGiB: Object.fromEntries(Object.entries(g.storage.quotaOverrides).map(([u, q]) => [u, gib(q)])),
        volumeSizeGiB: gib(g.storage.volumeSize),
      },
    };
  });
}

function gib(quantity: string): number {
  return toGiB(parseQuantity(quantity));
}

function resolveStorage(d: Deployment): ResolvedStorage {
  const s = d.storage;
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
    cleanup: s.cleanup.map((c) => ({ volume: c.volume, path: c.path, olderThanSeconds: parseDuration(c.olderThan), dryRun: c.dryRun, schedule: c.schedule })),
    allowDestroy: s.allowDestroy,
  };
}

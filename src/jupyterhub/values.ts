/**
 * Zero to JupyterHub 4.4.0 values, built as typed objects from the HubConfig. Only the keys
 * dandihub sets are typed; tests merge the result over the chart's defaults and validate it
 * against the chart's own values schema.
 */
import type { HubConfig, ResolvedImage, ResolvedProfile } from "../config/resolve";
import { formatQuantity, formatSpawnerBytes } from "../config/units";
import { poolNameFor } from "../karpenter/node-pools";
import { DO_NOT_DISRUPT, GPU_TAINT, POOL_LABEL, USER_TAINT } from "../labels";
import { STORAGE_CLASSES } from "../constructs/storage-classes";

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
  readonly node_selector?: Readonly<Record<string, string>>;
  readonly node_affinity_required?: readonly object[];
  readonly tolerations?: readonly Toleration[];
  readonly extra_resource_limits?: Readonly<Record<string, string>>;
  readonly environment?: Readonly<Record<string, string>>;
}

export interface ProfileOptionChoice {
  readonly display_name: string;
  readonly default?: boolean;
  readonly kubespawner_override: KubeSpawnerOverride;
}

/** One entry of KubeSpawner's profile_list. */
export interface SpawnerProfile {
  readonly display_name: string;
  readonly slug: string;
  readonly description: string;
  readonly default?: boolean;
  readonly kubespawner_override: KubeSpawnerOverride;
  readonly profile_options?: Readonly<
    Record<string, { readonly display_name: string; readonly choices: Readonly<Record<string, ProfileOptionChoice>> }>
  >;
}

export interface EnvFromSecret {
  readonly valueFrom: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
}

export interface Z2jhValues {
  readonly hub: {
    readonly config: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    readonly extraEnv: Readonly<Record<string, string | EnvFromSecret>>;
    readonly db: { readonly type: "sqlite-pvc"; readonly pvc: { readonly storage: string; readonly storageClassName: string } };
    readonly resources: object;
    readonly networkPolicy: { readonly enabled: boolean };
  };
  readonly proxy: {
    readonly service: {
      readonly type: "LoadBalancer";
      readonly annotations: Readonly<Record<string, string>>;
      readonly loadBalancerSourceRanges: readonly string[];
    };
    readonly https: {
      readonly enabled: boolean;
      readonly type?: "letsencrypt" | "offload";
      readonly hosts?: readonly string[];
      readonly letsencrypt?: { readonly contactEmail: string };
    };
    readonly chp: { readonly resources: object; readonly networkPolicy: { readonly enabled: boolean } };
  };
  readonly singleuser: {
    readonly defaultUrl: string;
    readonly startTimeout: number;
    readonly image: { readonly name: string; readonly tag: string };
    readonly cpu: { readonly guarantee: number; readonly limit: number };
    readonly memory: { readonly guarantee: string; readonly limit: string };
    readonly storage: {
      readonly type: "dynamic";
      readonly capacity: string;
      readonly homeMountPath: string;
      readonly dynamic: { readonly storageClass: string };
    };
    readonly extraAnnotations: Readonly<Record<string, string>>;
    readonly cloudMetadata: { readonly blockWithIptables: boolean; readonly ip: string };
    readonly networkPolicy: { readonly enabled: boolean };
    readonly profileList: readonly SpawnerProfile[];
  };
  readonly scheduling: {
    readonly userScheduler: { readonly enabled: boolean };
    readonly podPriority: { readonly enabled: boolean };
    readonly userPlaceholder: { readonly enabled: boolean };
    readonly corePods: { readonly nodeAffinity: { readonly matchNodePurpose: "require" | "prefer" | "ignore" } };
    readonly userPods: { readonly nodeAffinity: { readonly matchNodePurpose: "require" | "prefer" | "ignore" } };
  };
  readonly prePuller: {
    readonly hook: { readonly enabled: boolean };
    readonly continuous: { readonly enabled: boolean };
    readonly pullProfileListImages: boolean;
    readonly extraImages: Readonly<Record<string, { readonly name: string; readonly tag: string }>>;
  };
  readonly cull: {
    readonly enabled: boolean;
    readonly users: boolean;
    readonly timeout: number;
    readonly every: number;
    readonly maxAge: number;
  };
}

/** Kubernetes names the values refer to; the JupyterHub construct creates them. */
export interface HubValuesContext {
  /** Secret holding authenticator credentials, in the hub's namespace. */
  readonly authSecretName: string;
}

export const AUTH_SECRET_KEYS = { githubClientSecret: "github-client-secret" } as const;

function splitImage(ref: string): { name: string; tag: string } {
  const at = ref.lastIndexOf(":");
  return { name: ref.slice(0, at), tag: ref.slice(at + 1) };
}

/** Tolerations of user pods: z2jh's own user taint, plus the GPU taint for GPU profiles. */
function userTolerations(gpu: boolean): Toleration[] {
  const tolerations: Toleration[] = [{ key: USER_TAINT.key, operator: "Equal", value: USER_TAINT.value, effect: USER_TAINT.effect }];
  if (gpu) tolerations.push({ key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect });
  return tolerations;
}

function spawnerProfile(p: ResolvedProfile): SpawnerProfile {
  const override: KubeSpawnerOverride = {
    cpu_guarantee: p.cpu.guarantee,
    cpu_limit: p.cpu.limit,
    mem_guarantee: formatSpawnerBytes(p.memory.guaranteeBytes),
    mem_limit: formatSpawnerBytes(p.memory.limitBytes),
    node_selector: { [POOL_LABEL]: poolNameFor(p) },
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
  const imageMenu =
    p.images.length > 1
      ? {
          image: {
            display_name: "Image",
            choices: Object.fromEntries(
              p.images.map((img: ResolvedImage, i) => [img.key, { display_name: img.displayName, default: i === 0, kubespawner_override: { image: img.ref } }]),
            ),
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

function authConfig(config: HubConfig): Z2jhValues["hub"]["config"] {
  const admins = { admin_users: [...config.auth.admins] };
  const gh = config.auth.github;
  if (gh) {
    return {
      JupyterHub: { authenticator_class: "github" },
      Authenticator: admins,
      GitHubOAuthenticator: {
        client_id: gh.clientId,
        oauth_callback_url: `${config.hub.url}/hub/oauth_callback`,
        allowed_organizations: [...gh.allowedOrganizations],
        allowed_users: [...gh.allowedUsers],
        scope: ["read:org"],
      },
    };
  }
  return { JupyterHub: { authenticator_class: "dummy" }, Authenticator: { ...admins, allow_all: true } };
}

function proxyHttps(config: HubConfig): Z2jhValues["proxy"]["https"] {
  const tls = config.hub.tls;
  if (tls.kind === "acm") return { enabled: true, type: "offload", hosts: [config.hub.domain] };
  if (tls.kind === "letsencrypt") return { enabled: true, type: "letsencrypt", hosts: [config.hub.domain], letsencrypt: { contactEmail: tls.email } };
  return { enabled: false };
}

/** Annotations that make the AWS Load Balancer Controller build an internet-facing NLB. */
function loadBalancerAnnotations(config: HubConfig): Record<string, string> {
  const annotations: Record<string, string> = {
    "service.beta.kubernetes.io/aws-load-balancer-type": "external",
    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    "service.beta.kubernetes.io/aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true",
    "service.beta.kubernetes.io/aws-load-balancer-additional-resource-tags": Object.entries(config.tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(","),
  };
  if (config.hub.tls.kind === "acm") {
    annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"] = config.hub.tls.certificateArn;
    annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"] = "https";
    annotations["service.beta.kubernetes.io/aws-load-balancer-backend-protocol"] = "tcp";
    annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy"] = "ELBSecurityPolicy-TLS13-1-2-2021-06";
  }
  return annotations;
}

export function buildHubValues(config: HubConfig, ctx: HubValuesContext): Z2jhValues {
  const defaultProfile = config.profiles.find((p) => p.default) ?? config.profiles[0];
  const env: Record<string, string | EnvFromSecret> = {};
  if (config.auth.github) {
    // OAuthenticator reads GITHUB_CLIENT_SECRET; the value stays in a Kubernetes Secret.
    env.GITHUB_CLIENT_SECRET = { valueFrom: { secretKeyRef: { name: ctx.authSecretName, key: AUTH_SECRET_KEYS.githubClientSecret } } };
  }
  const prePulled = config.images.filter((i) => i.prePull && !i.gpu);
  return {
    hub: {
      config: authConfig(config),
      extraEnv: env,
      db: { type: "sqlite-pvc", pvc: { storage: formatQuantity(config.hub.dbSizeBytes), storageClassName: STORAGE_CLASSES.retained } },
      resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
      networkPolicy: { enabled: true },
    },
    proxy: {
      service: {
        type: "LoadBalancer",
        annotations: loadBalancerAnnotations(config),
        loadBalancerSourceRanges: [...config.hub.loadBalancerSourceRanges],
      },
      https: proxyHttps(config),
      chp: { resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { memory: "1Gi" } }, networkPolicy: { enabled: true } },
    },
    singleuser: {
      defaultUrl: config.hub.defaultUrl,
      startTimeout: config.hub.startTimeoutSeconds,
      image: splitImage(defaultProfile.images[0].ref),
      cpu: { guarantee: defaultProfile.cpu.guarantee, limit: defaultProfile.cpu.limit },
      memory: {
        guarantee: formatSpawnerBytes(defaultProfile.memory.guaranteeBytes),
        limit: formatSpawnerBytes(defaultProfile.memory.limitBytes),
      },
      storage: {
        type: "dynamic",
        capacity: formatQuantity(config.storage.homeSizeBytes),
        homeMountPath: "/home/jovyan",
        dynamic: { storageClass: STORAGE_CLASSES.retained },
      },
      // Karpenter must not drain a node under a running notebook to consolidate or expire it.
      extraAnnotations: { [DO_NOT_DISRUPT]: "true" },
      // The VPC CNI enforces NetworkPolicy and nodes allow one IMDS hop, so the metadata
      // server is already unreachable; the iptables init container would need NET_ADMIN.
      cloudMetadata: { blockWithIptables: false, ip: "169.254.169.254" },
      networkPolicy: { enabled: true },
      profileList: config.profiles.map(spawnerProfile),
    },
    scheduling: {
      userScheduler: { enabled: true },
      podPriority: { enabled: false },
      // No warm user nodes: the idle floor is the core node group only.
      userPlaceholder: { enabled: false },
      corePods: { nodeAffinity: { matchNodePurpose: "require" } },
      userPods: { nodeAffinity: { matchNodePurpose: "require" } },
    },
    prePuller: {
      // The hook would block every helm upgrade on pulls to all user nodes.
      hook: { enabled: false },
      continuous: { enabled: true },
      pullProfileListImages: false,
      extraImages: Object.fromEntries(prePulled.map((i) => [i.key, splitImage(i.ref)])),
    },
    cull: {
      enabled: config.hub.cull.enabled,
      users: false,
      timeout: config.hub.cull.idleTimeoutSeconds,
      every: config.hub.cull.everySeconds,
      maxAge: config.hub.cull.maxAgeSeconds,
    },
  };
}

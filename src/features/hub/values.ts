/**
 * Zero to JupyterHub 4.4.0 values: the hub's own part (its pods, proxy, culling, the default
 * server, the menu and group admin roles, the Python and its settings file) merged with the
 * contributions of the other features (core/hub-contribution.ts). Tests merge the result over the
 * chart's defaults and validate it against the chart's own values schema.
 */
import { chartImage } from "../../core/util/image-ref";
import { mergeContributions, mergeMaps, type HubApiClient, type HubContribution, type HubPort, type HubRole } from "../../core/hub-contribution";
import { RESTRICTED_CONTAINER_CONTEXT, RESTRICTED_POD_CONTEXT } from "../../core/namespaces";
import { DO_NOT_DISRUPT, ON_DEMAND_CORE_NODE_LABELS, ON_DEMAND_CORE_PRIORITY } from "../../core/labels";
import { containerResources, requests } from "../../core/resources";
import { ACCESS_LOG_PREFIX, HUB_API_PORT, STORAGE_CLASSES } from "../../core/names";
import type { ResolvedGroup, ResolvedProfile } from "../../config/resolve";
import { formatQuantity, formatSpawnerBytes } from "../../config/units";
import { hubExtraConfig, hubPackageFiles, settingsFile } from "./python";
import type { ResolvedHub } from "./resolve";
import { hubSettings, type SpawnerProfile } from "./settings";

export interface HubValuesInput {
  readonly hub: ResolvedHub;
  /** Tags of everything the load balancer controller creates for the hub. */
  readonly tags: Readonly<Record<string, string>>;
  readonly groups: readonly ResolvedGroup[];
  /** The menu, in KubeSpawner's form (settings.ts spawnerProfile). */
  readonly profiles: readonly SpawnerProfile[];
  /** What a server gets when no profile applies (the default profile). */
  readonly defaultProfile: ResolvedProfile;
  /** Bucket for the load balancer's access logs. @default none (no access logs) */
  readonly accessLogBucket?: string;
}

/** Group admins may list, start and stop (not open) the servers of their group's members. */
function groupAdminRoles(groups: readonly ResolvedGroup[]): Record<string, HubRole> {
  return Object.fromEntries(
    groups
      .filter((g) => g.admins.length)
      .map((g) => [
        `dandihub-group-admin-${g.key}`,
        {
          description: `Admins of group ${g.key}: see and start/stop its members' servers`,
          scopes: ["admin-ui", `list:users!group=${g.key}`, `read:users!group=${g.key}`, `admin:servers!group=${g.key}`, `read:groups!group=${g.key}`],
          users: [...g.admins],
        },
      ]),
  );
}

/**
 * The hub's NetworkPolicy ingress beyond z2jh's default rule: one peer per API client, port 8081
 * only; and each hub-managed service's port, from the pods that use it.
 */
function hubIngress(clients: readonly HubApiClient[], ports: readonly HubPort[]): object[] {
  const from = clients.map((c) => ({
    ...(c.namespace ? { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": c.namespace } } } : {}),
    podSelector: { matchLabels: { ...c.podLabels } },
  }));
  return [
    ...(from.length ? [{ from, ports: [{ port: HUB_API_PORT, protocol: "TCP" }] }] : []),
    ...ports.map((p) => ({ from: [{ podSelector: { matchLabels: { ...p.from } } }], ports: [{ port: p.port, protocol: "TCP" }] })),
  ];
}

function proxyHttps(hub: ResolvedHub): object {
  const tls = hub.tls;
  if (tls.kind === "acm") return { enabled: true, type: "offload", hosts: [hub.domain] };
  if (tls.kind === "letsencrypt") return { enabled: true, type: "letsencrypt", hosts: [hub.domain], letsencrypt: { contactEmail: tls.email } };
  return { enabled: false };
}

/** Annotations that make the AWS Load Balancer Controller build an internet-facing NLB. */
function loadBalancerAnnotations(input: HubValuesInput): Record<string, string> {
  const attributes = ["load_balancing.cross_zone.enabled=true"];
  if (input.accessLogBucket) {
    attributes.push("access_logs.s3.enabled=true", `access_logs.s3.bucket=${input.accessLogBucket}`, `access_logs.s3.prefix=${ACCESS_LOG_PREFIX}`);
  }
  const annotations: Record<string, string> = {
    "service.beta.kubernetes.io/aws-load-balancer-type": "external",
    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    "service.beta.kubernetes.io/aws-load-balancer-attributes": attributes.join(","),
    "service.beta.kubernetes.io/aws-load-balancer-additional-resource-tags": Object.entries(input.tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(","),
  };
  const tls = input.hub.tls;
  if (tls.kind === "acm") {
    annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"] = tls.certificateArn;
    annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"] = "https";
    annotations["service.beta.kubernetes.io/aws-load-balancer-backend-protocol"] = "tcp";
    annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy"] = "ELBSecurityPolicy-TLS13-1-2-2021-06";
  }
  return annotations;
}


/** z2jh's switches for user servers' egress (its singleuser NetworkPolicy). */
export const USER_EGRESS_RULES = {
  cloudMetadataServer: false,
  dnsPortsCloudMetadataServer: false,
  dnsPortsKubeSystemNamespace: true,
  dnsPortsPrivateIPs: false,
  nonPrivateIPs: true,
  privateIPs: false,
} as const;

/** KubeSpawner's security contexts of a user server (merged over uid/gid and allowPrivilegeEscalation). */
export const USER_SECURITY_CONTEXTS = { pod_security_context: RESTRICTED_POD_CONTEXT, container_security_context: RESTRICTED_CONTAINER_CONTEXT } as const;

/** The hub: one Python process (it cannot use more than a core); spawn storms take its CPU. */
export const HUB_REQUESTS = requests(0.5, 1024, 2048);
export const PROXY_REQUESTS = requests(0.2, 256, 1024);
/** autohttps (Traefik, with Let's Encrypt): TLS for every request, light. */
export const TRAEFIK_REQUESTS = requests(0.1, 128, 512);

/** The chart values: the hub's part merged with every feature's contribution. */
export function buildHubValues(input: HubValuesInput, contributions: readonly HubContribution[]): Record<string, unknown> {
  const { hub, defaultProfile: fallback } = input;
  const merged = mergeContributions(contributions);
  const settings = mergeMaps(hubSettings(hub.contact, input.groups, input.profiles) as Record<string, unknown>, merged.settings, "settings.");
  const own = {
    hub: {
      extraFiles: { ...hubPackageFiles(), "dandihub-settings": settingsFile(settings) },
      extraConfig: hubExtraConfig(),
      loadRoles: { ...groupAdminRoles(input.groups), ...merged.roles },
      services: merged.services,
      db: { type: "sqlite-pvc", pvc: { storage: formatQuantity(hub.dbSizeBytes), storageClassName: STORAGE_CLASSES.retained } },
      resources: containerResources(HUB_REQUESTS),
      nodeSelector: { ...ON_DEMAND_CORE_NODE_LABELS },
      networkPolicy: { enabled: true, ingress: hubIngress(merged.apiClients, merged.hubPorts) },
      ...(merged.hubPorts.length ? { service: { extraPorts: merged.hubPorts.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: "TCP" })) } } : {}),
      // Every user server, whatever its profile: Pod Security's restricted profile (the
      // namespace enforces no less than baseline; help/security.md).
      config: { KubeSpawner: USER_SECURITY_CONTEXTS },
    },
    proxy: {
      service: { type: "LoadBalancer", annotations: loadBalancerAnnotations(input), loadBalancerSourceRanges: [...hub.loadBalancerSourceRanges] },
      https: proxyHttps(hub),
      chp: { resources: containerResources(PROXY_REQUESTS), nodeSelector: { ...ON_DEMAND_CORE_NODE_LABELS }, networkPolicy: { enabled: true } },
      traefik: { resources: containerResources(TRAEFIK_REQUESTS), nodeSelector: { ...ON_DEMAND_CORE_NODE_LABELS } },
    },
    singleuser: {
      defaultUrl: hub.defaultUrl,
      startTimeout: hub.startTimeoutSeconds,
      image: chartImage(fallback.images[0].ref),
      cpu: { guarantee: fallback.cpu.guarantee, limit: fallback.cpu.limit },
      memory: { guarantee: formatSpawnerBytes(fallback.memory.guaranteeBytes), limit: formatSpawnerBytes(fallback.memory.limitBytes) },
      // Karpenter must not drain a node under a running notebook to consolidate or expire it.
      extraAnnotations: { [DO_NOT_DISRUPT]: "true" },
      // Calico enforces the policy below and nodes allow one IMDS hop, so the metadata server
      // is already unreachable; the iptables init container would need NET_ADMIN.
      cloudMetadata: { blockWithIptables: false, ip: "169.254.169.254" },
      allowPrivilegeEscalation: false,
      // Stated, not left to chart defaults: no metadata server, no private addresses (other
      // pods, NFS servers, the hub's internals), DNS from cluster DNS only; the internet stays.
      networkPolicy: { enabled: true, egressAllowRules: USER_EGRESS_RULES, egress: merged.userEgress },
      // Empty: the hub serves each user's profiles from a callable (hub/dandihub_hub/profiles.py).
      profileList: [],
    },
    scheduling: {
      // z2jh 4.4.0's user scheduler is kube-scheduler 1.30 with RBAC written for 1.30; a 1.32+
      // scheduler needs rights that RBAC lacks (lease candidates, volume attachments, DRA), and
      // 1.30 is out of the skew policy against 1.32+. Karpenter packs each group's pending
      // servers onto new nodes itself; EKS's scheduler places pods on existing ones (help/versions.md).
      userScheduler: { enabled: false },
      // The hub, proxy and autohttps get the chart's priority class (user pods too, on nodes of their own).
      podPriority: { enabled: true, defaultPriority: ON_DEMAND_CORE_PRIORITY.value },
      // No warm user nodes: the idle floor is the core node group only.
      userPlaceholder: { enabled: false },
      corePods: { nodeAffinity: { matchNodePurpose: "require" } },
      userPods: { nodeAffinity: { matchNodePurpose: "require" } },
    },
    cull: { enabled: hub.cull.enabled, users: false, timeout: hub.cull.idleTimeoutSeconds, every: hub.cull.everySeconds, maxAge: hub.cull.maxAgeSeconds },
  };
  return mergeMaps(own, merged.values);
}

/**
 * Zero to JupyterHub 4.4.0 values, built as typed objects from the HubConfig. Only the keys
 * dandihub sets are typed; tests merge the result over the chart's defaults and validate it
 * against the chart's own values schema.
 */
import type { HubConfig } from "../config/resolve";
import { formatQuantity, formatSpawnerBytes } from "../config/units";
import { STORAGE_CLASSES } from "../constructs/storage-classes";
import { DO_NOT_DISRUPT, GROUP_LABEL } from "../labels";
import { buildingEnabled } from "../images/custom-images";
import { DASK_GATEWAY_POD_LABELS, DASK_SERVICE, DASK_URL } from "../services/dask-gateway";
import { ACCESS_LOG_PREFIX, EXPORTER_SERVICE, GRAFANA_POD_LABELS, GRAFANA_SERVICE, GRAFANA_URL, grafanaUsers, MONITORING_NAMESPACE, PROMETHEUS_POD_LABELS, PROMETHEUS_SERVICE } from "../monitoring/values";
import { HUB_NAMESPACE } from "../namespaces";
import { MOUNT_PATHS, USER_IDENTITY } from "../storage/layout";
import { hubExtraConfig, hubPackageFiles, settingsFile, type ExtraFile } from "./hub-python";
import { archiveTokenEnv, buildHubSettings, type HubSettings } from "./hub-settings";

export interface EnvFromSecret {
  readonly valueFrom: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
}

/** A JupyterHub role (z2jh `hub.loadRoles`). */
export interface HubRole {
  readonly description: string;
  readonly scopes: readonly string[];
  readonly users?: readonly string[];
  readonly groups?: readonly string[];
  readonly services?: readonly string[];
}

/** A hub-managed service (z2jh `hub.services`); z2jh generates its API token into the hub Secret. */
export interface HubService {
  readonly display: boolean;
  readonly url?: string;
  readonly oauth_no_confirm?: boolean;
  readonly oauth_redirect_uri?: string;
}

export interface Z2jhValues {
  /** Pull secrets (by name) every pod of the chart uses: private registries of users' images. */
  readonly imagePullSecrets: readonly string[];
  readonly hub: {
    readonly config: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    readonly extraEnv: Readonly<Record<string, string | EnvFromSecret>>;
    readonly extraFiles: Readonly<Record<string, ExtraFile>>;
    readonly extraConfig: Readonly<Record<string, string>>;
    readonly loadRoles: Readonly<Record<string, HubRole>>;
    readonly services: Readonly<Record<string, HubService>>;
    /** Set only when image building needs a hub image with jupyterhub-fancy-profiles. */
    readonly image?: { readonly name: string; readonly tag: string };
    readonly db: { readonly type: "sqlite-pvc"; readonly pvc: { readonly storage: string; readonly storageClassName: string } };
    readonly resources: object;
    readonly networkPolicy: { readonly enabled: boolean; readonly ingress: readonly object[] };
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
    /** The identity user volumes force on every file (storage/layout.ts USER_IDENTITY). */
    readonly uid: number;
    readonly fsGid: number;
    readonly image: { readonly name: string; readonly tag: string };
    readonly cpu: { readonly guarantee: number; readonly limit: number };
    readonly memory: { readonly guarantee: string; readonly limit: string };
    /** `none`: homes are mounted per group by the pre-spawn hook (hub/dandihub_hub/spawn.py). */
    readonly storage: { readonly type: "none"; readonly homeMountPath: string };
    readonly extraAnnotations: Readonly<Record<string, string>>;
    readonly cloudMetadata: { readonly blockWithIptables: boolean; readonly ip: string };
    readonly allowPrivilegeEscalation: false;
    readonly networkPolicy: {
      readonly enabled: boolean;
      readonly egressAllowRules: { readonly cloudMetadataServer: false; readonly privateIPs: false };
      /** Private addresses user servers may reach after all: the services they use. */
      readonly egress: readonly object[];
    };
    /** Empty: the hub serves each user's profiles from a callable (hub/dandihub_hub/profiles.py). */
    readonly profileList: readonly never[];
  };
  readonly scheduling: {
    readonly userScheduler: { readonly enabled: boolean };
    readonly podPriority: { readonly enabled: boolean };
    readonly userPlaceholder: { readonly enabled: boolean };
    readonly corePods: { readonly nodeAffinity: { readonly matchNodePurpose: "require" | "prefer" | "ignore" } };
    readonly userPods: { readonly nodeAffinity: { readonly matchNodePurpose: "require" | "prefer" | "ignore" } };
  };
  readonly prePuller: {
    readonly extraTolerations: readonly object[];
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

/** Names and values the values refer to that the JupyterHub construct creates. */
export interface HubValuesContext {
  /** Secret holding authenticator credentials, in the hub's namespace. */
  readonly authSecretName: string;
  /** The Cognito app client and hosted domain, when the Cognito authenticator is used. */
  readonly cognito?: { readonly clientId: string; readonly baseUrl: string };
  /** Group bucket names (scratch, home archives), by group. */
  readonly buckets: Readonly<Record<string, string>>;
  /** This deployment's ECR registry host with a trailing slash (built images). */
  readonly ecrRegistry: string;
  /** Secrets (dockerconfigjson) for private registries, by name. */
  readonly imagePullSecrets: readonly string[];
  /** In-cluster URL of the image builder (binderhub-service), when building is enabled. */
  readonly builderUrl?: string;
  /** Bucket for the load balancer's access logs, when it terminates TLS and monitoring is on. */
  readonly accessLogBucket?: string;
}

/** The port of the hub's API (z2jh's `hub` Service and container port `http`). */
export const HUB_API_PORT = 8081;

/** The hub service the retention job authenticates as (z2jh generates its token). */
export const RETENTION_SERVICE = "dandihub-retention";
/** The JupyterHub service users reach the image builder through (/services/binder/; fancy-profiles expects this name). */
export const BUILDER_SERVICE = "binder";
export const IMAGE_BUILDERS_ROLE = "dandihub-image-builders";
/** Labels binderhub-service puts on its pod. */
export const BUILDER_POD_LABELS = { "app.kubernetes.io/name": "binderhub-service", "app.kubernetes.io/component": "binderhub" } as const;

/** Keys of the auth Secret; each becomes one hub environment variable. */
export const AUTH_SECRET_KEYS = {
  githubClientSecret: "github-client-secret",
  oauthClientSecret: "oauth-client-secret",
  archiveToken: (archive: string) => `archive-token-${archive}`,
} as const;

function splitImage(ref: string): { name: string; tag: string } {
  const at = ref.lastIndexOf(":");
  return { name: ref.slice(0, at), tag: ref.slice(at + 1) };
}

function fromSecret(name: string, key: string): EnvFromSecret {
  return { valueFrom: { secretKeyRef: { name, key } } };
}

/** Authenticator configuration. Membership and the access decision come from dandihub_hub.auth. */
function authConfig(config: HubConfig, ctx: HubValuesContext): Z2jhValues["hub"]["config"] {
  const callback = `${config.hub.url}/hub/oauth_callback`;
  // Groups are computed at login and synced into the hub (manage_groups); they need auth state.
  // Who may log in is decided by dandihub_hub.auth's check_allowed, not by allow_* traits, so
  // JupyterHub's "no allow config, nobody can login" warning would be wrong.
  const authenticator = { admin_users: [...config.auth.admins], manage_groups: true, enable_auth_state: true, any_allow_config: true };
  switch (config.authenticator) {
    case "github":
      return {
        JupyterHub: { authenticator_class: "github" },
        Authenticator: authenticator,
        GitHubOAuthenticator: {
          client_id: config.auth.github!.clientId,
          oauth_callback_url: callback,
          scope: ["read:org"],
          populate_teams_in_auth_state: true,
        },
      };
    case "dandiOAuth": {
      const oauth = config.auth.dandiOAuth!;
      const archive = config.archives.find((a) => a.name === oauth.archive)!;
      return {
        JupyterHub: { authenticator_class: "generic-oauth" },
        Authenticator: authenticator,
        GenericOAuthenticator: {
          client_id: oauth.clientId,
          oauth_callback_url: callback,
          login_service: archive.displayName,
          authorize_url: `${archive.api}/oauth/authorize/`,
          token_url: `${archive.api}/oauth/token/`,
          userdata_url: `${archive.api}/api/users/me/`,
          username_claim: "username",
          scope: [],
          enable_pkce: true,
          // A public (secret-less) PKCE client sends its id in the body, not as Basic auth.
          basic_auth: oauth.clientSecret !== undefined,
        },
      };
    }
    case "cognito":
      return {
        JupyterHub: { authenticator_class: "generic-oauth" },
        Authenticator: authenticator,
        GenericOAuthenticator: {
          client_id: ctx.cognito!.clientId,
          oauth_callback_url: callback,
          login_service: "Cognito (development)",
          authorize_url: `${ctx.cognito!.baseUrl}/oauth2/authorize`,
          token_url: `${ctx.cognito!.baseUrl}/oauth2/token`,
          userdata_url: `${ctx.cognito!.baseUrl}/oauth2/userInfo`,
          username_claim: "username",
          scope: ["openid", "email", "profile"],
        },
      };
    case "dummy":
      return { JupyterHub: { authenticator_class: "dummy" }, Authenticator: { ...authenticator, allow_all: true } };
  }
}

/** Secrets reach the hub as environment variables read from the auth Secret, never as values. */
function authEnv(config: HubConfig, ctx: HubValuesContext): Record<string, EnvFromSecret> {
  const env: Record<string, EnvFromSecret> = {};
  // OAuthenticator reads GITHUB_CLIENT_SECRET (GitHub) and OAUTH_CLIENT_SECRET (generic).
  if (config.auth.github) env.GITHUB_CLIENT_SECRET = fromSecret(ctx.authSecretName, AUTH_SECRET_KEYS.githubClientSecret);
  if (config.auth.dandiOAuth?.clientSecret || config.authenticator === "cognito") {
    env.OAUTH_CLIENT_SECRET = fromSecret(ctx.authSecretName, AUTH_SECRET_KEYS.oauthClientSecret);
  }
  for (const a of config.archives) env[archiveTokenEnv(a.name)] = fromSecret(ctx.authSecretName, AUTH_SECRET_KEYS.archiveToken(a.name));
  return env;
}

/** Hub services: the retention job's identity and the image builder. */
function hubServices(config: HubConfig, ctx: HubValuesContext): Record<string, HubService> {
  const services: Record<string, HubService> = {};
  if (config.storage.retention.enabled) services[RETENTION_SERVICE] = { display: false };
  if (config.monitoring.enabled) {
    services[PROMETHEUS_SERVICE] = { display: false };
    services[EXPORTER_SERVICE] = { display: false };
    services[GRAFANA_SERVICE] = {
      display: false,
      url: GRAFANA_URL,
      oauth_no_confirm: true,
      oauth_redirect_uri: `${config.hub.url}/services/${GRAFANA_SERVICE}/login/generic_oauth`,
    };
  }
  if (config.services.daskGateway) services[DASK_SERVICE] = { display: false, url: DASK_URL };
  for (const [name, svc] of Object.entries(config.services.charts)) {
    if (svc.hub) services[name] = { display: true, url: svc.hub.url };
  }
  if (buildingEnabled(config)) {
    services[BUILDER_SERVICE] = {
      display: false,
      url: ctx.builderUrl!,
      // Users reach it from the spawn page; asking them to authorize it again adds nothing.
      oauth_no_confirm: true,
      oauth_redirect_uri: `${config.hub.url}/services/${BUILDER_SERVICE}/oauth_callback`,
    };
  }
  return services;
}

/** User servers reach no private address except the services they use (Dask Gateway's proxy). */
function userEgress(config: HubConfig): object[] {
  return config.services.daskGateway ? [{ to: [{ podSelector: { matchLabels: { ...DASK_GATEWAY_POD_LABELS } } }] }] : [];
}

/** A pod that calls the hub API (port 8081) from outside the pods z2jh labels for it. */
export interface HubApiClient {
  readonly name: string;
  /** The pods' namespace; the hub's when omitted. */
  readonly namespace?: string;
  readonly podLabels: Readonly<Record<string, string>>;
}

/**
 * Every client of the hub API dandihub deploys that z2jh's own rule (pods labelled
 * hub.jupyter.org/network-access-hub, in the hub's namespace) does not cover. Our jobs and the
 * exporter carry that label, and so does Dask Gateway's gateway pod (the chart labels it); the
 * pods of charts that do not are listed here (__tests__/hub-access.test.ts finds every client).
 */
export function hubApiClients(config: HubConfig): HubApiClient[] {
  const clients: HubApiClient[] = [];
  if (buildingEnabled(config)) clients.push({ name: BUILDER_SERVICE, podLabels: BUILDER_POD_LABELS });
  if (config.monitoring.enabled) {
    clients.push({ name: PROMETHEUS_SERVICE, namespace: MONITORING_NAMESPACE, podLabels: PROMETHEUS_POD_LABELS });
    clients.push({ name: GRAFANA_SERVICE, podLabels: GRAFANA_POD_LABELS });
  }
  for (const [name, svc] of Object.entries(config.services.charts)) {
    if (!svc.hub) continue;
    const namespace = svc.namespace ?? HUB_NAMESPACE;
    clients.push({ name, ...(namespace === HUB_NAMESPACE ? {} : { namespace }), podLabels: svc.hub.podLabels ?? { "app.kubernetes.io/instance": name } });
  }
  return clients;
}

/** The hub's NetworkPolicy ingress beyond z2jh's default rule: one peer per API client, port 8081 only. */
function hubIngress(config: HubConfig): object[] {
  const from = hubApiClients(config).map((c) => ({
    ...(c.namespace ? { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": c.namespace } } } : {}),
    podSelector: { matchLabels: { ...c.podLabels } },
  }));
  return from.length ? [{ from, ports: [{ port: HUB_API_PORT, protocol: "TCP" }] }] : [];
}

/** Group admins may list, start and stop (not open) the servers of their group's members. */
function groupAdminRoles(config: HubConfig): Record<string, HubRole> {
  const roles: Record<string, HubRole> = Object.fromEntries(
    config.groups
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
  const builders = config.groups.filter((g) => g.customImages.build).map((g) => g.key);
  if (buildingEnabled(config) && builders.length) {
    roles[IMAGE_BUILDERS_ROLE] = {
      description: "Groups that build images: may use the image builder service",
      scopes: [`access:services!service=${BUILDER_SERVICE}`],
      groups: builders,
    };
  }
  if (config.monitoring.enabled) {
    roles["dandihub-metrics"] = { description: "Prometheus reads /hub/metrics", scopes: ["read:metrics"], services: [PROMETHEUS_SERVICE] };
    roles["dandihub-exporter"] = { description: "The exporter reads who is in which group", scopes: ["list:groups", "read:groups"], services: [EXPORTER_SERVICE] };
    const { admins, viewers } = grafanaUsers(config);
    roles["dandihub-grafana-users"] = {
      description: "May sign in to Grafana (hub admins as Grafana admins, the rest as viewers)",
      scopes: [`access:services!service=${GRAFANA_SERVICE}`],
      users: [...admins, ...viewers],
    };
  }
  const dask = config.services.daskGateway;
  if (dask) {
    roles["dandihub-dask-gateway"] = { description: "Dask Gateway checks who a user is and their groups", scopes: ["read:users:name", "read:users:groups"], services: [DASK_SERVICE] };
    roles["dandihub-dask-users"] = {
      description: "Groups that may create Dask clusters",
      scopes: [`access:services!service=${DASK_SERVICE}`],
      groups: config.groups.map((g) => g.key).filter((g) => g in dask.groups),
    };
  }
  for (const [name, svc] of Object.entries(config.services.charts)) {
    if (svc.hub) roles[`dandihub-service-${name}`] = { description: `Groups that may use ${name}`, scopes: [`access:services!service=${name}`], groups: [...svc.hub.groups] };
  }
  if (config.storage.retention.enabled) {
    roles[RETENTION_SERVICE] = {
      description: "Inactive-home policy: reads who was active when",
      scopes: ["list:users", "read:users:name", "read:users:activity"],
      services: [RETENTION_SERVICE],
    };
  }
  return roles;
}

function proxyHttps(config: HubConfig): Z2jhValues["proxy"]["https"] {
  const tls = config.hub.tls;
  if (tls.kind === "acm") return { enabled: true, type: "offload", hosts: [config.hub.domain] };
  if (tls.kind === "letsencrypt") return { enabled: true, type: "letsencrypt", hosts: [config.hub.domain], letsencrypt: { contactEmail: tls.email } };
  return { enabled: false };
}

/** Annotations that make the AWS Load Balancer Controller build an internet-facing NLB. */
function loadBalancerAnnotations(config: HubConfig, ctx: HubValuesContext): Record<string, string> {
  const attributes = ["load_balancing.cross_zone.enabled=true"];
  if (ctx.accessLogBucket) {
    attributes.push("access_logs.s3.enabled=true", `access_logs.s3.bucket=${ctx.accessLogBucket}`, `access_logs.s3.prefix=${ACCESS_LOG_PREFIX}`);
  }
  const annotations: Record<string, string> = {
    "service.beta.kubernetes.io/aws-load-balancer-type": "external",
    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    "service.beta.kubernetes.io/aws-load-balancer-attributes": attributes.join(","),
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

export function buildHubValues(config: HubConfig, ctx: HubValuesContext, settings: HubSettings = buildHubSettings(config, ctx)): Z2jhValues {
  const defaultProfile = config.profiles.find((p) => p.default) ?? config.profiles[0];
  const prePulled = config.images.filter((i) => i.prePull && !i.gpu);
  const build = buildingEnabled(config) ? config.customImages.build : undefined;
  return {
    imagePullSecrets: [...ctx.imagePullSecrets],
    hub: {
      config: authConfig(config, ctx),
      extraEnv: authEnv(config, ctx),
      extraFiles: { ...hubPackageFiles(), "dandihub-settings": settingsFile(settings) },
      extraConfig: hubExtraConfig(),
      loadRoles: groupAdminRoles(config),
      services: hubServices(config, ctx),
      ...(build ? { image: { name: build.hubImage.name, tag: build.hubImage.tag } } : {}),
      db: { type: "sqlite-pvc", pvc: { storage: formatQuantity(config.hub.dbSizeBytes), storageClassName: STORAGE_CLASSES.retained } },
      resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
      networkPolicy: { enabled: true, ingress: hubIngress(config) },
    },
    proxy: {
      service: {
        type: "LoadBalancer",
        annotations: loadBalancerAnnotations(config, ctx),
        loadBalancerSourceRanges: [...config.hub.loadBalancerSourceRanges],
      },
      https: proxyHttps(config),
      chp: { resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { memory: "1Gi" } }, networkPolicy: { enabled: true } },
    },
    singleuser: {
      defaultUrl: config.hub.defaultUrl,
      startTimeout: config.hub.startTimeoutSeconds,
      uid: USER_IDENTITY.uid,
      fsGid: USER_IDENTITY.gid,
      image: splitImage(defaultProfile.images[0].ref),
      cpu: { guarantee: defaultProfile.cpu.guarantee, limit: defaultProfile.cpu.limit },
      memory: {
        guarantee: formatSpawnerBytes(defaultProfile.memory.guaranteeBytes),
        limit: formatSpawnerBytes(defaultProfile.memory.limitBytes),
      },
      storage: { type: "none", homeMountPath: MOUNT_PATHS.home },
      // Karpenter must not drain a node under a running notebook to consolidate or expire it.
      extraAnnotations: { [DO_NOT_DISRUPT]: "true" },
      // The VPC CNI enforces NetworkPolicy and nodes allow one IMDS hop, so the metadata
      // server is already unreachable; the iptables init container would need NET_ADMIN.
      cloudMetadata: { blockWithIptables: false, ip: "169.254.169.254" },
      allowPrivilegeEscalation: false,
      // Stated, not left to chart defaults: no metadata server, no private addresses (other
      // pods, NFS servers, the hub's internals); the internet and DNS stay reachable.
      networkPolicy: { enabled: true, egressAllowRules: { cloudMetadataServer: false, privateIPs: false }, egress: userEgress(config) },
      profileList: [],
    },
    scheduling: {
      // z2jh 4.4.0's user scheduler is kube-scheduler 1.30 with RBAC written for 1.30; a 1.32+
      // scheduler needs rights that RBAC lacks (lease candidates, volume attachments, DRA), and
      // 1.30 is out of the skew policy against 1.32+. Karpenter packs each group's pending
      // servers onto new nodes itself; EKS's scheduler places pods on existing ones (help/versions.md).
      userScheduler: { enabled: false },
      podPriority: { enabled: false },
      // No warm user nodes: the idle floor is the core node group only.
      userPlaceholder: { enabled: false },
      corePods: { nodeAffinity: { matchNodePurpose: "require" } },
      userPods: { nodeAffinity: { matchNodePurpose: "require" } },
    },
    prePuller: {
      // User nodes also carry their group's taint; the puller serves every group.
      extraTolerations: [{ key: GROUP_LABEL, operator: "Exists", effect: "NoSchedule" }],
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

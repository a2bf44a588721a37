/**
 * What dandihub adds to the monitoring stack, as manifests of one release: ServiceMonitors (the
 * hub with its service token, Karpenter, the exporter), dandihub's exporter (storage against
 * quota, group membership, instance prices), the alert rules and the dashboards; and the values
 * of Kubecost's free tier on the same Prometheus.
 */
import { instanceType } from "../../core/catalog/instance-types";
import { CODE_DIR, codeVolume, JOB_IMAGES, RESTRICTED } from "../../core/jobs";
import { CORE_NODE_LABELS, GROUP_LABEL } from "../../core/labels";
import { HUB_API_URL, HUB_NAMESPACE, hubServiceToken, MONITORING_NAMESPACE, SYSTEM_NAMESPACE } from "../../core/names";
import { STORAGE_FAMILIES, STORAGE_SIZES } from "../capacity/node-pools";
import { instancePrice } from "../cost/prices";
import { claimName, COMMON_VOLUME, REPORTS_DIR, SHARED_DIR } from "../storage/layout";
import type { StorageGroup } from "../storage/resolve";
import { EXPORTER_INTERVAL_SECONDS, ruleGroups, type AlertScope } from "./alerts";
import { dashboards } from "./dashboards";
import { ksmLabel, USERNAME_KEY, type MetricScope } from "./metrics";
import { DASHBOARD_LABEL, EXPORTER_SERVICE, PROMETHEUS_SERVICE, PROMETHEUS_URL } from "./values";

const EXPORTER_PORT = 9090;
const VOLUMES_DIR = "/volumes";

export interface ExporterInput {
  readonly storageMode: "home-nfs" | "efs";
  readonly groups: readonly Pick<StorageGroup, "key" | "storage">[];
  /** Instance types the exporter prices (every type a profile may run on, and the storage pool's). */
  readonly instanceTypes: readonly string[];
  /** Estimate only: spot's discount off on-demand. */
  readonly spotDiscount: number;
}

/** Where each volume is mounted in the exporter, and what it measures there. */
export function exporterConfig(input: ExporterInput): { volumes: ({ volume: string; path: string } & Record<string, unknown>)[] } & Record<string, unknown> {
  const homeNfs = input.storageMode === "home-nfs";
  const groupVolumes = input.groups.map((g) => ({
    volume: g.key,
    path: `${VOLUMES_DIR}/${g.key}`,
    sharedDir: SHARED_DIR,
    exclude: [REPORTS_DIR],
    ...(homeNfs
      ? {
          homeQuotaBytes: g.storage.homeQuotaGiB * 2 ** 30,
          sharedQuotaBytes: g.storage.sharedQuotaGiB * 2 ** 30,
          overrides: Object.fromEntries(Object.entries(g.storage.quotaOverridesGiB).map(([u, q]) => [u, q * 2 ** 30])),
        }
      : {}),
  }));
  return {
    volumes: [...groupVolumes, { volume: COMMON_VOLUME, path: `${VOLUMES_DIR}/${COMMON_VOLUME}`, directories: false }],
    hubApi: HUB_API_URL,
    interval: EXPORTER_INTERVAL_SECONDS,
    port: EXPORTER_PORT,
    prices: instancePrices(input.instanceTypes, input.spotDiscount),
  };
}

/** Every instance type the exporter prices: the profiles' and the storage pool's, once each. */
export function pricedInstanceTypes(profiles: readonly { readonly instances: readonly { readonly name: string }[] }[]): string[] {
  const names = new Set<string>();
  for (const p of profiles) for (const s of p.instances) names.add(s.name);
  for (const f of STORAGE_FAMILIES) for (const size of STORAGE_SIZES) if (instanceType(`${f}.${size}`)) names.add(`${f}.${size}`);
  return [...names];
}

/** Prices of the instance types (on-demand, and spot at the configured discount). */
export function instancePrices(types: readonly string[], spotDiscount: number): { instanceType: string; capacityType: string; usd: number }[] {
  const out: { instanceType: string; capacityType: string; usd: number }[] = [];
  for (const name of [...types].sort((a, b) => a.localeCompare(b))) {
    const price = instancePrice(name, instanceType(name)?.vcpu ?? 0);
    if (!price) continue;
    out.push({ instanceType: name, capacityType: "on-demand", usd: price.usd });
    out.push({ instanceType: name, capacityType: "spot", usd: Math.round(price.usd * (1 - spotDiscount) * 1e6) / 1e6 });
  }
  return out;
}

function exporterManifests(input: ExporterInput): object[] {
  const labels = { "app.kubernetes.io/name": EXPORTER_SERVICE, "app.kubernetes.io/part-of": "dandihub" };
  const exporter = exporterConfig(input);
  const mounted = exporter.volumes;
  // Metrics say the group's key; the claim is named after the volume (a renamed group's keeps its first key).
  const volumeOf = new Map(input.groups.map((g) => [g.key, g.storage.volume]));
  return [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: EXPORTER_SERVICE, namespace: HUB_NAMESPACE }, data: { "config.json": JSON.stringify(exporter, null, 1) } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: EXPORTER_SERVICE, namespace: HUB_NAMESPACE }, automountServiceAccountToken: false },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: EXPORTER_SERVICE, namespace: HUB_NAMESPACE, labels },
      spec: {
        replicas: 1,
        strategy: { type: "Recreate" },
        selector: { matchLabels: labels },
        template: {
          // z2jh's hub NetworkPolicy admits pods with this label (membership comes from the hub API).
          metadata: { labels: { ...labels, "hub.jupyter.org/network-access-hub": "true" } },
          spec: {
            serviceAccountName: EXPORTER_SERVICE,
            automountServiceAccountToken: false,
            nodeSelector: { ...CORE_NODE_LABELS },
            containers: [
              {
                name: "exporter",
                image: JOB_IMAGES.python,
                command: ["python3", "-m", "dandihub_jobs.exporter", "--config", "/etc/dandihub-exporter/config.json"],
                workingDir: CODE_DIR,
                env: [
                  { name: "PYTHONDONTWRITEBYTECODE", value: "1" },
                  { name: "JUPYTERHUB_API_TOKEN", valueFrom: hubServiceToken(EXPORTER_SERVICE) },
                ],
                ports: [{ name: "metrics", containerPort: EXPORTER_PORT }],
                readinessProbe: { httpGet: { path: "/metrics", port: "metrics" }, periodSeconds: 30 },
                securityContext: RESTRICTED,
                resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
                volumeMounts: [
                  { name: "code", mountPath: CODE_DIR, readOnly: true },
                  { name: "config", mountPath: "/etc/dandihub-exporter", readOnly: true },
                  ...mounted.map((v) => ({ name: `volume-${v.volume}`, mountPath: v.path, readOnly: true })),
                ],
              },
            ],
            volumes: [
              codeVolume(),
              { name: "config", configMap: { name: EXPORTER_SERVICE } },
              ...mounted.map((v) => ({ name: `volume-${v.volume}`, persistentVolumeClaim: { claimName: claimName(volumeOf.get(v.volume) ?? v.volume), readOnly: true } })),
            ],
          },
        },
      },
    },
    { apiVersion: "v1", kind: "Service", metadata: { name: EXPORTER_SERVICE, namespace: HUB_NAMESPACE, labels }, spec: { selector: labels, ports: [{ name: "metrics", port: EXPORTER_PORT, targetPort: "metrics" }] } },
  ];
}

/** ServiceMonitors: the hub (with its service token), Karpenter, the exporter. */
function serviceMonitors(): object[] {
  const monitor = (name: string, namespace: string, selector: Record<string, string>, endpoint: object) => ({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name, namespace },
    spec: { selector: { matchLabels: selector }, namespaceSelector: { matchNames: [namespace] }, endpoints: [{ interval: "60s", ...endpoint }] },
  });
  const token = hubServiceToken(PROMETHEUS_SERVICE).secretKeyRef;
  return [
    monitor("hub", HUB_NAMESPACE, { app: "jupyterhub", component: "hub" }, {
      port: "hub",
      path: "/hub/metrics",
      // /hub/metrics needs a token with read:metrics; the Secret is read in this namespace.
      authorization: { type: "Bearer", credentials: { name: token.name, key: token.key } },
    }),
    monitor("karpenter", SYSTEM_NAMESPACE, { "app.kubernetes.io/name": "karpenter" }, { port: "http-metrics" }),
    monitor(EXPORTER_SERVICE, HUB_NAMESPACE, { "app.kubernetes.io/name": EXPORTER_SERVICE }, { port: "metrics" }),
  ];
}

export interface MonitoringManifestsInput extends ExporterInput {
  readonly alerts: AlertScope;
  readonly metrics: MetricScope;
}

/** Everything dandihub adds to the monitoring stack, as manifests of one release. */
export function monitoringManifests(input: MonitoringManifestsInput): object[] {
  const dashboardMaps = Object.entries(dashboards(input.metrics)).map(([name, d]) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `dashboard-${name}`, namespace: HUB_NAMESPACE, labels: { ...DASHBOARD_LABEL }, annotations: { grafana_folder: "dandihub" } },
    data: { [`${name}.json`]: JSON.stringify(d) },
  }));
  return [
    ...serviceMonitors(),
    ...exporterManifests(input),
    { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: "dandihub", namespace: MONITORING_NAMESPACE }, spec: { groups: ruleGroups(input.alerts) } },
    ...dashboardMaps,
  ];
}

/**
 * Kubecost's own volume: its ETL files and settings (metrics stay in Prometheus). A few hundred
 * MB for one cluster; the chart's 32Gi default is sized for many clusters' data.
 */
export const KUBECOST_VOLUME_GIB = 8;

/** Kubecost's free tier on our Prometheus (no second Prometheus, no Grafana of its own). */
export function kubecostValues(clusterName: string): object {
  return {
    global: { prometheus: { enabled: false, fqdn: PROMETHEUS_URL }, grafana: { enabled: false, proxy: false } },
    // The cost model's CLUSTER_ID comes from here even with an external Prometheus (the chart
    // default is "cluster-one").
    prometheus: { server: { global: { external_labels: { cluster_id: clusterName } } } },
    kubecostProductConfigs: {
      clusterName,
      // Allocation by team = group, owner = user (Kubernetes label names, sanitized as Prometheus has them).
      labelMappingConfigs: { enabled: true, team_label: ksmLabel(GROUP_LABEL).replace(/^label_/, ""), owner_label: ksmLabel(USERNAME_KEY).replace(/^label_/, "") },
    },
    // Our Prometheus scrapes Kubecost and evaluates the rules it needs.
    serviceMonitor: { enabled: true },
    prometheusRule: { enabled: true },
    forecasting: { enabled: false },
    persistentVolume: { size: `${KUBECOST_VOLUME_GIB}Gi` },
    nodeSelector: { ...CORE_NODE_LABELS },
  };
}

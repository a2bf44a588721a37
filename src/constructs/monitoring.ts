import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import { PodIdentityModule } from "../../modules/pod-identity";
import type { ITerraformDependable } from "../cdktf";
import { CHARTS } from "../charts";
import type { HubConfig } from "../config/resolve";
import { HelmChart } from "../helm";
import { instanceType } from "../catalog/instance-types";
import { instancePrice } from "../cost/prices";
import { STORAGE_FAMILIES, STORAGE_SIZES } from "../karpenter/node-pools";
import { CORE_NODE_LABELS, GPU_NODE_AGENT_TOLERATIONS, GROUP_LABEL, NVIDIA_GPU_NODES } from "../labels";
import { EXPORTER_INTERVAL_SECONDS, ruleGroups } from "../monitoring/alerts";
import { dashboards } from "../monitoring/dashboards";
import { ksmLabel, USERNAME_KEY } from "../monitoring/metrics";
import { ALERTMANAGER_SERVICE_ACCOUNT, DASHBOARD_LABEL, EXPORTER_SERVICE, MONITORING_NAMESPACE, monitoringValues, PROMETHEUS_SERVICE, PROMETHEUS_URL } from "../monitoring/values";
import { claimName, SHARED_DIR, REPORTS_DIR, volumes } from "../storage/layout";
import type { Cluster } from "./cluster";
import { HUB_NAMESPACE } from "./jupyterhub";
import { KARPENTER_NAMESPACE } from "./karpenter";
import { CODE_DIR, codeVolume, JOB_IMAGES, RESTRICTED } from "./storage-jobs";

export interface MonitoringProps {
  readonly config: HubConfig;
  readonly cluster: Cluster;
  /** The monitoring namespace (made by the stack: the event log ships from it too). */
  readonly namespace: NamespaceV1;
  /** The hub's release: Grafana and the exporter read their tokens from its Secret. */
  readonly hubRelease: ITerraformDependable;
  /** The release shipping the dandihub-jobs ConfigMap (the exporter's code). */
  readonly jobCode: ITerraformDependable;
}

const EXPORTER_PORT = 9090;
const VOLUMES_DIR = "/volumes";

/** Where each volume is mounted in the exporter, and what it measures there. */
export function exporterConfig(config: HubConfig): { volumes: { volume: string; path: string }[] } & Record<string, unknown> {
  const homeNfs = config.storage.mode === "home-nfs";
  const groupVolumes = config.groups.map((g) => ({
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
  const common = volumes(config).includes("common") ? [{ volume: "common", path: `${VOLUMES_DIR}/common`, directories: false }] : [];
  return {
    volumes: [...groupVolumes, ...common],
    hubApi: `http://hub.${HUB_NAMESPACE}.svc:8081/hub/api`,
    interval: EXPORTER_INTERVAL_SECONDS,
    port: EXPORTER_PORT,
    prices: instancePrices(config),
  };
}

/** Prices of every instance type a group's nodes may be (on-demand, and spot at the configured discount). */
export function instancePrices(config: HubConfig): { instanceType: string; capacityType: string; usd: number }[] {
  const types = new Map<string, number>();
  for (const p of config.profiles) for (const s of p.instances) types.set(s.name, s.vcpu);
  for (const f of STORAGE_FAMILIES) for (const size of STORAGE_SIZES) {
    const s = instanceType(`${f}.${size}`);
    if (s) types.set(s.name, s.vcpu);
  }
  const out: { instanceType: string; capacityType: string; usd: number }[] = [];
  for (const [name, vcpu] of [...types].sort(([a], [b]) => a.localeCompare(b))) {
    const price = instancePrice(name, vcpu);
    if (!price) continue;
    out.push({ instanceType: name, capacityType: "on-demand", usd: price.usd });
    out.push({ instanceType: name, capacityType: "spot", usd: Math.round(price.usd * (1 - config.cost.spotDiscount) * 1e6) / 1e6 });
  }
  return out;
}

function exporterManifests(config: HubConfig): object[] {
  const labels = { "app.kubernetes.io/name": EXPORTER_SERVICE, "app.kubernetes.io/part-of": "dandihub" };
  const exporter = exporterConfig(config);
  const mounted = exporter.volumes;
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
                  { name: "JUPYTERHUB_API_TOKEN", valueFrom: { secretKeyRef: { name: "hub", key: `hub.services.${EXPORTER_SERVICE}.apiToken` } } },
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
              ...mounted.map((v) => ({ name: `volume-${v.volume}`, persistentVolumeClaim: { claimName: claimName(v.volume), readOnly: true } })),
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
  return [
    monitor("hub", HUB_NAMESPACE, { app: "jupyterhub", component: "hub" }, {
      port: "hub",
      path: "/hub/metrics",
      // /hub/metrics needs a token with read:metrics; the Secret is read in this namespace.
      authorization: { type: "Bearer", credentials: { name: "hub", key: `hub.services.${PROMETHEUS_SERVICE}.apiToken` } },
    }),
    monitor("karpenter", KARPENTER_NAMESPACE, { "app.kubernetes.io/name": "karpenter" }, { port: "http-metrics" }),
    monitor(EXPORTER_SERVICE, HUB_NAMESPACE, { "app.kubernetes.io/name": EXPORTER_SERVICE }, { port: "metrics" }),
  ];
}

/** Everything dandihub adds to the monitoring stack, as manifests of one release. */
export function monitoringManifests(config: HubConfig): object[] {
  const dashboardMaps = Object.entries(dashboards(config)).map(([name, d]) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `dashboard-${name}`, namespace: HUB_NAMESPACE, labels: { ...DASHBOARD_LABEL }, annotations: { grafana_folder: "dandihub" } },
    data: { [`${name}.json`]: JSON.stringify(d) },
  }));
  return [
    ...serviceMonitors(),
    ...exporterManifests(config),
    { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: "dandihub", namespace: MONITORING_NAMESPACE }, spec: { groups: ruleGroups(config) } },
    ...dashboardMaps,
  ];
}

/**
 * Monitoring for admins: kube-prometheus-stack (Prometheus with our retention, Grafana behind the
 * hub's login), dandihub's exporter, ServiceMonitors, alert rules and dashboards, GPU metrics
 * (DCGM) with GPU profiles, and alert e-mails through an SNS topic.
 */
export class Monitoring extends Construct {
  readonly stack: HelmChart;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { config, cluster } = props;
    let alertTopicArn: string | undefined;
    if (config.monitoring.alertEmails.length) {
      const topic = new SnsTopic(this, "alerts", { name: `${config.name}-alerts`, kmsMasterKeyId: "alias/aws/sns", tags: { ...config.tags } });
      config.monitoring.alertEmails.forEach((email, i) => new SnsTopicSubscription(this, `alerts-email-${i}`, { topicArn: topic.arn, protocol: "email", endpoint: email }));
      new PodIdentityModule(this, "alertmanager-role", {
        name: `${config.name}-alertmanager`,
        use_name_prefix: false,
        attach_custom_policy: true,
        // The AWS-managed SNS key's policy already lets account principals encrypt through SNS.
        policy_statements: [{ sid: "PublishAlerts", actions: ["sns:Publish"], resources: [topic.arn] }],
        associations: { alertmanager: { cluster_name: cluster.eks.clusterName, namespace: MONITORING_NAMESPACE, service_account: ALERTMANAGER_SERVICE_ACCOUNT } },
        tags: { ...config.tags },
      });
      alertTopicArn = topic.arn;
    }
    this.stack = new HelmChart(this, "stack", {
      chart: CHARTS.kubePrometheusStack,
      releaseName: "monitoring",
      namespace: MONITORING_NAMESPACE,
      values: monitoringValues(config, { alertTopicArn }),
      timeoutSeconds: 900,
      dependsOn: [props.namespace, props.hubRelease],
    });
    new HelmChart(this, "dandihub", {
      chart: CHARTS.manifests,
      releaseName: "dandihub-monitoring",
      namespace: HUB_NAMESPACE,
      values: { manifests: monitoringManifests(config) },
      // The CRDs come with the stack; the exporter's code with the jobs' ConfigMap.
      dependsOn: [this.stack.release, props.jobCode],
    });
    if (config.profiles.some((p) => p.gpu)) {
      new HelmChart(this, "dcgm", {
        chart: CHARTS.dcgmExporter,
        releaseName: "dcgm-exporter",
        namespace: MONITORING_NAMESPACE,
        values: {
          serviceMonitor: { enabled: true, honorLabels: true, interval: "60s" },
          nodeSelector: { ...NVIDIA_GPU_NODES },
          tolerations: [...GPU_NODE_AGENT_TOLERATIONS],
        },
        dependsOn: [this.stack.release],
      });
    }
    if (config.cost.kubecost) {
      new HelmChart(this, "kubecost", {
        chart: CHARTS.kubecost,
        releaseName: "kubecost",
        namespace: MONITORING_NAMESPACE,
        values: kubecostValues(config),
        timeoutSeconds: 900,
        dependsOn: [this.stack.release],
      });
    }
  }
}

/** Kubecost's free tier on our Prometheus (no second Prometheus, no Grafana of its own). */
export function kubecostValues(config: HubConfig): object {
  return {
    global: { prometheus: { enabled: false, fqdn: PROMETHEUS_URL }, grafana: { enabled: false, proxy: false } },
    // The cost model's CLUSTER_ID comes from here even with an external Prometheus (the chart
    // default is "cluster-one").
    prometheus: { server: { global: { external_labels: { cluster_id: config.name } } } },
    kubecostProductConfigs: {
      clusterName: config.name,
      // Allocation by team = group, owner = user (Kubernetes label names, sanitized as Prometheus has them).
      labelMappingConfigs: { enabled: true, team_label: ksmLabel(GROUP_LABEL).replace(/^label_/, ""), owner_label: ksmLabel(USERNAME_KEY).replace(/^label_/, "") },
    },
    // Our Prometheus scrapes Kubecost and evaluates the rules it needs.
    serviceMonitor: { enabled: true },
    prometheusRule: { enabled: true },
    forecasting: { enabled: false },
    nodeSelector: { ...CORE_NODE_LABELS },
  };
}

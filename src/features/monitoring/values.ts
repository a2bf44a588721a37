/**
 * kube-prometheus-stack values: Prometheus with our retention and volume, kube-state-metrics with
 * the user, group and profile labels allow-listed, Alertmanager routed to SNS, and Grafana in the
 * hub's namespace signing admins in through the hub (JupyterHub is its OAuth provider).
 */
import { CORE_NODE_LABELS, ON_DEMAND_CORE_NODE_LABELS, ON_DEMAND_CORE_PRIORITY } from "../../core/labels";
import { containerResources, requests } from "../../core/resources";
import { HUB_API_PORT, HUB_NAMESPACE, HUB_SERVICES, hubServiceToken, MONITORING_NAMESPACE, STORAGE_CLASSES } from "../../core/names";
import { NODE_LABEL_KEYS, POD_ANNOTATION_KEYS, POD_LABEL_KEYS } from "./metrics";
import type { ResolvedMonitoring } from "./resolve";

/** kube-prometheus-stack's name prefix: services are monitoring-prometheus, monitoring-alertmanager. */
export const STACK_NAME = "monitoring";
export const PROMETHEUS_URL = `http://${STACK_NAME}-prometheus.${MONITORING_NAMESPACE}.svc:9090`;
export const KUBECOST_RELEASE = "kubecost";
/** Kubecost's API: its frontend's port, on the Service the chart names `<release>-cost-analyzer`. */
export const KUBECOST_API_PORT = 9090;
export const KUBECOST_URL = `http://${KUBECOST_RELEASE}-cost-analyzer.${MONITORING_NAMESPACE}.svc:${KUBECOST_API_PORT}`;
export const ALERTMANAGER_SERVICE_ACCOUNT = "dandihub-alertmanager";
/** The hub service Grafana is reached through (/services/grafana/) and signs in with. */
export const GRAFANA_SERVICE = HUB_SERVICES.grafana;
export const GRAFANA_URL = `http://grafana.${HUB_NAMESPACE}.svc`;
export const GRAFANA_POD_LABELS = { "app.kubernetes.io/name": "grafana" } as const;
export const PROMETHEUS_POD_LABELS = { "app.kubernetes.io/name": "prometheus" } as const;
/** The label Grafana's sidecar loads dashboard ConfigMaps by. */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;
/** The hub services Prometheus and dandihub's exporter authenticate as (z2jh generates their tokens). */
export const PROMETHEUS_SERVICE = HUB_SERVICES.prometheus;
export const EXPORTER_SERVICE = HUB_SERVICES.exporter;

/** Who sees the dashboards: hub admins, group admins, listed viewers. */
export interface GrafanaAudience {
  readonly admins: readonly string[];
  readonly groups: readonly { readonly admins: readonly string[] }[];
  readonly viewers: readonly string[];
}

export interface MonitoringValuesInput {
  readonly name: string;
  readonly region: string;
  readonly hubUrl: string;
  readonly monitoring: ResolvedMonitoring;
  readonly audience: GrafanaAudience;
}

export interface MonitoringContext {
  /** The SNS topic alerts go to, when alertEmails are set. */
  readonly alertTopicArn?: string;
}

/** Who may open Grafana: hub admins (Grafana admins), group admins and listed viewers. */
export function grafanaUsers(a: GrafanaAudience): { admins: string[]; viewers: string[] } {
  const admins = [...new Set(a.admins)].sort();
  const viewers = [...new Set([...a.groups.flatMap((g) => g.admins), ...a.viewers])].filter((u) => !admins.includes(u)).sort();
  return { admins, viewers };
}

/** JMESPath over JupyterHub's /hub/api/user: admins by name get Admin, viewers Viewer, anyone else no role (refused). */
export function grafanaRoleExpression(a: GrafanaAudience): string {
  const { admins, viewers } = grafanaUsers(a);
  const list = (names: string[]) => `[${names.map((n) => `'${n}'`).join(", ")}]`;
  const parts = [`contains(${list(admins)}, name) && 'Admin'`];
  if (viewers.length) parts.push(`contains(${list(viewers)}, name) && 'Viewer'`);
  return parts.join(" || ");
}

function alertmanagerConfig(config: { readonly name: string; readonly region: string }, ctx: MonitoringContext): object {
  const receivers: object[] = [{ name: "null" }];
  if (ctx.alertTopicArn) {
    receivers.push({
      name: "sns",
      sns_configs: [
        {
          topic_arn: ctx.alertTopicArn,
          sigv4: { region: config.region },
          subject: `[${config.name}] {{ .CommonLabels.alertname }}`,
          send_resolved: true,
        },
      ],
    });
  }
  return {
    route: {
      receiver: ctx.alertTopicArn ? "sns" : "null",
      group_by: ["alertname", "volume", "group"],
      group_wait: "1m",
      group_interval: "10m",
      repeat_interval: "12h",
      // The always-firing heartbeat and informational alerts go nowhere.
      routes: [{ receiver: "null", matchers: ['alertname=~"Watchdog|InfoInhibitor"'] }],
    },
    receivers,
  };
}

export const PROMETHEUS_REQUESTS = requests(0.25, 1536, 4096);

export function monitoringValues(config: MonitoringValuesInput, ctx: MonitoringContext): object {
  const m = config.monitoring;
  const core = { ...CORE_NODE_LABELS };
  const hubUrl = config.hubUrl;
  const internalHub = `http://hub.${HUB_NAMESPACE}.svc:${HUB_API_PORT}`;
  return {
    fullnameOverride: STACK_NAME,
    crds: { enabled: true },
    // EKS runs the control plane: nothing to scrape there.
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeProxy: { enabled: false },
    defaultRules: { create: true, rules: { etcd: false, kubeControllerManager: false, kubeSchedulerAlerting: false, kubeSchedulerRecording: false, kubeProxy: false } },
    prometheusOperator: { nodeSelector: core, admissionWebhooks: { patch: { nodeSelector: core } } },
    prometheus: {
      prometheusSpec: {
        retention: `${m.retentionDays}d`,
        // Prometheus drops the oldest blocks past this, before the volume fills.
        retentionSize: `${Math.floor(m.storageGiB * 0.9)}GB`,
        scrapeInterval: "60s",
        evaluationInterval: "60s",
        // ServiceMonitors and rules in any namespace, not only this release's.
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        // Its volume is zonal: on the on-demand core node in that zone.
        nodeSelector: { ...ON_DEMAND_CORE_NODE_LABELS },
        priorityClassName: ON_DEMAND_CORE_PRIORITY.name,
        resources: containerResources(PROMETHEUS_REQUESTS),
        storageSpec: {
          volumeClaimTemplate: {
            spec: { storageClassName: STORAGE_CLASSES.retained, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${m.storageGiB}Gi` } } },
          },
        },
      },
    },
    alertmanager: {
      serviceAccount: { create: true, name: ALERTMANAGER_SERVICE_ACCOUNT },
      alertmanagerSpec: { nodeSelector: core, resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } } },
      config: alertmanagerConfig(config, ctx),
    },
    "kube-state-metrics": {
      nodeSelector: core,
      metricLabelsAllowlist: [`pods=[${POD_LABEL_KEYS.join(",")}]`, `nodes=[${NODE_LABEL_KEYS.join(",")}]`],
      metricAnnotationsAllowList: [`pods=[${POD_ANNOTATION_KEYS.join(",")}]`],
    },
    // On every node (user, GPU and storage nodes carry taints).
    "prometheus-node-exporter": { tolerations: [{ operator: "Exists" }] },
    grafana: {
      // Beside the hub: it reads its OAuth client secret from the hub's Secret.
      namespaceOverride: HUB_NAMESPACE,
      fullnameOverride: "grafana",
      nodeSelector: core,
      defaultDashboardsTimezone: "utc",
      sidecar: {
        dashboards: { enabled: true, label: Object.keys(DASHBOARD_LABEL)[0], labelValue: Object.values(DASHBOARD_LABEL)[0], folderAnnotation: "grafana_folder", provider: { foldersFromFilesStructure: true } },
        datasources: { enabled: true, uid: "prometheus" },
      },
      envValueFrom: {
        GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET: hubServiceToken(GRAFANA_SERVICE),
      },
      "grafana.ini": {
        server: { root_url: `${hubUrl}/services/${GRAFANA_SERVICE}/`, serve_from_sub_path: true },
        auth: { disable_login_form: true, oauth_auto_login: true, disable_signout_menu: false },
        "auth.anonymous": { enabled: false },
        "auth.basic": { enabled: false },
        "auth.generic_oauth": {
          enabled: true,
          name: "JupyterHub",
          client_id: `service-${GRAFANA_SERVICE}`,
          auth_url: `${hubUrl}/hub/api/oauth2/authorize`,
          token_url: `${internalHub}/hub/api/oauth2/token`,
          api_url: `${internalHub}/hub/api/user`,
          login_attribute_path: "name",
          name_attribute_path: "name",
          role_attribute_path: grafanaRoleExpression(config.audience),
          // No matching role: refused, rather than let in as a viewer.
          role_attribute_strict: true,
          allow_sign_up: true,
          use_pkce: true,
        },
        users: { allow_sign_up: false },
        analytics: { reporting_enabled: false, check_for_updates: false },
      },
    },
  };
}

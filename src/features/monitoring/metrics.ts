/**
 * Every metric dashboards and alerts may use, with the labels it carries, by who exports it.
 * Tests parse each dashboard query and alert rule and fail on a name or label not listed here,
 * so a panel cannot silently show nothing because a metric does not exist.
 */
import { GROUP_LABEL, PROFILE_LABEL } from "../../core/labels";

/** kube-state-metrics' name for a Kubernetes label or annotation key (`label_` + key, non-alphanumerics as `_`). */
/** A Kubernetes label key as Prometheus (and Kubecost's `label:` aggregation) names it. */
export function promLabelName(key: string): string {
  return key.replace(/[^a-zA-Z0-9]/g, "_");
}

export function ksmLabel(key: string, prefix: "label" | "annotation" = "label"): string {
  return `${prefix}_${promLabelName(key)}`;
}

export const USERNAME_KEY = "hub.jupyter.org/username";
export const COMPONENT_KEY = "component";
/** Node labels kube-state-metrics exports (allow-listed in values.ts). */
export const NODE_LABEL_KEYS = ["karpenter.sh/nodepool", "karpenter.sh/capacity-type", "node.kubernetes.io/instance-type", GROUP_LABEL, "topology.kubernetes.io/zone"];
/** Pod labels kube-state-metrics exports. */
export const POD_LABEL_KEYS = [USERNAME_KEY, GROUP_LABEL, PROFILE_LABEL, COMPONENT_KEY];
export const POD_ANNOTATION_KEYS = [USERNAME_KEY];

export const L = {
  user: ksmLabel(USERNAME_KEY),
  group: ksmLabel(GROUP_LABEL),
  profile: ksmLabel(PROFILE_LABEL),
  component: ksmLabel(COMPONENT_KEY),
  nodepool: ksmLabel("karpenter.sh/nodepool"),
  capacity: ksmLabel("karpenter.sh/capacity-type"),
  instanceType: ksmLabel("node.kubernetes.io/instance-type"),
  nodeGroup: ksmLabel(GROUP_LABEL),
} as const;

/** Labels Prometheus adds to every scraped series (target labels of ServiceMonitors). */
export const TARGET_LABELS = ["job", "instance", "namespace", "pod", "service", "endpoint", "container", "node", "le", "__name__"];

export type MetricSource = "hub" | "kube-state-metrics" | "cadvisor" | "kubelet" | "dcgm" | "karpenter" | "dandihub-exporter" | "kubecost" | "prometheus" | "recorded";

export interface MetricInfo {
  readonly source: MetricSource;
  readonly labels: readonly string[];
}

const hist = (name: string, labels: string[], source: MetricSource): Record<string, MetricInfo> => ({
  [`${name}_bucket`]: { source, labels: [...labels, "le"] },
  [`${name}_count`]: { source, labels },
  [`${name}_sum`]: { source, labels },
});

/** The metrics this deployment exports (GPU and Kubecost ones only when those are installed). */
/** What decides which metrics exist: GPU profiles (DCGM) and Kubecost. */
export interface MetricScope {
  readonly profiles: readonly { readonly gpu?: unknown }[];
  readonly cost: { readonly kubecost: boolean };
  /** Groups, with their budgets (a gauge each on the cost dashboard). @default none */
  readonly groups?: readonly { readonly key: string; readonly budget?: { readonly monthlyUsd: number; readonly actualPercent: readonly number[] } }[];
}

export function exportedMetrics(config: MetricScope): Record<string, MetricInfo> {
  const ksmPodLabels = POD_LABEL_KEYS.map((k) => ksmLabel(k));
  const ksmNodeLabels = NODE_LABEL_KEYS.map((k) => ksmLabel(k));
  const metrics: Record<string, MetricInfo> = {
    up: { source: "prometheus", labels: [] },
    // JupyterHub's /hub/metrics
    jupyterhub_active_users: { source: "hub", labels: ["period"] },
    jupyterhub_total_users: { source: "hub", labels: [] },
    jupyterhub_running_servers: { source: "hub", labels: [] },
    ...hist("jupyterhub_server_spawn_duration_seconds", ["status"], "hub"),
    ...hist("jupyterhub_request_duration_seconds", ["code", "handler", "method"], "hub"),
    // kube-state-metrics (labels and annotations allow-listed)
    kube_pod_labels: { source: "kube-state-metrics", labels: ksmPodLabels },
    kube_pod_annotations: { source: "kube-state-metrics", labels: POD_ANNOTATION_KEYS.map((k) => ksmLabel(k, "annotation")) },
    kube_pod_info: { source: "kube-state-metrics", labels: ["host_ip", "pod_ip", "created_by_kind", "created_by_name"] },
    kube_pod_status_phase: { source: "kube-state-metrics", labels: ["phase"] },
    kube_pod_container_resource_requests: { source: "kube-state-metrics", labels: ["resource", "unit"] },
    kube_node_labels: { source: "kube-state-metrics", labels: ksmNodeLabels },
    kube_node_info: { source: "kube-state-metrics", labels: ["kubelet_version", "os_image"] },
    // kubelet / cAdvisor
    container_cpu_usage_seconds_total: { source: "cadvisor", labels: [] },
    container_memory_working_set_bytes: { source: "cadvisor", labels: [] },
    kubelet_volume_stats_available_bytes: { source: "kubelet", labels: ["persistentvolumeclaim"] },
    kubelet_volume_stats_capacity_bytes: { source: "kubelet", labels: ["persistentvolumeclaim"] },
    // Karpenter v1
    karpenter_interruption_received_messages_total: { source: "karpenter", labels: ["message_type"] },
    karpenter_nodeclaims_disrupted_total: { source: "karpenter", labels: ["nodepool", "reason", "capacity_type"] },
    // dandihub exporter (jobs/dandihub_jobs/exporter.py)
    dandihub_directory_size_bytes: { source: "dandihub-exporter", labels: ["volume", "directory", "kind"] },
    dandihub_directory_quota_bytes: { source: "dandihub-exporter", labels: ["volume", "directory", "kind"] },
    dandihub_volume_size_bytes: { source: "dandihub-exporter", labels: ["volume"] },
    dandihub_volume_free_bytes: { source: "dandihub-exporter", labels: ["volume"] },
    dandihub_user_group_info: { source: "dandihub-exporter", labels: ["username", "group"] },
    dandihub_exporter_last_success_timestamp_seconds: { source: "dandihub-exporter", labels: ["source"] },
    dandihub_instance_hourly_price_usd: { source: "dandihub-exporter", labels: ["instance_type", "capacity_type"] },
    // recording rules (alerts.ts)
    "dandihub:group_hourly_cost_usd:estimate": { source: "recorded", labels: [L.group] },
  };
  if (config.profiles.some((p) => p.gpu)) {
    metrics.DCGM_FI_DEV_GPU_UTIL = { source: "dcgm", labels: ["gpu", "UUID", "modelName", "Hostname"] };
    metrics.DCGM_FI_DEV_FB_USED = { source: "dcgm", labels: ["gpu", "UUID", "modelName", "Hostname"] };
  }
  if (config.cost.kubecost) {
    metrics.node_total_hourly_cost = { source: "kubecost", labels: ["instance_type", "region", "provider_id", "arch"] };
  }
  return metrics;
}

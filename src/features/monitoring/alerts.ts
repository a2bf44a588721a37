/**
 * Alert and recording rules (a PrometheusRule the operator loads). Alerts go to the SNS topic
 * e-mailing monitoring.alertEmails (values.ts routes them).
 */
import { HUB_NAMESPACE } from "../../core/names";
import { L } from "./metrics";

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: "warning" | "critical" };
  readonly annotations: { readonly summary: string; readonly description: string };
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly (AlertRule | RecordingRule)[];
}

/** Exporter measurement interval (s); the staleness alert allows three missed rounds. */
export const EXPORTER_INTERVAL_SECONDS = 1800;
export const GROUP_COST_RECORD = "dandihub:group_hourly_cost_usd:estimate";

/** Each group's nodes (by their group label) priced by instance type and capacity type. */
export function groupCostExpr(): string {
  const prices =
    `label_replace(label_replace(max by (instance_type, capacity_type) (dandihub_instance_hourly_price_usd), ` +
    `"${L.instanceType}", "$1", "instance_type", "(.*)"), "${L.capacity}", "$1", "capacity_type", "(.*)")`;
  return (
    `sum by (${L.group}) (max by (node, ${L.group}, ${L.instanceType}, ${L.capacity}) (kube_node_labels{${L.group}!=""}) ` +
    `* on (${L.instanceType}, ${L.capacity}) group_left () max by (${L.instanceType}, ${L.capacity}) (${prices}))`
  );
}

/** What the alert rules depend on: the groups, with their budgets. */
export interface AlertScope {
  readonly groups: readonly { readonly key: string; readonly budget?: { readonly monthlyUsd: number }; readonly storage: { readonly volumeSizeGiB: number } }[];
  readonly storage: { readonly mode: "home-nfs" | "efs"; readonly growth: { readonly enabled: boolean; readonly threshold: number }; readonly commonSizeGiB: number };
}

/** Each growing volume's cap in bytes, as a vector labelled by volume (the exporter's label). */
export function volumeCapsExpr(config: AlertScope): string | undefined {
  if (config.storage.mode !== "home-nfs" || !config.storage.growth.enabled) return undefined;
  const caps = [...config.groups.map((g) => [g.key, g.storage.volumeSizeGiB] as const), ["common", config.storage.commonSizeGiB] as const];
  return caps.map(([volume, gib]) => `label_replace(vector(${gib * 2 ** 30}), "volume", "${volume}", "", "")`).join(" or ");
}

export function ruleGroups(config: AlertScope): RuleGroup[] {
  const ns = `namespace="${HUB_NAMESPACE}"`;
  const spawns = "jupyterhub_server_spawn_duration_seconds_count";
  const budgets: AlertRule[] = config.groups
    .filter((g) => g.budget)
    .map((g) => ({
      alert: "DandihubGroupNearBudget",
      expr: `sum(sum_over_time(${GROUP_COST_RECORD}{${L.group}="${g.key}"}[30d:1h])) > ${0.9 * g.budget!.monthlyUsd}`,
      for: "1h",
      labels: { severity: "warning" },
      annotations: {
        summary: `Group ${g.key} is near its monthly budget`,
        description: `Estimated node spend of ${g.key} over the last 30 days is {{ $value | printf "%.0f" }} USD, over 90% of its ${g.budget!.monthlyUsd} USD budget. AWS Budgets e-mails the actual figures.`,
      },
    }));
  return [
    {
      name: "dandihub.recording",
      interval: "5m",
      rules: [{ record: GROUP_COST_RECORD, expr: groupCostExpr() }],
    },
    {
      name: "dandihub.alerts",
      rules: [
        {
          alert: "DandihubHubDown",
          expr: `(max(up{job="hub", ${ns}}) or vector(0)) == 0`,
          for: "5m",
          labels: { severity: "critical" },
          annotations: { summary: "The hub is not answering", description: "Prometheus cannot scrape /hub/metrics: users cannot log in or start servers." },
        },
        {
          alert: "DandihubSpawnFailures",
          expr: `sum(increase(${spawns}{status!="success"}[30m])) >= 3 and sum(increase(${spawns}{status!="success"}[30m])) / sum(increase(${spawns}[30m])) > 0.25`,
          for: "10m",
          labels: { severity: "warning" },
          annotations: { summary: "Many server starts are failing", description: "Over a quarter of server starts failed in the last 30 minutes (nodes not launching, image pulls, quota)." },
        },
        {
          alert: "DandihubDirectoryNearQuota",
          expr: `dandihub_directory_size_bytes / on (volume, directory, kind) dandihub_directory_quota_bytes > 0.9`,
          for: "1h",
          labels: { severity: "warning" },
          annotations: { summary: "{{ $labels.kind }} {{ $labels.directory }} on {{ $labels.volume }} is over 90% of its quota", description: "Writes fail at the quota; ask the user to clean up, or raise quotaOverrides." },
        },
        ...volumeFilling(config),
        {
          alert: "DandihubPrometheusDiskFilling",
          expr: `kubelet_volume_stats_available_bytes{namespace="monitoring", persistentvolumeclaim=~"prometheus-.*"} / kubelet_volume_stats_capacity_bytes{namespace="monitoring", persistentvolumeclaim=~"prometheus-.*"} < 0.15`,
          for: "30m",
          labels: { severity: "warning" },
          annotations: { summary: "Prometheus storage is over 85% full", description: "Raise monitoring.storageSize, or shorten monitoring.retention." },
        },
        {
          alert: "DandihubExporterStale",
          expr: `time() - dandihub_exporter_last_success_timestamp_seconds > ${3 * EXPORTER_INTERVAL_SECONDS}`,
          for: "15m",
          labels: { severity: "warning" },
          annotations: { summary: "dandihub exporter: {{ $labels.source }} not measured lately", description: "Storage or membership metrics are stale; see the dandihub-exporter pod's log." },
        },
        ...budgets,
      ],
    },
  ];
}

/** Every PromQL expression of the rules. */
export function ruleQueries(groups: readonly RuleGroup[]): string[] {
  return groups.flatMap((g) => g.rules.map((r) => r.expr));
}

/**
 * A volume filling up. Growing volumes grow themselves, so only one that has reached its cap
 * (file system at 95% of it or more) and is still filling needs a person; a fixed one does at 85%.
 */
function volumeFilling(config: AlertScope): AlertRule[] {
  const full = "(1 - dandihub_volume_free_bytes / dandihub_volume_size_bytes)";
  const caps = volumeCapsExpr(config);
  if (!caps) {
    return [
      {
        alert: "DandihubVolumeFilling",
        expr: `${full} > 0.85`,
        for: "30m",
        labels: { severity: "warning" },
        annotations: { summary: "Volume {{ $labels.volume }} is over 85% full", description: "Raise the group's storage.volumeSize and deploy; it grows in place." },
      },
    ];
  }
  return [
    {
      alert: "DandihubVolumeAtCap",
      expr: `${full} > ${config.storage.growth.threshold} and on (volume) dandihub_volume_size_bytes >= on (volume) (0.95 * (${caps}))`,
      for: "30m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Volume {{ $labels.volume }} has grown to its cap and is filling",
        description: "It cannot grow further by itself: raise the group's storage.volumeSize (the cap) and deploy, or ask its users to clean up.",
      },
    },
    {
      alert: "DandihubVolumeFull",
      expr: `${full} > 0.95`,
      for: "30m",
      labels: { severity: "critical" },
      annotations: {
        summary: "Volume {{ $labels.volume }} is over 95% full",
        description: "Below its cap the grower should have grown it: read the logs of its dandihub-grow-<volume> job (kubectl -n jupyterhub logs job/...).",
      },
    },
  ];
}

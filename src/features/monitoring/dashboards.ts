/**
 * The Grafana dashboards, built as typed objects and provisioned as ConfigMaps (Grafana's
 * sidecar loads them; nobody clicks). Queries use only metrics in metrics.ts (tests check).
 */
import { HUB_NAMESPACE } from "../../core/names";
import type { MetricScope } from "./metrics";
import { GROUP_COST_RECORD } from "./alerts";
import { L } from "./metrics";

export const DATASOURCE = { type: "prometheus", uid: "prometheus" } as const;

export interface Target {
  readonly expr: string;
  readonly legendFormat?: string;
  /** A table of the value now rather than a series over time. */
  readonly instant?: boolean;
}

export interface PanelSpec {
  readonly type: "timeseries" | "stat" | "table" | "bargauge" | "gauge";
  readonly title: string;
  readonly description: string;
  readonly unit?: string;
  readonly targets: readonly Target[];
  /** Grid width out of 24. @default 12 */
  readonly width?: number;
  readonly stacked?: boolean;
  /** The panel's own time range, e.g. `now/M` (this month so far). @default the dashboard's */
  readonly timeFrom?: string;
  /** Gauge scale and colour steps: green below the first, then yellow, red from the last. @default Grafana's */
  readonly gauge?: { readonly max: number; readonly steps: readonly number[] };
}

export interface Variable {
  readonly name: string;
  readonly label: string;
  /** A `label_values(metric{...}, label)` query. */
  readonly query: string;
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly timezone: "utc";
  readonly schemaVersion: number;
  readonly editable: boolean;
  readonly time: { readonly from: string; readonly to: string };
  readonly refresh: string;
  readonly templating: { readonly list: readonly object[] };
  readonly panels: readonly object[];
}

function panel(p: PanelSpec, id: number, x: number, y: number): object {
  const width = p.width ?? 12;
  return {
    id,
    type: p.type,
    title: p.title,
    description: p.description,
    datasource: DATASOURCE,
    gridPos: { x, y, w: width, h: p.type === "stat" ? 5 : 9 },
    fieldConfig: {
      defaults: {
        unit: p.unit ?? "short",
        ...(p.stacked ? { custom: { stacking: { mode: "normal" }, fillOpacity: 30 } } : {}),
        ...(p.gauge ? { min: 0, max: p.gauge.max, thresholds: { mode: "absolute", steps: gaugeSteps(p.gauge.steps) } } : {}),
      },
      overrides: [],
    },
    options: p.type === "table" ? { showHeader: true, sortBy: [{ displayName: "Value", desc: true }] } : {},
    ...(p.timeFrom ? { timeFrom: p.timeFrom } : {}),
    targets: p.targets.map((t, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DATASOURCE,
      expr: t.expr,
      legendFormat: t.legendFormat ?? "",
      ...(t.instant || p.type === "table" ? { instant: true, range: false, format: "table" } : { range: true }),
    })),
  };
}

function gaugeSteps(steps: readonly number[]): object[] {
  return [{ color: "green", value: null }, ...steps.map((value, i) => ({ color: i === steps.length - 1 ? "red" : "yellow", value }))];
}

export function dashboard(uid: string, title: string, description: string, specs: readonly PanelSpec[], variables: readonly Variable[] = []): Dashboard {
  const panels: object[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  specs.forEach((spec, i) => {
    const w = spec.width ?? 12;
    const h = spec.type === "stat" ? 5 : 9;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    panels.push(panel(spec, i + 1, x, y));
    x += w;
    rowHeight = Math.max(rowHeight, h);
  });
  return {
    uid,
    title,
    description,
    tags: ["dandihub"],
    timezone: "utc",
    schemaVersion: 39,
    editable: false,
    time: { from: "now-30d", to: "now" },
    refresh: "5m",
    templating: {
      list: variables.map((v) => ({
        name: v.name,
        label: v.label,
        type: "query",
        datasource: DATASOURCE,
        query: { query: v.query, refId: `${v.name}-query` },
        definition: v.query,
        refresh: 2,
        includeAll: true,
        multi: true,
        allValue: ".*",
        current: { selected: true, text: ["All"], value: ["$__all"] },
      })),
    },
    panels,
  };
}

/** Every PromQL string of a dashboard: panel targets and variable queries. */
export function dashboardQueries(d: Dashboard): string[] {
  const targets = (d.panels as { targets: { expr: string }[] }[]).flatMap((p) => p.targets.map((t) => t.expr));
  const variables = (d.templating.list as { definition: string }[]).map((v) => v.definition);
  return [...targets, ...variables];
}

// ---------------------------------------------------------------------------------------------

const NS = `namespace="${HUB_NAMESPACE}"`;
/** User servers' pod labels, filtered by the dashboard's group (and user) variables. */
const userPods = (withUser = false) =>
  `max by (namespace, pod, ${L.group}, ${L.user}, ${L.profile}) (kube_pod_labels{${NS}, ${L.component}="singleuser-server", ${L.group}=~"$group"${withUser ? `, ${L.user}=~"$user"` : ""}})`;
/** Attaches group, user and profile to a per-pod series. */
const byPod = (expr: string, withUser = false) => `(${expr}) * on (namespace, pod) group_left (${L.group}, ${L.user}, ${L.profile}) ${userPods(withUser)}`;
const cpuUsed = `sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{${NS}, container="notebook"}[5m]))`;
const memUsed = `sum by (namespace, pod) (container_memory_working_set_bytes{${NS}, container="notebook"})`;
const requested = (resource: string) => `sum by (namespace, pod) (kube_pod_container_resource_requests{${NS}, container="notebook", resource="${resource}"})`;

const GROUP_VAR: Variable = { name: "group", label: "Group", query: `label_values(kube_pod_labels{${NS}, ${L.component}="singleuser-server"}, ${L.group})` };
const USER_VAR: Variable = { name: "user", label: "User", query: `label_values(kube_pod_labels{${NS}, ${L.group}=~"$group"}, ${L.user})` };

function activity(): Dashboard {
  const spawns = "jupyterhub_server_spawn_duration_seconds";
  return dashboard("dandihub-activity", "dandihub: activity", "Who uses the hub: active users, logins, server starts, failures and how long starts take.", [
    { type: "stat", title: "Active users, last day", description: "Users with activity in the last 24 hours.", targets: [{ expr: `max(jupyterhub_active_users{period="24h"})` }], width: 6 },
    { type: "stat", title: "Active users, last week", description: "Users with activity in the last 7 days.", targets: [{ expr: `max(jupyterhub_active_users{period="7d"})` }], width: 6 },
    { type: "stat", title: "Active users, last month", description: "Users with activity in the last 30 days.", targets: [{ expr: `max(jupyterhub_active_users{period="30d"})` }], width: 6 },
    { type: "stat", title: "Users known to the hub", description: "Everyone who ever logged in.", targets: [{ expr: "max(jupyterhub_total_users)" }], width: 6 },
    { type: "timeseries", title: "Running servers", description: "Servers running, per group.", stacked: true, targets: [{ expr: `count by (${L.group}) (${userPods()})`, legendFormat: `{{${L.group}}}` }] },
    {
      type: "timeseries",
      title: "Logins per hour",
      description: "Completed OAuth logins (the callback redirecting into the hub).",
      targets: [{ expr: `sum(increase(jupyterhub_request_duration_seconds_count{handler=~".*OAuthCallbackHandler.*", code="302"}[1h]))`, legendFormat: "logins" }],
    },
    {
      type: "timeseries",
      title: "Server starts per hour, by outcome",
      description: "Spawns that succeeded, failed or were refused (too many pending).",
      stacked: true,
      targets: [{ expr: `sum by (status) (increase(${spawns}_count[1h]))`, legendFormat: "{{status}}" }],
    },
    {
      type: "timeseries",
      title: "Time to start a server",
      description: "Median and 90th percentile of successful starts (a new node takes minutes; a warm one seconds).",
      unit: "s",
      targets: [
        { expr: `histogram_quantile(0.5, sum by (le) (rate(${spawns}_bucket{status="success"}[1h])))`, legendFormat: "median" },
        { expr: `histogram_quantile(0.9, sum by (le) (rate(${spawns}_bucket{status="success"}[1h])))`, legendFormat: "90th percentile" },
      ],
    },
  ], [GROUP_VAR]);
}

function usage(config: MetricScope): Dashboard {
  const gpu = config.profiles.some((p) => p.gpu);
  const panels: PanelSpec[] = [
    { type: "timeseries", title: "CPU used, by group", description: "Cores used by the group's servers.", stacked: true, targets: [{ expr: `sum by (${L.group}) (${byPod(cpuUsed)})`, legendFormat: `{{${L.group}}}` }] },
    { type: "timeseries", title: "CPU requested, by group", description: "Cores guaranteed to the group's servers (what nodes are sized for).", stacked: true, targets: [{ expr: `sum by (${L.group}) (${byPod(requested("cpu"))})`, legendFormat: `{{${L.group}}}` }] },
    { type: "timeseries", title: "Memory used, by group", description: "Working set of the group's servers.", unit: "bytes", stacked: true, targets: [{ expr: `sum by (${L.group}) (${byPod(memUsed)})`, legendFormat: `{{${L.group}}}` }] },
    { type: "timeseries", title: "Memory requested, by group", description: "Memory guaranteed to the group's servers.", unit: "bytes", stacked: true, targets: [{ expr: `sum by (${L.group}) (${byPod(requested("memory"))})`, legendFormat: `{{${L.group}}}` }] },
    {
      type: "table",
      title: "CPU used vs requested, by user (now)",
      description: "Users whose servers use far less than they requested could use a smaller profile.",
      targets: [
        { expr: `sum by (${L.user}, ${L.group}, ${L.profile}) (${byPod(cpuUsed, true)})`, legendFormat: "used" },
        { expr: `sum by (${L.user}, ${L.group}, ${L.profile}) (${byPod(requested("cpu"), true)})`, legendFormat: "requested" },
      ],
    },
    {
      type: "table",
      title: "Server hours, by group and profile (dashboard range)",
      description: "Hours servers ran in the selected time range, from 5-minute samples.",
      targets: [{ expr: `sum by (${L.group}, ${L.profile}) (count_over_time(${userPods()}[$__range:5m])) * 5 / 60` }],
    },
    {
      type: "table",
      title: "Server hours, by user (dashboard range)",
      description: "Hours each user's servers ran in the selected time range.",
      targets: [{ expr: `topk(50, sum by (${L.user}, ${L.group}) (count_over_time(${userPods(true)}[$__range:5m])) * 5 / 60)` }],
    },
    {
      type: "bargauge",
      title: "Members per group",
      description: "From the hub's groups (dandihub_user_group_info). A user in two groups counts in both; their usage counts only for the group their server was started for.",
      targets: [{ expr: `count by (group) (dandihub_user_group_info{group=~"$group"})`, legendFormat: "{{group}}", instant: true }],
    },
  ];
  if (gpu) {
    panels.push(
      { type: "timeseries", title: "GPU utilisation, by group", description: "Average GPU busy percentage of the group's servers.", unit: "percent", targets: [{ expr: `avg by (${L.group}) (${byPod("max by (namespace, pod) (DCGM_FI_DEV_GPU_UTIL)")})`, legendFormat: `{{${L.group}}}` }] },
      { type: "timeseries", title: "GPU memory used, by user", description: "Framebuffer memory in use (MiB) per user.", unit: "decmbytes", targets: [{ expr: `sum by (${L.user}) (${byPod("max by (namespace, pod) (DCGM_FI_DEV_FB_USED)", true)})`, legendFormat: `{{${L.user}}}` }] },
    );
  }
  return dashboard("dandihub-usage", "dandihub: usage by user and group", "CPU, memory and GPU used against what was requested, and server hours per profile, for each user and group.", panels, [GROUP_VAR, USER_VAR]);
}

function storage(): Dashboard {
  const ratio = `dandihub_directory_size_bytes / on (volume, directory, kind) dandihub_directory_quota_bytes`;
  return dashboard("dandihub-storage", "dandihub: storage", "Homes and shared directories against their quotas; volumes against their size.", [
    { type: "bargauge", title: "Volumes: space used", description: "Each group volume's file system (grow volumeSize before it fills).", unit: "percentunit", targets: [{ expr: `1 - dandihub_volume_free_bytes / dandihub_volume_size_bytes`, legendFormat: "{{volume}}", instant: true }] },
    { type: "timeseries", title: "Volumes: bytes used", description: "Used bytes per volume over time.", unit: "bytes", targets: [{ expr: `dandihub_volume_size_bytes - dandihub_volume_free_bytes`, legendFormat: "{{volume}}" }] },
    { type: "table", title: "Homes nearest their quota", description: "Home size as a share of its quota (home-nfs mode); at 100% writes fail.", unit: "percentunit", targets: [{ expr: `topk(30, ${ratio.replace("dandihub_directory_size_bytes", 'dandihub_directory_size_bytes{kind="home"}')})` }] },
    { type: "table", title: "Largest homes", description: "Bytes per home, every volume.", unit: "bytes", targets: [{ expr: `topk(30, dandihub_directory_size_bytes{kind="home"})` }] },
    { type: "timeseries", title: "Shared directories", description: "Bytes in each group's shared directory.", unit: "bytes", targets: [{ expr: `dandihub_directory_size_bytes{kind="shared"}`, legendFormat: "{{volume}}" }] },
    { type: "stat", title: "Directories over 90% of quota", description: "Homes and shared directories close to full.", targets: [{ expr: `count((${ratio}) > 0.9) or vector(0)` }] },
  ]);
}

/** Hourly cost per group from node prices (recording rule in alerts.ts). */
function cost(config: MetricScope): Dashboard {
  const panels: PanelSpec[] = [
    {
      type: "timeseries",
      title: "Estimated node cost per hour, by group",
      description: "Each group's nodes priced from the dandihub price table (on-demand list prices; spot with cost.spotDiscount). The AWS bill, by the dandihub:group tag, is authoritative.",
      unit: "currencyUSD",
      stacked: true,
      targets: [{ expr: `sum by (${L.group}) (${GROUP_COST_RECORD})`, legendFormat: `{{${L.group}}}` }],
    },
    {
      type: "table",
      title: "Estimated node cost, last 30 days, by group",
      description: "Sum of the hourly estimate over the last 30 days.",
      unit: "currencyUSD",
      targets: [{ expr: `sum by (${L.group}) (sum_over_time(${GROUP_COST_RECORD}[30d:1h]))` }],
    },
    {
      type: "timeseries",
      title: "Volume storage cost per month, by volume",
      description: "Provisioned gp3 size x $0.08/GiB-month (billed whether used or not).",
      unit: "currencyUSD",
      targets: [{ expr: `dandihub_volume_size_bytes / 2^30 * 0.08`, legendFormat: "{{volume}}" }],
    },
  ];
  // One gauge per group with a budget: this month's node spend so far against it, coloured at its
  // warning points. The same estimate as the hub's spawn check (node-hours at the price table).
  for (const g of (config.groups ?? []).filter((x) => x.budget)) {
    const { monthlyUsd, actualPercent } = g.budget!;
    panels.push({
      type: "gauge",
      title: `${g.key}: node spend this month, of $${monthlyUsd.toLocaleString("en-US")}`,
      description: `Estimated node cost of ${g.key} since the 1st (UTC), against its monthly budget; yellow and red at its warning points (${actualPercent.join("%, ")}%). Storage is not counted; AWS Budgets has the bill.`,
      unit: "currencyUSD",
      width: 6,
      timeFrom: "now/M",
      gauge: { max: monthlyUsd, steps: [...actualPercent].sort((a, b) => a - b).map((p) => (monthlyUsd * p) / 100) },
      targets: [{ expr: `sum(sum_over_time(${GROUP_COST_RECORD}{${L.group}="${g.key}"}[$__range:1h]))`, instant: true }],
    });
  }
  if (config.cost.kubecost) {
    panels.push({
      type: "timeseries",
      title: "Kubecost: node cost per hour, by group",
      description: "Kubecost's node prices (list prices, or spot data feed when configured), summed over each group's nodes.",
      unit: "currencyUSD",
      stacked: true,
      targets: [{ expr: `sum by (${L.group}) (node_total_hourly_cost * on (node) group_left (${L.group}) max by (node, ${L.group}) (kube_node_labels{${L.group}!=""}))`, legendFormat: `{{${L.group}}}` }],
    });
  }
  return dashboard("dandihub-cost", "dandihub: cost", "Where the money goes: node hours priced per group, and storage.", panels);
}

function cluster(): Dashboard {
  const nodes = `kube_node_labels{${L.nodepool}!=""}`;
  return dashboard("dandihub-cluster", "dandihub: cluster", "User nodes per pool, the spot share, interruptions and disruptions.", [
    { type: "timeseries", title: "Nodes per pool", description: "Karpenter nodes, by NodePool.", stacked: true, targets: [{ expr: `count by (${L.nodepool}) (${nodes})`, legendFormat: `{{${L.nodepool}}}` }] },
    { type: "stat", title: "Spot share of user nodes", description: "Spot nodes over all Karpenter nodes.", unit: "percentunit", targets: [{ expr: `count(kube_node_labels{${L.capacity}="spot"}) / count(${nodes})` }] },
    { type: "timeseries", title: "Nodes by instance type", description: "What Karpenter chose.", stacked: true, targets: [{ expr: `count by (${L.instanceType}) (${nodes})`, legendFormat: `{{${L.instanceType}}}` }] },
    { type: "timeseries", title: "Spot interruptions and other notices", description: "Messages from the interruption queue, by type.", targets: [{ expr: `sum by (message_type) (increase(karpenter_interruption_received_messages_total[1h]))`, legendFormat: "{{message_type}}" }] },
    { type: "timeseries", title: "Node disruptions, by reason", description: "Nodes Karpenter removed: empty, expired, interrupted.", targets: [{ expr: `sum by (reason) (increase(karpenter_nodeclaims_disrupted_total[1h]))`, legendFormat: "{{reason}}" }] },
    { type: "timeseries", title: "Servers waiting for a node", description: "User pods pending (a new node is being launched).", targets: [{ expr: `sum(kube_pod_status_phase{${NS}, phase="Pending"})`, legendFormat: "pending" }] },
  ]);
}

/** Every dashboard of the deployment, by file name. */
export function dashboards(config: MetricScope): Record<string, Dashboard> {
  return {
    "dandihub-activity": activity(),
    "dandihub-usage": usage(config),
    "dandihub-storage": storage(),
    "dandihub-cost": cost(config),
    "dandihub-cluster": cluster(),
  };
}

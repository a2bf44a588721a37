/**
 * How big Prometheus's volume must be to keep `retention` of the allow-listed series
 * (metrics.ts): series counted per object they describe, samples at the scrape interval, TSDB's
 * compressed sample size, and room for the write-ahead log and compaction.
 */
import { exportedMetrics, type MetricScope } from "./metrics";

/** Prometheus scrapes every target this often (values.ts scrapeInterval). */
export const SCRAPE_INTERVAL_SECONDS = 60;
/** Bytes per sample in TSDB blocks: Prometheus documents 1-2 after compression; the high end. */
const BYTES_PER_SAMPLE = 2;
/** Index, tombstones and a compaction's temporary copy on top of the samples. */
const OVERHEAD = 1.3;
/** The write-ahead log: a few hours of raw samples. */
const WAL_GIB = 2;
/** Pods the platform runs whatever the use (controllers, hub, proxy, monitoring, NFS servers, jobs). */
const PLATFORM_PODS = 100;
/** Containers per pod, on average (sidecars, init containers leave series too). */
const CONTAINERS_PER_POD = 2;
/** Series per label set of a hub histogram: its buckets, _count and _sum. */
const HISTOGRAM_SERIES = 17;
/** Handler x method x code combinations the hub's request histogram sees. */
const HUB_REQUEST_LABEL_SETS = 240;

export interface SizingInput extends MetricScope {
  readonly retentionDays: number;
  /** User servers running on average (cost.usage: users x hours / 730). */
  readonly averageServers: number;
  /** People with a home (the exporter measures each home). */
  readonly members: number;
  readonly groupCount: number;
  /** Nodes on average: core nodes plus user nodes. */
  readonly nodes: number;
}

/** Active series by what they describe; the metric list decides which families exist. */
export function activeSeries(input: SizingInput): number {
  const metrics = exportedMetrics(input);
  const pods = PLATFORM_PODS + input.averageServers;
  let series = 0;
  for (const [name, info] of Object.entries(metrics)) {
    if (name.endsWith("_count") || name.endsWith("_sum")) continue; // counted with their _bucket
    if (name.startsWith("kube_pod_status_phase")) series += 5 * pods;
    else if (name.startsWith("kube_pod_container") || info.source === "cadvisor") series += 2 * CONTAINERS_PER_POD * pods;
    else if (name.startsWith("kube_pod_")) series += pods;
    else if (name.startsWith("kube_node_") || name === "up") series += input.nodes + (name === "up" ? 20 : 0);
    else if (name.startsWith("kubelet_volume_stats")) series += input.groupCount + 4;
    else if (name === "jupyterhub_request_duration_seconds_bucket") series += HUB_REQUEST_LABEL_SETS * HISTOGRAM_SERIES;
    else if (name.endsWith("_bucket")) series += 3 * HISTOGRAM_SERIES;
    else if (name.startsWith("dandihub_directory_")) series += input.members + input.groupCount;
    else if (name === "dandihub_user_group_info") series += input.members;
    else if (info.source === "dcgm") series += Math.max(1, Math.ceil(input.averageServers));
    else series += 50; // a handful of label sets: prices, karpenter reasons, volumes, recording rules
  }
  return Math.ceil(series);
}

/** GiB of volume for the retention, rounded up to a multiple of 5, at least 10. */
export function prometheusVolumeGiB(input: SizingInput): number {
  const samples = activeSeries(input) * (86400 / SCRAPE_INTERVAL_SECONDS) * input.retentionDays;
  const gib = (samples * BYTES_PER_SAMPLE * OVERHEAD) / 2 ** 30 + WAL_GIB;
  return Math.max(10, Math.ceil(gib / 5) * 5);
}

/** Monitoring, resolved: retention in days, the volume in GiB. */
import type { Deployment } from "../../config/schema";
import { parseDuration, parseQuantity, toGiB } from "../../config/units";
import { prometheusVolumeGiB } from "./sizing";

export interface ResolvedMonitoring {
  readonly enabled: boolean;
  readonly retentionDays: number;
  readonly storageGiB: number;
  readonly alertEmails: readonly string[];
  /** Days CloudWatch keeps the hub event log (and S3 the load balancer's access logs). */
  readonly logRetentionDays: number;
  readonly grafanaViewers: readonly string[];
}

export function resolveMonitoring(d: Deployment): ResolvedMonitoring {
  const m = d.monitoring;
  return {
    enabled: m.enabled,
    retentionDays: Math.ceil(parseDuration(m.retention) / 86400),
    storageGiB: m.storageSize !== undefined ? toGiB(parseQuantity(m.storageSize)) : prometheusVolumeGiB(sizingInput(d, Math.ceil(parseDuration(m.retention) / 86400))),
    alertEmails: m.alertEmails,
    logRetentionDays: m.logRetentionDays,
    grafanaViewers: m.grafanaViewers,
  };
}

/** What Prometheus will hold, from the file: groups, the expected use in cost.usage, the core nodes. */
function sizingInput(d: Deployment, retentionDays: number) {
  const lines = Object.values(d.cost.usage).flatMap((profiles) => Object.values(profiles));
  const averageServers = lines.reduce((s, u) => s + (u.users * u.hoursPerMonth) / 730, 0);
  const groups = Object.keys(d.groups).length;
  return {
    retentionDays,
    averageServers,
    // Without usage figures, assume a hundred people per group.
    members: lines.length ? Math.max(groups, lines.reduce((s, u) => s + u.users, 0)) : 100 * groups,
    groupCount: groups,
    nodes: d.cluster.coreNodes.max + Math.ceil(averageServers / 2) + 2,
    profiles: Object.values(d.profiles),
    cost: d.cost,
  };
}

/** Monitoring, resolved: retention in days, the volume in GiB. */
import type { Deployment } from "../../config/schema";
import { parseDuration, parseQuantity, toGiB } from "../../config/units";

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
    storageGiB: toGiB(parseQuantity(m.storageSize)),
    alertEmails: m.alertEmails,
    logRetentionDays: m.logRetentionDays,
    grafanaViewers: m.grafanaViewers,
  };
}

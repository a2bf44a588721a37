/** Metrics, dashboards, alerts and logs for admins. */
import { z } from "zod";
import { Duration, EMAIL, Quantity } from "../../config/scalars";

export const Monitoring = z.strictObject({
  enabled: z.boolean().default(true).describe("Prometheus, Grafana, dashboards, alerts and the hub event log."),
  retention: Duration.default("400d").describe("How long Prometheus keeps metrics (400d: this month against the same month last year)."),
  storageSize: Quantity.optional().describe(
    "Prometheus volume (gp3, retained). Prometheus stops at 90% of it, dropping the oldest data first. @default what the retention of the allow-listed series needs, from the groups and cost.usage (at least 10Gi)",
  ),
  alertEmails: z
    .array(EMAIL)
    .default([])
    .describe("Alerts go to an SNS topic with these addresses subscribed (each must confirm the e-mail AWS sends)."),
  logRetentionDays: z
    .union([z.literal(1), z.literal(3), z.literal(5), z.literal(7), z.literal(14), z.literal(30), z.literal(60), z.literal(90), z.literal(120), z.literal(150), z.literal(180), z.literal(365), z.literal(400), z.literal(545), z.literal(731), z.literal(1827), z.literal(3653)])
    .default(365)
    .describe("Days CloudWatch keeps the hub event log, and S3 keeps load balancer access logs (a CloudWatch retention value)."),
  grafanaViewers: z
    .array(z.string())
    .default([])
    .describe("Users (besides hub admins, who are Grafana admins) who may view the dashboards; group admins are added automatically."),
});

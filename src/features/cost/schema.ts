/** Billing tags, Kubecost, the offline estimate's inputs, and each group's budget. */
import { z } from "zod";
import { Duration, EMAIL, Name } from "../../config/scalars";

export const Budget = z
  .strictObject({
    monthlyUsd: z.number().positive().describe("Monthly limit in USD of everything tagged with the group (nodes, volumes, buckets)."),
    alertEmails: z.array(EMAIL).min(1).describe("Who is told when spending crosses a threshold."),
    actualPercent: z
      .array(z.number().positive().max(1000))
      .min(1)
      .default([80, 90, 100])
      .describe("Alert when actual spending this month passes these percentages of the limit (by e-mail; with enforce, those below 100 are also the hub's warnings at spawn)."),
    forecastPercent: z
      .array(z.number().positive().max(1000))
      .default([100])
      .describe("Alert when AWS forecasts the month to end above these percentages of the limit."),
    enforce: z
      .boolean()
      .default(true)
      .describe(
        "Refuse new servers of the group once this month's spend (its nodes' hours from Prometheus, at list prices) and an hour of its running nodes reach monthlyUsd; running servers keep running. Needs monitoring. false: AWS Budget e-mails only.",
      ),
    adminExtension: z
      .strictObject({
        maxUsd: z.number().positive().optional().describe("The most one extension adds. @default a quarter of monthlyUsd"),
        maxDays: z.number().int().min(1).max(92).default(14).describe("The longest an extension lasts."),
      })
      .prefault({})
      .describe("What the group's admins may grant themselves on the usage page (/services/dandihub-usage/) when the budget runs out; hub admins are not capped."),
  })
  .describe("The group's monthly budget: an AWS Budget over its tag (e-mails, the bill's truth, hours late), enforced at spawn from Prometheus (near real time) unless enforce: false.");

const Usage = z.strictObject({
  users: z.number().min(0).describe("How many users start this profile in a month."),
  hoursPerMonth: z.number().min(0).max(744).describe("Hours each of them runs a server in a month."),
  concurrent: z
    .number()
    .positive()
    .optional()
    .describe("Servers running at once when they run (a workshop: everyone); users x hours / 730 when omitted."),
});

export const Cost = z.strictObject({
  kubecost: z
    .boolean()
    .default(false)
    .describe("Install Kubecost (free tier) on the cluster's Prometheus: costs by group label and user. Needs monitoring."),
  activateTags: z
    .boolean()
    .default(false)
    .describe(
      "Activate dandihub:group and dandihub:deployment as cost allocation tags from this stack (per-group bills and budgets need them active). " +
        "Only the payer account of an AWS Organization may activate tags (member accounts get AccessDenied), and only once the keys appear in billing data, " +
        "about a day after the first tagged resource: turn this on in a standalone account after that, or activate them in the payer account (help/cost.md).",
    ),
  spotDiscount: z
    .number()
    .min(0)
    .max(0.9)
    .default(0.6)
    .describe("Estimate only (npm run cost): spot price as a discount off on-demand. Spot prices move; 0.6 is typical of m/c/r families."),
  budgetCheck: z
    .strictObject({
      failMode: z
        .enum(["open", "closed"])
        .default("open")
        .describe("When Prometheus cannot be read at a spawn: open lets the server start (the NodePool limits still cap the group), closed refuses it."),
    })
    .prefault({})
    .describe("How enforced budgets (groups.<g>.budget.enforce) are checked at spawn."),
  usage: z
    .record(Name, z.record(Name, Usage))
    .default({})
    .describe("Estimate only: expected use per group and profile (users x hours), for npm run cost."),
});

/** Per-user compute quotas in a group, over a rolling window (checked at spawn, like the budget). */
export const ComputeQuota = z
  .strictObject({
    cpuHours: z.number().positive().max(1_000_000).describe("CPU-hours each member's servers of this group may reserve (their CPU guarantee x hours) in the window."),
    window: Duration.default("30d").describe("The rolling window: use older than this no longer counts."),
    overrides: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { message: "a (lowercase) hub username" }), z.number().positive().max(1_000_000))
      .default({})
      .describe("CPU-hours for particular users."),
  })
  .describe("Per-user compute quotas: a member whose servers reserved cpuHours in the window gets no new server of this group until older use drops out. Needs monitoring.");

/** A group's budget and its members' compute quotas (fields of `groups.<name>`). */
export const groupFields = {
  budget: Budget.optional(),
  quota: ComputeQuota.optional(),
};

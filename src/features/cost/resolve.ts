/** Cost, resolved: the billing switches, the estimate's inputs, and a group's budget. */
import type { Deployment, GroupConfig } from "../../config/schema";

export interface UsageLine {
  readonly users: number;
  readonly hoursPerMonth: number;
  /** Servers at once when they run (a workshop: everyone); the monthly average when omitted. */
  readonly concurrent?: number;
}

export type Usage = Readonly<Record<string, Readonly<Record<string, UsageLine>>>>;

export interface ResolvedCost {
  readonly kubecost: boolean;
  readonly activateTags: boolean;
  readonly spotDiscount: number;
  readonly usage: Usage;
  readonly budgetFailMode: "open" | "closed";
}

export interface GroupBudget {
  readonly monthlyUsd: number;
  readonly alertEmails: readonly string[];
  readonly actualPercent: readonly number[];
  readonly forecastPercent: readonly number[];
  /** Refused at spawn at the budget (from Prometheus). */
  readonly enforce: boolean;
  /** The most a group admin's extension may add, and for how long. */
  readonly adminExtension: { readonly maxUsd: number; readonly maxDays: number };
}

export function resolveCost(d: Deployment): ResolvedCost {
  return { kubecost: d.cost.kubecost, activateTags: d.cost.activateTags, spotDiscount: d.cost.spotDiscount, usage: d.cost.usage, budgetFailMode: d.cost.budgetCheck.failMode };
}

export function resolveBudget(g: GroupConfig): GroupBudget | undefined {
  if (!g.budget) return undefined;
  const { maxUsd, maxDays } = g.budget.adminExtension;
  return { ...g.budget, adminExtension: { maxUsd: maxUsd ?? Math.round(g.budget.monthlyUsd / 4), maxDays } };
}

import { BudgetsBudget } from "@cdktf/provider-aws/lib/budgets-budget";
import { CeCostAllocationTag } from "@cdktf/provider-aws/lib/ce-cost-allocation-tag";
import { Construct } from "constructs";
import type { HubConfig, ResolvedGroup } from "../config/resolve";
import { DEPLOYMENT_TAG, GROUP_TAG } from "../labels";

/** The Cost Explorer filter value selecting what a group's tag marks (`user:` = a user-defined tag). */
export function groupCostFilter(group: string): string {
  return `user:${GROUP_TAG}$${group}`;
}

/**
 * Per-group billing: the group and deployment tags activated as cost allocation tags (so Cost
 * Explorer and budgets can split by them), and an AWS Budget with e-mail alerts for each group
 * that sets one. Budgets alert; the hard cap is the group's NodePool limits.
 */
export class Billing extends Construct {
  constructor(scope: Construct, id: string, config: HubConfig) {
    super(scope, id);
    if (config.cost.activateTags) {
      // AWS rejects activation until the key shows up in billing data (about a day after the
      // first tagged resource); other resources still apply, a later apply completes this.
      new CeCostAllocationTag(this, "group-tag", { tagKey: GROUP_TAG, status: "Active" });
      new CeCostAllocationTag(this, "deployment-tag", { tagKey: DEPLOYMENT_TAG, status: "Active" });
    }
    for (const g of config.groups) if (g.budget) this.budget(config, g, g.budget);
  }

  private budget(config: HubConfig, g: ResolvedGroup, budget: NonNullable<ResolvedGroup["budget"]>): void {
    const notify = (type: "ACTUAL" | "FORECASTED", percents: readonly number[]) =>
      percents.map((threshold) => ({
        comparisonOperator: "GREATER_THAN",
        notificationType: type,
        threshold,
        thresholdType: "PERCENTAGE",
        subscriberEmailAddresses: [...budget.alertEmails],
      }));
    new BudgetsBudget(this, `budget-${g.key}`, {
      name: `${config.name}-${g.key}`,
      budgetType: "COST",
      limitAmount: budget.monthlyUsd.toFixed(2),
      limitUnit: "USD",
      timeUnit: "MONTHLY",
      costFilter: [{ name: "TagKeyValue", values: [groupCostFilter(g.key)] }],
      notification: [...notify("ACTUAL", budget.actualPercent), ...notify("FORECASTED", budget.forecastPercent)],
      tags: { ...config.tags, [GROUP_TAG]: g.key },
    });
  }
}

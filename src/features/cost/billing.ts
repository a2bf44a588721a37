import { BudgetsBudget } from "@cdktf/provider-aws/lib/budgets-budget";
import { formerlyCalled } from "../../core/renames";
import { CeCostAllocationTag } from "@cdktf/provider-aws/lib/ce-cost-allocation-tag";
import { Construct } from "constructs";
import { DEPLOYMENT_TAG, GROUP_TAG } from "../../core/labels";
import type { GroupBudget } from "./resolve";

export interface BillingProps {
  /** The deployment's name: prefix of budget names. */
  readonly name: string;
  /** Tags of everything this creates (the deployment's). */
  readonly tags: Readonly<Record<string, string>>;
  /** Activate the group and deployment tags as cost allocation tags (payer account only). @default false */
  readonly activateTags?: boolean;
  /** Each group that sets a budget, with it. */
  readonly budgets: readonly { readonly group: string; readonly formerKeys: readonly string[]; readonly budget: GroupBudget }[];
}

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
  constructor(scope: Construct, id: string, props: BillingProps) {
    super(scope, id);
    if (props.activateTags) {
      // AWS rejects activation until the key shows up in billing data (about a day after the
      // first tagged resource); other resources still apply, a later apply completes this.
      new CeCostAllocationTag(this, "group-tag", { tagKey: GROUP_TAG, status: "Active" });
      new CeCostAllocationTag(this, "deployment-tag", { tagKey: DEPLOYMENT_TAG, status: "Active" });
    }
    for (const { group, formerKeys, budget } of props.budgets) this.budget(props, group, formerKeys, budget);
  }

  private budget(props: BillingProps, group: string, formerKeys: readonly string[], budget: GroupBudget): void {
    const notify = (type: "ACTUAL" | "FORECASTED", percents: readonly number[]) =>
      percents.map((threshold) => ({
        comparisonOperator: "GREATER_THAN",
        notificationType: type,
        threshold,
        thresholdType: "PERCENTAGE",
        subscriberEmailAddresses: [...budget.alertEmails],
      }));
    const created = new BudgetsBudget(this, `budget-${group}`, {
      name: `${props.name}-${group}`,
      budgetType: "COST",
      limitAmount: budget.monthlyUsd.toFixed(2),
      limitUnit: "USD",
      timeUnit: "MONTHLY",
      costFilter: [{ name: "TagKeyValue", values: [groupCostFilter(group)] }],
      notification: [...notify("ACTUAL", budget.actualPercent), ...notify("FORECASTED", budget.forecastPercent)],
      tags: { ...props.tags, [GROUP_TAG]: group },
    });
    formerlyCalled(created, formerKeys.map((k) => `budget-${k}`));
  }
}

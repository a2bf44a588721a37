/**
 * What budgets add to the hub: for each group whose budget is enforced, its monthly limit and
 * warning points, and the prices its nodes are read at (on-demand list prices of every instance
 * type its pools may launch; spot at the estimate's discount), so hub/dandihub_hub/budgets.py
 * prices the node-hours Prometheus reports exactly as `npm run cost` would.
 */
import { instancesOf } from "../../core/catalog/instance-types";
import type { HubContribution } from "../../core/hub-contribution";
import type { PlannedPool } from "../capacity/pools";
import { instancePrice } from "./prices";
import { GROUP_LABEL } from "../../core/labels";
import { HUB_NAMESPACE } from "../../core/names";
import { ksmLabel, USERNAME_KEY } from "../monitoring/metrics";

export interface BudgetsHubInput {
  readonly groups: readonly {
    readonly key: string;
    readonly budget?: { readonly monthlyUsd: number; readonly actualPercent: readonly number[]; readonly enforce: boolean };
    readonly quota?: { readonly cpuHours: number; readonly windowHours: number; readonly overrides: Readonly<Record<string, number>> };
  }[];
  readonly pools: readonly PlannedPool[];
  readonly spotDiscount: number;
  readonly failMode: "open" | "closed";
  readonly prometheusUrl: string;
}

export function budgetsHubContribution(input: BudgetsHubInput): HubContribution {
  const enforced = input.groups.filter((g) => g.budget?.enforce);
  const quotas = input.groups.filter((g) => g.quota);
  if (!enforced.length && !quotas.length) return {};
  const prices: Record<string, number> = {};
  for (const pool of input.pools.filter((p) => enforced.some((g) => g.key === p.group))) {
    for (const shape of pool.families.flatMap((f) => instancesOf(f))) {
      const price = instancePrice(shape.name, shape.vcpu);
      if (price) prices[shape.name] = price.usd;
    }
  }
  return {
    settings: {
      budgets: {
        prometheusUrl: input.prometheusUrl,
        // kube_node_labels' names for the node labels the hub groups by (as Prometheus has them).
        labels: { group: ksmLabel(GROUP_LABEL), type: ksmLabel("node.kubernetes.io/instance-type"), capacity: ksmLabel("karpenter.sh/capacity-type") },
        failMode: input.failMode,
        spotDiscount: input.spotDiscount,
        prices: Object.fromEntries(Object.entries(prices).sort(([a], [b]) => a.localeCompare(b))),
        // The e-mail thresholds below 100% are the warnings at spawn too.
        groups: Object.fromEntries(enforced.map((g) => [g.key, { monthlyUsd: g.budget!.monthlyUsd, warnAt: g.budget!.actualPercent.filter((p) => p < 100).map((p) => p / 100) }])),
        quotas: Object.fromEntries(quotas.map((g) => [g.key, { ...g.quota! }])),
        userLabel: ksmLabel(USERNAME_KEY),
        namespace: HUB_NAMESPACE,
      },
    },
  };
}

/**
 * What budgets add to the hub: for each group whose budget is enforced, its monthly limit and
 * warning points, and the prices its nodes are read at (on-demand list prices of every instance
 * type its pools may launch; spot at the estimate's discount), so hub/dandihub_hub/budgets.py
 * prices the node-hours Prometheus reports exactly as `npm run cost` would. And the usage page
 * (hub/dandihub_hub/usage_service.py), a service the hub runs in its pod: its members' access,
 * its own API scopes, the custom scope that lets a group's admins extend its budget there.
 */
import { instancesOf } from "../../core/catalog/instance-types";
import type { HubContribution } from "../../core/hub-contribution";
import type { PlannedPool } from "../capacity/pools";
import { instancePrice } from "./prices";
import { GROUP_LABEL } from "../../core/labels";
import { HUB_NAMESPACE, HUB_SERVICES } from "../../core/names";
import { PROXY_PODS } from "../hub/network";
import { HUB_PYTHON_DIR } from "../hub/python";
import { ksmLabel, promLabelName, USERNAME_KEY } from "../monitoring/metrics";

export interface BudgetsHubInput {
  readonly groups: readonly {
    readonly key: string;
    readonly admins: readonly string[];
    readonly budget?: {
      readonly monthlyUsd: number;
      readonly actualPercent: readonly number[];
      readonly enforce: boolean;
      readonly adminExtension: { readonly maxUsd: number; readonly maxDays: number };
    };
    readonly quota?: { readonly cpuHours: number; readonly windowHours: number; readonly overrides: Readonly<Record<string, number>> };
  }[];
  readonly pools: readonly PlannedPool[];
  readonly spotDiscount: number;
  readonly failMode: "open" | "closed";
  readonly prometheusUrl: string;
  /** Kubecost's API when it runs: the usage page shows its figure beside the estimate. @default none */
  readonly kubecostUrl?: string;
}

/** The usage page's port on the hub pod (and the hub's Service), where the proxy routes it. */
export const USAGE_PORT = 10101;
/** Checked by the usage page: granted per group to its admins (`!group=<g>`). */
export const EXTEND_SCOPE = "custom:dandihub-budget:extend";

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
        groups: Object.fromEntries(
          enforced.map((g) => [g.key, { monthlyUsd: g.budget!.monthlyUsd, warnAt: g.budget!.actualPercent.filter((p) => p < 100).map((p) => p / 100), extension: { ...g.budget!.adminExtension } }]),
        ),
        quotas: Object.fromEntries(quotas.map((g) => [g.key, { ...g.quota! }])),
        userLabel: ksmLabel(USERNAME_KEY),
        namespace: HUB_NAMESPACE,
        // Kubecost aggregates by the pods' label under its Prometheus name.
        ...(input.kubecostUrl ? { kubecost: { url: input.kubecostUrl, label: promLabelName(GROUP_LABEL) } } : {}),
      },
    },
    ...usagePage(enforced, [...new Set([...enforced, ...quotas])]),
  };
}

/** The usage page for the groups with an enforced budget or a quota; extensions for the former. */
function usagePage(enforced: BudgetsHubInput["groups"], shown: BudgetsHubInput["groups"]): HubContribution {
  const service = HUB_SERVICES.usage;
  const keys = shown.map((g) => g.key);
  return {
    services: {
      [service]: {
        display: true,
        url: `http://hub:${USAGE_PORT}`,
        command: ["python3", "-m", "dandihub_hub.usage_service"],
        environment: { PYTHONPATH: HUB_PYTHON_DIR },
        oauth_no_confirm: true,
        oauth_client_allowed_scopes: [EXTEND_SCOPE],
      },
    },
    roles: {
      [service]: {
        description: "The usage page reads members' groups and budgeted groups' properties, and records extensions there",
        scopes: ["read:users:groups", ...keys.map((g) => `read:groups!group=${g}`), ...enforced.map((g) => `groups!group=${g.key}`)],
        services: [service],
      },
      "dandihub-usage-users": { description: "Members of groups with a budget or quota see the usage page", scopes: [`access:services!service=${service}`], groups: keys },
      ...Object.fromEntries(
        enforced
          .filter((g) => g.admins.length)
          .map((g) => [`dandihub-budget-extend-${g.key}`, { description: `Admins of ${g.key} extend its budget on the usage page`, scopes: [`${EXTEND_SCOPE}!group=${g.key}`], users: [...g.admins] }]),
      ),
    },
    hubPorts: [{ name: service, port: USAGE_PORT, from: PROXY_PODS.labels }],
    values: { hub: { config: { JupyterHub: { custom_scopes: { [EXTEND_SCOPE]: { description: "Extend a group's monthly budget for a while, on the usage page" } } } } } },
  };
}

/**
 * Connections the usage page needs. The proxy-to-hub one joins two of z2jh's pods (its policies,
 * with the hub's extra ingress from values.ts), so it renders nothing and is declared for the
 * isolation test to prove; the hub-to-Kubecost one adds Kubecost's ingress.
 */
import { pods, type Flow } from "../../core/network";
import { HUB_PODS, PROXY_PODS } from "../hub/network";
import { KUBECOST_PODS } from "../monitoring/network";
import { KUBECOST_API_PORT } from "../monitoring/values";
import { USAGE_PORT } from "./hub";

export function costFlows(input: { readonly usagePage: boolean; readonly kubecost: boolean }): Flow[] {
  if (!input.usagePage) return [];
  return [
    { from: pods(PROXY_PODS), to: pods(HUB_PODS), ports: [{ port: USAGE_PORT }], why: "users open the usage page at /services/dandihub-usage/ (a service in the hub's pod)" },
    ...(input.kubecost ? [{ from: pods(HUB_PODS), to: pods(KUBECOST_PODS), ports: [{ port: KUBECOST_API_PORT }], why: "the usage page shows Kubecost's figure beside the estimate" }] : []),
  ];
}

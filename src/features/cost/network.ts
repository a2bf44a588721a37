/**
 * Connections the budgets need. Both ends are z2jh's pods (its policies, with the hub's extra
 * ingress from values.ts), so these render nothing: they are declared so the isolation test
 * proves they work through every policy together.
 */
import { pods, type Flow } from "../../core/network";
import { HUB_PODS, PROXY_PODS } from "../hub/network";
import { USAGE_PORT } from "./hub";

export function costFlows(input: { readonly usagePage: boolean }): Flow[] {
  return input.usagePage ? [{ from: pods(PROXY_PODS), to: pods(HUB_PODS), ports: [{ port: USAGE_PORT }], why: "users open the usage page at /services/dandihub-usage/ (a service in the hub's pod)" }] : [];
}

/**
 * The hub's pods as other features' flows name them. z2jh renders its own NetworkPolicies for the
 * hub, the proxy and user servers (their values are in values.ts), so flows only ever add the other
 * side of a connection to them.
 */
import { HUB_API_PORT, HUB_NAMESPACE } from "../../core/names";
import type { PodSet } from "../../core/network";

const Z2JH = { app: "jupyterhub", release: "jupyterhub" } as const;

export const HUB_PODS: PodSet = { name: "hub", namespace: HUB_NAMESPACE, labels: { component: "hub", ...Z2JH }, policy: "chart" };
export const PROXY_PODS: PodSet = { name: "proxy", namespace: HUB_NAMESPACE, labels: { component: "proxy", ...Z2JH }, policy: "chart" };
/** User servers (KubeSpawner labels them; z2jh's singleuser policy covers them). */
export const USER_PODS: PodSet = { name: "user-servers", namespace: HUB_NAMESPACE, labels: { component: "singleuser-server", ...Z2JH }, policy: "chart" };

/** The label KubeSpawner puts on every user server: pods with it run users' code. */
export const USERNAME_LABEL = "hub.jupyter.org/username";

export const HUB_API = [{ port: HUB_API_PORT }] as const;
/** The proxy's public port (where the hub's routes, services' included, are served). */
export const PROXY_HTTP = [{ port: 8000 }] as const;

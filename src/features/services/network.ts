/**
 * Connections services need (rendered by features/isolation). A Dask cluster's pods accept only
 * their own group's clusters and the gateway: NetworkPolicy cannot compare one pod's label value
 * with another's, so clusters of one group are told apart by the cluster's own mutual TLS (every
 * scheduler and worker port but the dashboard requires the cluster's certificate), and the one
 * unauthenticated port, the dashboard (8787), is open to the gateway's proxy only.
 */
import { GROUP_LABEL, DASK_CLUSTER_LABEL } from "../../core/labels";
import { HUB_NAMESPACE } from "../../core/names";
import { address, HTTPS, pods, type Flow, type PodSet } from "../../core/network";
import { HUB_API, HUB_PODS, PROXY_PODS, USER_PODS } from "../hub/network";
import type { ResolvedServices } from "./resolve";

const GATEWAY = { "app.kubernetes.io/name": "dask-gateway", "app.kubernetes.io/instance": "dask-gateway" } as const;
export const DASK_API_PODS: PodSet = { name: "dask-gateway-api", namespace: HUB_NAMESPACE, labels: { ...GATEWAY, "app.kubernetes.io/component": "gateway" } };
export const DASK_CONTROLLER_PODS: PodSet = { name: "dask-gateway-controller", namespace: HUB_NAMESPACE, labels: { ...GATEWAY, "app.kubernetes.io/component": "controller" } };
export const DASK_PROXY_PODS: PodSet = { name: "dask-gateway-proxy", namespace: HUB_NAMESPACE, labels: { ...GATEWAY, "app.kubernetes.io/component": "traefik" } };
/** The proxy's port for clients and dashboards (the chart's `web` entrypoint). */
export const DASK_PROXY_PORT = 8000;

/** A group's Dask schedulers and workers (the cluster options label them with the group). */
export function daskClusterPods(group: string): PodSet {
  return { name: `dask-${group}`, namespace: HUB_NAMESPACE, labels: { "app.kubernetes.io/name": "dask-gateway", [GROUP_LABEL]: group }, present: [DASK_CLUSTER_LABEL] };
}

/** Scheduler comm, dashboard and gateway API ports. */
export const DASK_PORTS = { scheduler: 8786, dashboard: 8787, api: 8788 } as const;

/** The pods of a chart service (its podLabels, or Helm's release label). */
export function chartServicePods(name: string, namespace: string, labels: Readonly<Record<string, string>>): PodSet {
  return { name: `service-${name}`, namespace, labels: { ...labels } };
}

export function servicesFlows(services: ResolvedServices): Flow[] {
  const flows: Flow[] = [];
  const dask = services.daskGateway;
  if (dask) {
    const api = pods(DASK_API_PODS);
    const proxy = pods(DASK_PROXY_PODS);
    flows.push(
      { from: pods(USER_PODS), to: proxy, ports: [{ port: DASK_PROXY_PORT }], why: "notebooks create and use Dask clusters through the gateway" },
      { from: pods(PROXY_PODS), to: proxy, ports: [{ port: DASK_PROXY_PORT }], why: "users open Dask dashboards at /services/dask-gateway/" },
      { from: proxy, to: api, ports: [{ port: 8000 }], why: "the gateway's proxy routes API calls" },
      { from: proxy, to: address("apiServer"), why: "the gateway's proxy reads its routes" },
      { from: pods(DASK_CONTROLLER_PODS), to: api, ports: [{ port: 8000 }], why: "the controller reports clusters to the gateway" },
      { from: pods(DASK_CONTROLLER_PODS), to: address("apiServer"), why: "the controller creates cluster pods" },
      { from: api, to: pods(HUB_PODS), ports: HUB_API, why: "the gateway signs users in through the hub" },
      { from: api, to: address("apiServer"), why: "the gateway creates clusters" },
    );
    for (const { group } of dask.groups) {
      const cluster = pods(daskClusterPods(group));
      flows.push(
        {
          from: cluster,
          to: cluster,
          // Every port but the dashboard; these require the cluster's own TLS certificate.
          ports: [{ port: 1, endPort: DASK_PORTS.scheduler }, { port: DASK_PORTS.api, endPort: 65535 }],
          why: `${group}'s schedulers and workers talk to each other`,
        },
        { from: cluster, to: api, ports: [{ port: 8000 }], why: `${group}'s schedulers report to the gateway` },
        { from: cluster, to: address("internet"), why: `${group}'s workers read data` },
        { from: proxy, to: cluster, ports: [{ port: DASK_PORTS.scheduler }, { port: DASK_PORTS.dashboard }], why: `the gateway's proxy reaches ${group}'s schedulers and dashboards` },
        { from: api, to: cluster, ports: [{ port: DASK_PORTS.api }], why: `the gateway scales ${group}'s clusters` },
      );
    }
  }
  for (const svc of services.charts) {
    const p = pods(chartServicePods(svc.name, svc.namespace, svc.podLabels));
    flows.push(
      { from: p, to: address("apiServer"), why: `${svc.name} may read the cluster` },
      { from: p, to: address("internet"), ports: HTTPS, why: `${svc.name} may call out` },
    );
    if (svc.hub) {
      flows.push(
        { from: pods(PROXY_PODS), to: p, why: `users open ${svc.name} at /services/${svc.name}/` },
        { from: p, to: pods(HUB_PODS), ports: HUB_API, why: `${svc.name} signs users in through the hub` },
      );
    }
  }
  return flows;
}

/**
 * What services add to the hub: Dask Gateway as a hub service (its role to read users and groups,
 * granted groups' access, the client's environment in their servers, their egress to the
 * gateway), and each chart service published behind the hub's login with its groups' access and
 * its pods' access to the hub API.
 */
import type { HubContribution } from "../../core/hub-contribution";
import { HUB_NAMESPACE } from "../../core/names";
import { DASK_CLIENT_ENV, DASK_SERVICE, DASK_URL } from "./dask-gateway";
import { DASK_PROXY_PODS, DASK_PROXY_PORT } from "./network";
import type { ResolvedServices } from "./resolve";

export function servicesHubContribution(services: ResolvedServices): HubContribution {
  const dask = services.daskGateway;
  const published = services.charts.filter((c) => c.hub);
  return {
    services: {
      ...(dask ? { [DASK_SERVICE]: { display: false, url: DASK_URL } } : {}),
      ...Object.fromEntries(published.map((c) => [c.name, { display: true, url: c.hub!.url }])),
    },
    roles: {
      ...(dask
        ? {
            "dandihub-dask-gateway": { description: "Dask Gateway checks who a user is and their groups", scopes: ["read:users:name", "read:users:groups"], services: [DASK_SERVICE] },
            "dandihub-dask-users": { description: "Groups that may create Dask clusters", scopes: [`access:services!service=${DASK_SERVICE}`], groups: dask.groups.map((g) => g.group) },
          }
        : {}),
      ...Object.fromEntries(published.map((c) => [`dandihub-service-${c.name}`, { description: `Groups that may use ${c.name}`, scopes: [`access:services!service=${c.name}`], groups: [...c.hub!.groups] }])),
    },
    // The gateway's pod carries z2jh's access label itself (the chart sets it); chart services' pods do not.
    apiClients: published.map((c) => ({ name: c.name, ...(c.namespace === HUB_NAMESPACE ? {} : { namespace: c.namespace }), podLabels: c.hub!.podLabels })),
    // User servers reach no private address except the services they use: Dask Gateway's proxy
    // (the same flow as in network.ts; z2jh's singleuser policy carries the user servers' side).
    userEgress: dask ? [{ to: [{ podSelector: { matchLabels: { ...DASK_PROXY_PODS.labels } } }], ports: [{ port: DASK_PROXY_PORT, protocol: "TCP" }] }] : [],
    settings: dask ? { groups: Object.fromEntries(dask.groups.map((g) => [g.group, { env: { ...DASK_CLIENT_ENV } }])) } : {},
  };
}

/**
 * Dask Gateway behind the hub: its chart values, the cluster-options code (services/dask_gateway/,
 * unit-tested) with the settings it reads, and what user servers need to reach it.
 */
import { readFileSync } from "node:fs";
import { repoPath } from "../../core/paths";
import { CORE_NODE_LABELS, GROUP_LABEL, groupTaint, POOL_LABEL, USER_TOLERATION } from "../../core/labels";
import { HUB_API_URL, HUB_NAMESPACE, HUB_SERVICES, USER_IDENTITY } from "../../core/names";
import { RESTRICTED_CONTAINER_CONTEXT, RESTRICTED_POD_CONTEXT } from "../../core/namespaces";
import type { PlannedPool } from "../capacity/pools";
import type { ResolvedDaskGateway } from "./resolve";

export const DASK_SERVICE = HUB_SERVICES.daskGateway;
export const DASK_RELEASE = "dask-gateway";
const PREFIX = `/services/${DASK_SERVICE}`;
const TRAEFIK = `traefik-${DASK_RELEASE}.${HUB_NAMESPACE}.svc`;
/** Labels the chart puts on its gateway, controller and proxy pods. */
export const DASK_GATEWAY_POD_LABELS = { "app.kubernetes.io/name": "dask-gateway", "app.kubernetes.io/instance": DASK_RELEASE } as const;
export const DASK_SOURCE = repoPath("services", "dask_gateway", "dandihub_dask.py");
export const DASK_URL = `http://${TRAEFIK}`;

/** The pool a group's workers use: its spot CPU pool when it has one, else its on-demand one. */
export function workerPool(pools: readonly PlannedPool[], group: string): string | undefined {
  const cpu = pools.filter((p) => p.group === group && !p.gpuType);
  return (cpu.find((p) => p.capacity === "spot") ?? cpu.find((p) => p.capacity === "on-demand"))?.name;
}

/** What services/dask_gateway/dandihub_dask.py reads. */
export function daskSettings(dask: ResolvedDaskGateway, pools: readonly PlannedPool[]): object {
  const groups = Object.fromEntries(
    dask.groups.map((g) => [
      g.group,
      {
        maxCores: g.maxCores,
        maxMemoryGiB: g.maxMemoryGiB,
        maxWorkers: g.maxWorkers,
        nodeSelector: { [GROUP_LABEL]: g.group, [POOL_LABEL]: workerPool(pools, g.group) },
        tolerations: [USER_TOLERATION, { ...groupTaint(g.group), operator: "Equal" }],
        labels: { [GROUP_LABEL]: g.group, "app.kubernetes.io/part-of": "dandihub" },
      },
    ]),
  );
  return {
    groupOrder: dask.groups.map((g) => g.group),
    groups,
    worker: dask.worker,
    idleTimeoutSeconds: dask.idleTimeoutSeconds,
    // Users' code, like a user server: the restricted profile, as the user identity.
    podSecurityContext: { ...RESTRICTED_POD_CONTEXT, runAsUser: USER_IDENTITY.uid, runAsGroup: USER_IDENTITY.gid },
    containerSecurityContext: RESTRICTED_CONTAINER_CONTEXT,
  };
}

export function daskGatewayValues(dask: ResolvedDaskGateway, pools: readonly PlannedPool[]): object {
  const core = { ...CORE_NODE_LABELS };
  return {
    gateway: {
      prefix: PREFIX,
      // The token is read from the hub's Secret (same namespace): z2jh generates it for the service.
      auth: { type: "jupyterhub", jupyterhub: { apiUrl: HUB_API_URL } },
      nodeSelector: core,
      backend: {
        ...(dask.image ? { image: { name: dask.image.name, tag: dask.image.tag } } : {}),
        scheduler: { cores: { request: 0.5, limit: 1 }, memory: { request: "1G", limit: "2G" } },
      },
      extraConfig: {
        "10-dandihub-dask": readFileSync(DASK_SOURCE, "utf8"),
        "20-dandihub-options": `import json\nc.Backend.cluster_options = make_cluster_options(json.loads(${JSON.stringify(JSON.stringify(daskSettings(dask, pools)))}))\n`,
      },
    },
    controller: { nodeSelector: core },
    traefik: { nodeSelector: core, service: { type: "ClusterIP" } },
  };
}

/** Environment of granted groups' servers: the client finds the gateway without arguments. */
export const DASK_CLIENT_ENV = {
  DASK_GATEWAY__ADDRESS: `http://${TRAEFIK}${PREFIX}`,
  DASK_GATEWAY__PROXY_ADDRESS: `gateway://${TRAEFIK}:80`,
  DASK_GATEWAY__PUBLIC_ADDRESS: `${PREFIX}/`,
  DASK_GATEWAY__AUTH__TYPE: "jupyterhub",
} as const;


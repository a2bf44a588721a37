/**
 * Dask Gateway behind the hub: its chart values, the cluster-options code (services/dask_gateway/,
 * unit-tested) with the settings it reads, and what the hub and user servers need to reach it.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { HubConfig } from "../config/resolve";
import { parseDuration, parseQuantity } from "../config/units";
import { groupTaint } from "../karpenter/node-pools";
import { CORE_NODE_LABELS, GROUP_LABEL, POOL_LABEL, USER_TOLERATION } from "../labels";
import { HUB_NAMESPACE } from "../namespaces";

export const DASK_SERVICE = "dask-gateway";
export const DASK_RELEASE = "dask-gateway";
const PREFIX = `/services/${DASK_SERVICE}`;
const TRAEFIK = `traefik-${DASK_RELEASE}.${HUB_NAMESPACE}.svc`;
/** Labels the chart puts on its gateway, controller and proxy pods. */
export const DASK_GATEWAY_POD_LABELS = { "app.kubernetes.io/name": "dask-gateway", "app.kubernetes.io/instance": DASK_RELEASE } as const;
/** Label key the gateway's controller puts on every scheduler and worker pod. */
export const DASK_CLUSTER_LABEL = "gateway.dask.org/cluster";
export const DASK_SOURCE = resolve(__dirname, "..", "..", "services", "dask_gateway", "dandihub_dask.py");

const gib = (q: string) => parseQuantity(q) / 2 ** 30;

/** The pool a group's workers use: its spot CPU pool when it has one, else its on-demand one. */
export function workerPool(config: HubConfig, group: string): string | undefined {
  const cpu = config.pools.filter((p) => p.group === group && !p.gpuType);
  return (cpu.find((p) => p.capacity === "spot") ?? cpu.find((p) => p.capacity === "on-demand"))?.name;
}

/** What services/dask_gateway/dandihub_dask.py reads. */
export function daskSettings(config: HubConfig): object {
  const dask = config.services.daskGateway!;
  const groups = Object.fromEntries(
    Object.entries(dask.groups).map(([g, limits]) => [
      g,
      {
        maxCores: limits.maxCores,
        maxMemoryGiB: gib(limits.maxMemory),
        maxWorkers: limits.maxWorkers,
        nodeSelector: { [GROUP_LABEL]: g, [POOL_LABEL]: workerPool(config, g) },
        tolerations: [
          USER_TOLERATION,
          { ...groupTaint(g), operator: "Equal" },
        ],
        labels: { [GROUP_LABEL]: g, "app.kubernetes.io/part-of": "dandihub" },
      },
    ]),
  );
  return {
    groupOrder: config.groups.map((g) => g.key).filter((g) => g in dask.groups),
    groups,
    worker: { cores: dask.worker.cores, memoryGiB: gib(dask.worker.memory), maxCores: dask.worker.maxCores, maxMemoryGiB: gib(dask.worker.maxMemory) },
    idleTimeoutSeconds: parseDuration(dask.idleTimeout),
  };
}

export function daskGatewayValues(config: HubConfig): object {
  const dask = config.services.daskGateway!;
  const core = { ...CORE_NODE_LABELS };
  return {
    gateway: {
      prefix: PREFIX,
      // The token is read from the hub's Secret (same namespace): z2jh generates it for the service.
      auth: { type: "jupyterhub", jupyterhub: { apiUrl: `http://hub.${HUB_NAMESPACE}.svc:8081/hub/api` } },
      nodeSelector: core,
      backend: {
        ...(dask.image ? { image: { name: dask.image.name, tag: dask.image.tag } } : {}),
        scheduler: { cores: { request: 0.5, limit: 1 }, memory: { request: "1G", limit: "2G" } },
      },
      extraConfig: {
        "10-dandihub-dask": readFileSync(DASK_SOURCE, "utf8"),
        "20-dandihub-options": `import json\nc.Backend.cluster_options = make_cluster_options(json.loads(${JSON.stringify(JSON.stringify(daskSettings(config)))}))\n`,
      },
    },
    controller: { nodeSelector: core },
    traefik: { nodeSelector: core, service: { type: "ClusterIP" } },
  };
}

/** Environment of granted groups' servers: the client finds the gateway without arguments. */
export function daskClientEnv(config: HubConfig, group: string): Record<string, string> {
  if (!config.services.daskGateway?.groups[group]) return {};
  return {
    DASK_GATEWAY__ADDRESS: `http://${TRAEFIK}${PREFIX}`,
    DASK_GATEWAY__PROXY_ADDRESS: `gateway://${TRAEFIK}:80`,
    DASK_GATEWAY__PUBLIC_ADDRESS: `${PREFIX}/`,
    DASK_GATEWAY__AUTH__TYPE: "jupyterhub",
  };
}

export const DASK_URL = `http://${TRAEFIK}`;

/** Dask pods: egress to each other, the gateway, DNS and the internet; no other private address. */
export function daskNetworkPolicy(): object {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "dandihub-dask-clusters", namespace: HUB_NAMESPACE },
    spec: {
      podSelector: { matchExpressions: [{ key: DASK_CLUSTER_LABEL, operator: "Exists" }] },
      policyTypes: ["Egress"],
      egress: [
        { to: [{ podSelector: { matchExpressions: [{ key: DASK_CLUSTER_LABEL, operator: "Exists" }] } }, { podSelector: { matchLabels: { ...DASK_GATEWAY_POD_LABELS } } }] },
        { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }], ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] },
        { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"] } }] },
      ],
    },
  };
}

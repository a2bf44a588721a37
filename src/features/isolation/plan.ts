/**
 * The deployment's isolation, decided from the resolved file: which namespaces dandihub polices,
 * the connections every feature declared, and the policies made from them.
 */
import { HUB_NAMESPACE, MONITORING_NAMESPACE } from "../../core/names";
import { address, pods, type Flow } from "../../core/network";
import type { HubConfig } from "../../config/resolve";
import { capacityFlows } from "../capacity/network";
import { costFlows } from "../cost/network";
import { imagesFlows } from "../images/network";
import { monitoringFlows } from "../monitoring/network";
import { servicesFlows } from "../services/network";
import { storageNamespace, volumesOf } from "../storage/layout";
import { storageFlows } from "../storage/network";
import { nfsServersAdminPolicy } from "./admin-policies";
import { networkPolicies } from "./network-policies";

/** The Tigera operator's namespace (Calico's own components run in calico-system, the operator's). */
export const OPERATOR_NAMESPACE = "tigera-operator";

type Isolated = Pick<HubConfig, "groups" | "profiles" | "storage" | "monitoring" | "services" | "customImages" | "cost" | "network">;

/** Volumes served by an NFS server of ours (home-nfs mode). */
export function nfsVolumes(config: Pick<HubConfig, "groups" | "storage">): string[] {
  return config.storage.mode === "home-nfs" ? volumesOf(config.groups.map((g) => g.storage.volume)) : [];
}

/** Every namespace dandihub creates, in a stable order. */
export function policedNamespaces(config: Isolated): string[] {
  const services = config.services.charts.map((c) => c.namespace).filter((ns) => ns !== HUB_NAMESPACE);
  return [
    ...new Set([
      HUB_NAMESPACE,
      ...(config.monitoring.enabled ? [MONITORING_NAMESPACE] : []),
      ...nfsVolumes(config).map(storageNamespace),
      ...services,
      OPERATOR_NAMESPACE,
    ]),
  ];
}

/** Every connection the deployment's pods need, feature by feature. */
export function deploymentFlows(config: Isolated): Flow[] {
  const namespaces = policedNamespaces(config);
  return [
    // Every pod in a dandihub namespace resolves names.
    ...namespaces.map((ns): Flow => ({ from: pods({ name: "all-pods", namespace: ns, labels: {} }), to: address("dns"), why: "pods resolve names" })),
    ...(config.monitoring.enabled ? monitoringFlows({ kubecost: config.cost.kubecost, gpu: config.profiles.some((p) => p.gpu) }) : []),
    ...storageFlows({ nfsVolumes: nfsVolumes(config), monitoring: config.monitoring.enabled, growth: config.storage.growth.enabled && nfsVolumes(config).length > 0 }),
    ...imagesFlows({ building: config.customImages.building !== undefined }),
    ...servicesFlows(config.services),
    ...capacityFlows({ warm: config.groups.some((g) => g.warm) }),
    ...costFlows({ usagePage: config.monitoring.enabled && config.groups.some((g) => g.budget?.enforce || g.quota), kubecost: config.monitoring.enabled && config.cost.kubecost }),
  ];
}

/** The objects the isolation release installs: NetworkPolicies and the NFS AdminNetworkPolicy. */
export function isolationManifests(config: Isolated): object[] {
  const policies = networkPolicies(deploymentFlows(config), { namespaces: policedNamespaces(config), privateSubnets: config.network.privateSubnets });
  return [...policies, ...(nfsVolumes(config).length ? [nfsServersAdminPolicy()] : [])];
}

/**
 * The Pod Security admission level of each namespace dandihub creates: `restricted` unless
 * something that must run there cannot be, and then the least level that admits it, with why.
 * Privileged pods run only on nodes user servers never land on (storage and builder pools), or
 * are node agents every node needs (help/security.md).
 */
import { RESTRICTED_NAMESPACE, type PodSecurity } from "../../core/namespaces";
import type { HubConfig } from "../../config/resolve";

export interface NamespaceSecurity {
  readonly hub: PodSecurity;
  readonly monitoring: PodSecurity;
  /** Each volume's NFS server namespace (home-nfs). */
  readonly storage: PodSecurity;
  /** The Tigera operator's namespace. */
  readonly operator: PodSecurity;
  /** A chart service's own namespace. */
  readonly service: PodSecurity;
}

export function namespaceSecurity(config: Pick<HubConfig, "customImages" | "services" | "groups">): NamespaceSecurity {
  const nfsMounts = config.groups.flatMap((g) => g.mounts.filter((m) => m.nfs).map((m) => `${g.key}/${m.name}`));
  const hub: PodSecurity = config.customImages.building
    ? {
        level: "privileged",
        reason: "image building: binderhub-service's Docker daemon is privileged and build pods mount its socket from the host (both only on builder nodes)",
      }
    : config.services.daskGateway
      ? { level: "baseline", reason: "the dask-gateway chart sets no security context on its gateway, controller and proxy pods (user servers and Dask clusters are restricted by their own settings)" }
      : nfsMounts.length
        ? { level: "baseline", reason: `group mounts of NFS servers (${nfsMounts.join(", ")}): restricted admits no inline nfs volume (a persistentVolumeClaim would be)` }
        : RESTRICTED_NAMESPACE;
  return {
    hub,
    monitoring: {
      level: "privileged",
      reason: "node agents: node-exporter (host network, PID and paths), dcgm-exporter (SYS_ADMIN, kubelet socket) and the event-log shipper (the hub's log files on its node)",
    },
    storage: { level: "privileged", reason: "the NFS server and its XFS quota tools run privileged (only on storage nodes)" },
    operator: { level: "privileged", reason: "the Tigera operator uses the host's network (it must run before any pod network policy does)" },
    service: { level: "baseline", reason: "a chart dandihub does not know: no privileged pods or host access; restricted is warned about and audited" },
  };
}

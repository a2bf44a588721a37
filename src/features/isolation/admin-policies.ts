/**
 * Cluster-wide rules no namespace's NetworkPolicy can loosen: Kubernetes AdminNetworkPolicies
 * (policy.networking.k8s.io/v1alpha1; Calico 3.31 enforces them in a tier before every
 * NetworkPolicy, and its CRDs ship with the operator chart).
 */
import { NFS_SERVER_ROLE, ROLE_LABEL } from "../../core/labels";
import { NFS_PORTS } from "../storage/layout";

type Json = Record<string, unknown>;

/**
 * No pod mounts an NFS server: kubelet mounts the exports from the node's address, which is not
 * a pod, so an AdminNetworkPolicy peer (pods in some namespace) never matches it and the
 * server's own NetworkPolicy decides (nodes only). Every pod in every namespace, whatever its
 * namespace's policies allow and whatever address it has in the VPC, is refused.
 */
export function nfsServersAdminPolicy(): Json {
  return {
    apiVersion: "policy.networking.k8s.io/v1alpha1",
    kind: "AdminNetworkPolicy",
    metadata: { name: "dandihub-nfs-servers", annotations: { "dandihub.org/why": "NFS has no authentication of its own: only nodes (kubelet) may mount." } },
    spec: {
      priority: 10,
      subject: { namespaces: { matchLabels: { [ROLE_LABEL]: NFS_SERVER_ROLE } } },
      ingress: [
        {
          name: "no-pod-mounts",
          action: "Deny",
          from: [{ namespaces: {} }],
          ports: NFS_PORTS.flatMap((port) => (["TCP", "UDP"] as const).map((protocol) => ({ portNumber: { protocol, port } }))),
        },
      ],
    },
  };
}

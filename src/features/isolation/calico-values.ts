/** The Tigera operator chart's values: Calico enforcing policy on the VPC CNI's pod network. */
import { CORE_NODE_LABELS } from "../../core/labels";

export function calicoValues(): object {
  return {
    // The chart renders this as the operator's Installation: Calico for policy only, the VPC
    // CNI keeps pod networking and addresses (EKS, AmazonVPC, no BGP).
    installation: {
      enabled: true,
      kubernetesProvider: "EKS",
      cni: { type: "AmazonVPC" },
      calicoNetwork: { bgp: "Disabled" },
      controlPlaneNodeSelector: { ...CORE_NODE_LABELS },
      kubeletVolumePluginPath: "None",
    },
    // dandihub writes Kubernetes NetworkPolicies and AdminNetworkPolicies only: no Calico API
    // server, flow aggregator or UI to run and secure.
    apiServer: { enabled: false },
    goldmane: { enabled: false },
    whisker: { enabled: false },
    nodeSelector: { "kubernetes.io/os": "linux", ...CORE_NODE_LABELS },
  };
}

/** The VPC CNI add-on's settings: it assigns pod addresses, and announces them early for Calico. */
export const VPC_CNI_CONFIGURATION = {
  // One enforcer: the VPC CNI's own would skip standalone pods (user servers) anyway.
  enableNetworkPolicy: "false",
  // Calico learns a new pod's address from this annotation before the pod's status has it.
  env: { ANNOTATE_POD_IP: "true" },
} as const;

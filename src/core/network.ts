/**
 * Who may talk to whom, as data: each feature lists the connections its pods need (a Flow from a
 * set of pods or an address to another, on some ports), and features/isolation renders them into
 * NetworkPolicies on top of a default deny in every namespace dandihub creates. One flow makes
 * both sides: the egress rule of the source pods and the ingress rule of the destination pods.
 */

/** Pods by namespace and labels (matchLabels; `absent` keys must not be set). */
export interface PodSet {
  /** A short name for the policy (`allow-<name>`) and for error messages. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Label keys the pods must have, whatever their value. @default none */
  readonly present?: readonly string[];
  /** Label keys the pods must not have (to leave out, say, user servers from "every pod"). @default none */
  readonly absent?: readonly string[];
  /**
   * Whose NetworkPolicy covers these pods: `dandihub` (rendered from flows) or `chart` (the
   * chart's own, e.g. z2jh's hub, proxy and user servers: flows only render the other side).
   * @default "dandihub"
   */
  readonly policy?: "dandihub" | "chart";
}

/** Addresses outside the pod network, or in it but not selectable by labels. */
export type Address =
  /** The nodes: kubelet mounts NFS and probes from their addresses (the VPC's private subnets). */
  | "nodes"
  /** The EKS API: its private endpoint's interfaces in the private subnets, port 443. */
  | "apiServer"
  /** Cluster DNS (CoreDNS in kube-system). */
  | "dns"
  /** Public addresses (not private, not link-local): AWS APIs, registries, package indexes. */
  | "internet"
  /** The EKS Pod Identity agent on every node (169.254.170.23:80): how pods get their AWS role. */
  | "podIdentity"
  /** Every address: a load balancer's clients. */
  | "anywhere";

export type Peer = { readonly pods: PodSet } | { readonly address: Address };

export interface FlowPort {
  readonly port: number;
  /** Last port of a range. @default the single port */
  readonly endPort?: number;
  /** @default "TCP" */
  readonly protocol?: "TCP" | "UDP";
}

export interface Flow {
  readonly from: Peer;
  readonly to: Peer;
  /** @default every port */
  readonly ports?: readonly FlowPort[];
  /** Why it must work (kept in the policy as an annotation, shown by the isolation test). */
  readonly why: string;
}

export const DNS_PORTS: readonly FlowPort[] = [
  { port: 53, protocol: "UDP" },
  { port: 53, protocol: "TCP" },
];
export const HTTPS: readonly FlowPort[] = [{ port: 443 }];

/** The EKS Pod Identity agent's link-local address (every node). */
export const POD_IDENTITY_AGENT = "169.254.170.23/32";
/** The EC2 instance metadata service: never reachable from pods. */
export const IMDS = "169.254.169.254/32";
/** RFC 1918 and link-local ranges: "internet" is everything else. */
export const NON_PUBLIC = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10"] as const;

export const pods = (p: PodSet): Peer => ({ pods: p });
export const address = (a: Address): Peer => ({ address: a });

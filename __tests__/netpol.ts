/**
 * A small NetworkPolicy evaluator with the standard Kubernetes semantics, for tests: a connection
 * from A to B on a port is allowed when A's egress allows it (or no egress policy selects A) and
 * B's ingress allows it (or no ingress policy selects B). Peers: podSelector, namespaceSelector
 * (both in one peer means AND), ipBlock with except. Ports: numbers, named container ports,
 * ranges (endPort); no ports means every port. ipBlocks match pod addresses too (Calico does:
 * with the VPC CNI, pods have addresses in the nodes' subnets).
 *
 * AdminNetworkPolicies (policy.networking.k8s.io/v1alpha1) come first, on each side: the
 * policies whose subject selects the pod, lowest priority number first, their rules in order;
 * the first rule whose peers and ports match decides (Allow: allowed, NetworkPolicies not
 * consulted; Deny: refused; Pass: the NetworkPolicies decide). ANP peers select pods only, so
 * traffic from a node's own address (kubelet, a kernel NFS mount) never matches one.
 */

export type Selector = { readonly matchLabels?: Readonly<Record<string, string>>; readonly matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[] };

export interface Peer {
  readonly podSelector?: Selector;
  readonly namespaceSelector?: Selector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}

export interface PortRule {
  readonly port?: number | string;
  readonly endPort?: number;
  readonly protocol?: string;
}

export interface Rule {
  readonly from?: readonly Peer[];
  readonly to?: readonly Peer[];
  readonly ports?: readonly PortRule[];
}

export interface Policy {
  readonly name: string;
  readonly namespace: string;
  readonly podSelector: Selector;
  readonly policyTypes?: readonly ("Ingress" | "Egress")[];
  readonly ingress?: readonly Rule[];
  readonly egress?: readonly Rule[];
}

/** A pod, or an address outside the pod network (a node, the internet, IMDS). */
export type Endpoint =
  | { readonly kind: "pod"; readonly name: string; readonly namespace: string; readonly labels: Readonly<Record<string, string>>; readonly ip: string; readonly ports?: Readonly<Record<string, number>> }
  | { readonly kind: "ip"; readonly name: string; readonly ip: string };

export function selects(selector: Selector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const inValues = has && (e.values ?? []).includes(labels[e.key]);
    if (e.operator === "In" && !inValues) return false;
    if (e.operator === "NotIn" && inValues) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function ipToInt(ip: string): number {
  return ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipToInt(base) / size) * size;
  const n = ipToInt(ip);
  return n >= start && n < start + size;
}

function peerMatches(peer: Peer, policyNamespace: string, other: Endpoint, namespaces: Readonly<Record<string, Readonly<Record<string, string>>>>): boolean {
  if (peer.ipBlock) {
    // ipBlock matches by address; pod IPs count too (standard semantics, cluster-internal addresses included).
    return inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(other.ip, c));
  }
  if (other.kind !== "pod") return false;
  const nsLabels = namespaces[other.namespace] ?? { "kubernetes.io/metadata.name": other.namespace };
  if (peer.namespaceSelector) {
    if (!selects(peer.namespaceSelector, nsLabels)) return false;
  } else if (other.namespace !== policyNamespace) {
    return false;
  }
  return peer.podSelector ? selects(peer.podSelector, other.labels) : true;
}

function portMatches(rule: Rule, port: number, protocol: string, target: Endpoint): boolean {
  if (!rule.ports || rule.ports.length === 0) return true;
  return rule.ports.some((p) => {
    if ((p.protocol ?? "TCP") !== protocol) return false;
    if (p.port === undefined) return true;
    const number = typeof p.port === "number" ? p.port : /^\d+$/.test(p.port) ? Number(p.port) : target.kind === "pod" ? target.ports?.[p.port] : undefined;
    if (number === undefined) return false;
    return p.endPort ? port >= number && port <= p.endPort : port === number;
  });
}

function policiesFor(policies: readonly Policy[], pod: Endpoint, type: "Ingress" | "Egress"): Policy[] {
  if (pod.kind !== "pod") return [];
  return policies.filter((p) => {
    const types = p.policyTypes ?? (p.egress ? ["Ingress", "Egress"] : ["Ingress"]);
    return p.namespace === pod.namespace && types.includes(type) && selects(p.podSelector, pod.labels);
  });
}

type AdminPeer = { readonly namespaces?: Selector; readonly pods?: { readonly namespaceSelector: Selector; readonly podSelector: Selector }; readonly networks?: readonly string[] };
type AdminPort = { readonly portNumber?: { readonly protocol: string; readonly port: number }; readonly portRange?: { readonly protocol?: string; readonly start: number; readonly end: number } };

export interface AdminRule {
  readonly name?: string;
  readonly action: "Allow" | "Deny" | "Pass";
  readonly from?: readonly AdminPeer[];
  readonly to?: readonly AdminPeer[];
  readonly ports?: readonly AdminPort[];
}

export interface AdminPolicy {
  readonly name: string;
  readonly priority: number;
  readonly subject: { readonly namespaces?: Selector; readonly pods?: { readonly namespaceSelector: Selector; readonly podSelector: Selector } };
  readonly ingress?: readonly AdminRule[];
  readonly egress?: readonly AdminRule[];
}

export interface Cluster {
  readonly policies: readonly Policy[];
  /** AdminNetworkPolicies. @default none */
  readonly adminPolicies?: readonly AdminPolicy[];
  /** Namespace labels (kubernetes.io/metadata.name is implied). */
  readonly namespaces: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

function namespaceLabels(cluster: Cluster, namespace: string): Readonly<Record<string, string>> {
  return { ...(cluster.namespaces[namespace] ?? {}), "kubernetes.io/metadata.name": namespace };
}

function adminSelects(cluster: Cluster, subject: AdminPolicy["subject"] | AdminPeer, e: Endpoint): boolean {
  if ("networks" in subject && subject.networks) return subject.networks.some((cidr) => inCidr(e.ip, cidr));
  if (e.kind !== "pod") return false;
  if (subject.namespaces) return selects(subject.namespaces, namespaceLabels(cluster, e.namespace));
  if (subject.pods) return selects(subject.pods.namespaceSelector, namespaceLabels(cluster, e.namespace)) && selects(subject.pods.podSelector, e.labels);
  return false;
}

function adminPortMatches(rule: AdminRule, port: number, protocol: string): boolean {
  if (!rule.ports?.length) return true;
  return rule.ports.some((p) => (p.portNumber ? p.portNumber.protocol === protocol && p.portNumber.port === port : p.portRange ? (p.portRange.protocol ?? "TCP") === protocol && port >= p.portRange.start && port <= p.portRange.end : false));
}

/** The ANP verdict for one side: "Allow", "Deny", or undefined (NetworkPolicies decide). */
function adminVerdict(cluster: Cluster, subject: Endpoint, other: Endpoint, side: "ingress" | "egress", port: number, protocol: string): "Allow" | "Deny" | undefined {
  const applicable = (cluster.adminPolicies ?? []).filter((p) => adminSelects(cluster, p.subject, subject)).sort((a, b) => a.priority - b.priority);
  for (const p of applicable) {
    for (const rule of p[side] ?? []) {
      const peers = side === "ingress" ? rule.from : rule.to;
      if (!(peers ?? []).some((peer) => adminSelects(cluster, peer, other)) || !adminPortMatches(rule, port, protocol)) continue;
      if (rule.action === "Pass") return undefined;
      return rule.action;
    }
  }
  return undefined;
}

/** Whether `from` may open a connection to `to` on `port`. */
export function allowed(cluster: Cluster, from: Endpoint, to: Endpoint, port: number, protocol = "TCP"): boolean {
  const namespaces = Object.fromEntries(Object.keys(cluster.namespaces).map((ns) => [ns, namespaceLabels(cluster, ns)]));
  const egressAdmin = adminVerdict(cluster, from, to, "egress", port, protocol);
  if (egressAdmin === "Deny") return false;
  if (egressAdmin !== "Allow") {
    const egress = policiesFor(cluster.policies, from, "Egress");
    if (egress.length && !egress.some((p) => (p.egress ?? []).some((r) => (!r.to?.length || r.to.some((peer) => peerMatches(peer, p.namespace, to, namespaces))) && portMatches(r, port, protocol, to)))) return false;
  }
  const ingressAdmin = adminVerdict(cluster, to, from, "ingress", port, protocol);
  if (ingressAdmin === "Deny") return false;
  if (ingressAdmin === "Allow") return true;
  const ingress = policiesFor(cluster.policies, to, "Ingress");
  if (ingress.length && !ingress.some((p) => (p.ingress ?? []).some((r) => (!r.from?.length || r.from.some((peer) => peerMatches(peer, p.namespace, from, namespaces))) && portMatches(r, port, protocol, to)))) return false;
  return true;
}

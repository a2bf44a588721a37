/**
 * A small NetworkPolicy evaluator with the standard Kubernetes semantics, for tests: a connection
 * from A to B on a port is allowed when A's egress allows it (or no egress policy selects A) and
 * B's ingress allows it (or no ingress policy selects B). Peers: podSelector, namespaceSelector
 * (both in one peer means AND), ipBlock with except. Ports: numbers, named container ports,
 * ranges (endPort); no ports means every port.
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

export interface Cluster {
  readonly policies: readonly Policy[];
  /** Namespace labels (kubernetes.io/metadata.name is implied). */
  readonly namespaces: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** Whether `from` may open a connection to `to` on `port`. */
export function allowed(cluster: Cluster, from: Endpoint, to: Endpoint, port: number, protocol = "TCP"): boolean {
  const egress = policiesFor(cluster.policies, from, "Egress");
  if (egress.length && !egress.some((p) => (p.egress ?? []).some((r) => (!r.to?.length || r.to.some((peer) => peerMatches(peer, p.namespace, to, cluster.namespaces))) && portMatches(r, port, protocol, to)))) return false;
  const ingress = policiesFor(cluster.policies, to, "Ingress");
  if (ingress.length && !ingress.some((p) => (p.ingress ?? []).some((r) => (!r.from?.length || r.from.some((peer) => peerMatches(peer, p.namespace, from, cluster.namespaces))) && portMatches(r, port, protocol, to)))) return false;
  return true;
}

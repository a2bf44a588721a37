/**
 * Flows into NetworkPolicies: a default deny (ingress and egress) in every namespace dandihub
 * creates, then one policy per set of pods with exactly the connections the features declared.
 * Calico enforces them on every pod, standalone user servers included (help/security.md).
 */
import { DNS_PORTS, NON_PUBLIC, POD_IDENTITY_AGENT, type Flow, type FlowPort, type Peer, type PodSet } from "../../core/network";
import { SYSTEM_NAMESPACE } from "../../core/names";

export interface NetworkContext {
  /** Namespaces dandihub creates: default deny in each, and policies for their pods. */
  readonly namespaces: readonly string[];
  /** The VPC's private subnets: where nodes (and the API's private endpoint) have addresses. */
  readonly privateSubnets: readonly string[];
}

type Json = Record<string, unknown>;

export const DEFAULT_DENY = "dandihub-default-deny";
const NAME_LABEL = "kubernetes.io/metadata.name";

function selector(p: PodSet): Json {
  const expressions = [
    ...(p.present ?? []).map((key) => ({ key, operator: "Exists" })),
    ...(p.absent ?? []).map((key) => ({ key, operator: "DoesNotExist" })),
  ];
  return {
    ...(Object.keys(p.labels).length ? { matchLabels: { ...p.labels } } : {}),
    ...(expressions.length ? { matchExpressions: expressions } : {}),
  };
}

/** The NetworkPolicy peers (and ports, for addresses that imply them) of a flow's other end. */
function peersOf(peer: Peer, ctx: NetworkContext): { peers: Json[]; ports?: readonly FlowPort[] } {
  if ("pods" in peer) return { peers: [{ namespaceSelector: { matchLabels: { [NAME_LABEL]: peer.pods.namespace } }, podSelector: selector(peer.pods) }] };
  const subnets = ctx.privateSubnets.map((cidr) => ({ ipBlock: { cidr } }));
  switch (peer.address) {
    case "nodes":
      return { peers: subnets };
    case "apiServer":
      return { peers: subnets, ports: [{ port: 443 }] };
    case "dns":
      return { peers: [{ namespaceSelector: { matchLabels: { [NAME_LABEL]: SYSTEM_NAMESPACE } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: DNS_PORTS };
    case "internet":
      return { peers: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...NON_PUBLIC] } }] };
    case "podIdentity":
      return { peers: [{ ipBlock: { cidr: POD_IDENTITY_AGENT } }], ports: [{ port: 80 }] };
    case "anywhere":
      return { peers: [{ ipBlock: { cidr: "0.0.0.0/0" } }] };
  }
}

function portsOf(ports: readonly FlowPort[] | undefined): Json[] | undefined {
  return ports?.map((p) => ({ port: p.port, ...(p.endPort ? { endPort: p.endPort } : {}), protocol: p.protocol ?? "TCP" }));
}

function rule(flow: Flow, other: Peer, ctx: NetworkContext, direction: "from" | "to"): Json {
  const { peers, ports } = peersOf(other, ctx);
  const rendered = portsOf(flow.ports ?? ports);
  return { [direction]: peers, ...(rendered ? { ports: rendered } : {}) };
}

/** Whose policy carries this end of a flow: ours for our pods in our namespaces, nobody's otherwise. */
function ours(peer: Peer, namespaces: ReadonlySet<string>): PodSet | undefined {
  if (!("pods" in peer)) return undefined;
  const p = peer.pods;
  return (p.policy ?? "dandihub") === "dandihub" && namespaces.has(p.namespace) ? p : undefined;
}

function key(p: PodSet): string {
  return `${p.namespace}/${p.name}`;
}

/** Every NetworkPolicy: the default denies, then one per set of pods with flows, in a stable order. */
export function networkPolicies(flows: readonly Flow[], ctx: NetworkContext): Json[] {
  const namespaces = new Set(ctx.namespaces);
  const sets = new Map<string, { pods: PodSet; ingress: Json[]; egress: Json[]; why: Set<string> }>();
  const entry = (p: PodSet) => {
    const k = key(p);
    const existing = sets.get(k);
    if (existing && JSON.stringify(selector(existing.pods)) !== JSON.stringify(selector(p))) {
      throw new Error(`two different pod sets named ${k}`);
    }
    const e = existing ?? { pods: p, ingress: [], egress: [], why: new Set<string>() };
    sets.set(k, e);
    return e;
  };
  for (const flow of flows) {
    const source = ours(flow.from, namespaces);
    const target = ours(flow.to, namespaces);
    if (source) {
      const e = entry(source);
      e.egress.push(rule(flow, flow.to, ctx, "to"));
      e.why.add(flow.why);
    }
    if (target) {
      const e = entry(target);
      e.ingress.push(rule(flow, flow.from, ctx, "from"));
      e.why.add(flow.why);
    }
  }
  const denies = ctx.namespaces.map((namespace) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: DEFAULT_DENY, namespace, annotations: { "dandihub.org/why": "Nothing in or out unless a dandihub policy allows it." } },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  }));
  const allows = [...sets.values()]
    .sort((a, b) => key(a.pods).localeCompare(key(b.pods)))
    .map(({ pods, ingress, egress, why }) => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: `dandihub-${pods.name}`, namespace: pods.namespace, annotations: { "dandihub.org/why": [...why].join("; ") } },
      spec: {
        podSelector: selector(pods),
        policyTypes: [...(ingress.length ? ["Ingress"] : []), ...(egress.length ? ["Egress"] : [])],
        ...(ingress.length ? { ingress } : {}),
        ...(egress.length ? { egress } : {}),
      },
    }));
  return [...denies, ...allows];
}

/**
 * A synthesized deployment as a network: its namespaces (with their labels), every policy that
 * will be enforced (dandihub's release, z2jh's four policies rebuilt from its values, the image
 * builder chart's own), and the pods and addresses that talk. Pods come from the synthesized
 * output and the charts' contracts (the labels `helm template` gives them), never from the pod
 * sets dandihub's flows name, so a flow that selects pods which do not exist shows up.
 *
 * Addresses follow the VPC CNI: pods and nodes alike have addresses in the private subnets.
 */
import type { AdminPolicy, Cluster, Endpoint, Policy } from "./netpol";
import { CONTRACTS } from "./chart-contracts";
import { releaseValues, type Synthesized } from "./helpers";
import { z2jhPolicies } from "./z2jh-netpol";

type Json = Record<string, any>;

export type Pod = Extract<Endpoint, { kind: "pod" }>;

export interface Model {
  readonly cluster: Cluster;
  readonly pods: readonly Pod[];
  /** Our policies (dandihub's release), by name: the objects the isolation test removes one at a time. */
  readonly ours: readonly { readonly id: string; readonly kind: "NetworkPolicy" | "AdminNetworkPolicy" }[];
  readonly groups: readonly string[];
  readonly nfsVolumes: readonly string[];
  readonly policedNamespaces: readonly string[];
  /** The addresses that are not pods. */
  readonly node: Endpoint;
  readonly apiServer: Endpoint;
  readonly internet: Endpoint;
  readonly metadata: Endpoint;
  readonly podIdentity: Endpoint;
}

/** An address in the n-th private subnet, as the VPC CNI hands them out. */
function addressIn(cidr: string, n: number): string {
  const [base] = cidr.split("/");
  const [a, b] = base.split(".").map(Number);
  return `${a}.${b}.${10 + Math.floor(n / 250)}.${1 + (n % 250)}`;
}

/** A namespace as a release names it: a literal, or the name of one of the stack's namespaces. */
export function namespaceOf(s: Synthesized, namespace: string): string {
  const ref = /^\$\{kubernetes_namespace_v1\.([^.]+)\.metadata\[0\]\.name\}$/.exec(namespace);
  return ref ? (s.tf.resource.kubernetes_namespace_v1[ref[1]].metadata as { name: string }).name : namespace;
}

/** Pod templates in a manifest (Deployment, DaemonSet, StatefulSet, Job, CronJob). */
export function podTemplates(m: Json): Json[] {
  if (m.kind === "CronJob") return [m.spec.jobTemplate.spec.template];
  if (m.spec?.template?.spec) return [m.spec.template];
  return [];
}

export function buildModel(s: Synthesized): Model {
  const subnets = (s.tf.module.network_vpc.private_subnets as string[]) ?? [];
  let n = 0;
  const ip = () => addressIn(subnets[n % subnets.length], n++);
  const pods: Pod[] = [];
  const add = (name: string, namespace: string, labels: Record<string, string>, ports: Record<string, number> = {}) =>
    pods.push({ kind: "pod", name, namespace, labels, ip: ip(), ports });

  const namespaces: Record<string, Record<string, string>> = { "kube-system": {}, default: {} };
  for (const ns of Object.values((s.tf.resource.kubernetes_namespace_v1 ?? {}) as Record<string, Json>)) namespaces[ns.metadata.name] = { ...(ns.metadata.labels ?? {}) };
  const policedNamespaces = Object.keys(namespaces).filter((ns) => !["kube-system", "default"].includes(ns));

  const policies: Policy[] = [];
  const adminPolicies: AdminPolicy[] = [];
  const ours: { id: string; kind: "NetworkPolicy" | "AdminNetworkPolicy" }[] = [];
  for (const m of (releaseValues(s.tf, "isolation_policies_release") as { manifests: Json[] }).manifests) {
    if (m.kind === "NetworkPolicy") {
      policies.push({ name: m.metadata.name, namespace: m.metadata.namespace, podSelector: m.spec.podSelector, policyTypes: m.spec.policyTypes, ingress: m.spec.ingress, egress: m.spec.egress });
      ours.push({ id: `${m.metadata.namespace}/${m.metadata.name}`, kind: "NetworkPolicy" });
    } else if (m.kind === "AdminNetworkPolicy") {
      adminPolicies.push({ name: m.metadata.name, priority: m.spec.priority, subject: m.spec.subject, ingress: m.spec.ingress, egress: m.spec.egress });
      ours.push({ id: m.metadata.name, kind: "AdminNetworkPolicy" });
    }
  }

  const hub = releaseValues(s.tf, "jupyterhub_chart_release") as Json;
  policies.push(...z2jhPolicies(hub));

  // Chart pods, as their contracts say the charts label them.
  for (const [address, r] of Object.entries(s.tf.resource.helm_release ?? {}) as [string, Json][]) {
    const values = releaseValues(s.tf, address) as Json;
    const namespace = namespaceOf(s, String(r.namespace));
    if (String(r.chart).startsWith("assets/")) {
      for (const m of (values.manifests ?? []) as Json[]) {
        for (const t of podTemplates(m)) {
          if (t.spec.hostNetwork) continue;
          const ports = Object.fromEntries((t.spec.containers ?? []).flatMap((c: Json) => (c.ports ?? []).map((p: Json) => [p.name ?? String(p.containerPort), p.containerPort])));
          add(`${address}:${m.kind}/${m.metadata.name}`, m.metadata.namespace ?? namespace, t.metadata?.labels ?? {}, ports);
        }
      }
      continue;
    }
    const contract = CONTRACTS.find((c) => c.chart === r.chart);
    for (const p of contract?.pods ?? []) {
      if (p.runs && !p.runs(values)) continue;
      add(`${address}:${p.role}`, p.namespace?.(values, namespace) ?? namespace, p.labels(String(r.name), values), { ...(p.ports ?? {}) });
    }
    if (r.chart === "binderhub-service") {
      // The chart's own egress policies for build pods and the Docker daemon (binderhub-service@6d1ccf4 templates).
      const egress = [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] } }] }, { ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }], to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }] }];
      policies.push({ name: "binderhub-builder-network-policy", namespace, podSelector: { matchLabels: { component: "binderhub-build" } }, policyTypes: ["Egress"], egress });
      policies.push({ name: "binderhub-dind-network-policy", namespace, podSelector: { matchLabels: { "app.kubernetes.io/name": "binderhub-service", "app.kubernetes.io/instance": r.name, "app.kubernetes.io/component": "docker-api" } }, policyTypes: ["Egress"], egress });
    }
    if (r.chart === "dask-gateway") {
      // Scheduler and worker pods of each granted group, labelled by the gateway's controller
      // (dask-gateway-server kubernetes/controller.py get_labels) and by our cluster options.
      const literal = /json\.loads\((".*")\)\)\s*$/s.exec(values.gateway.extraConfig["20-dandihub-options"])![1];
      const settings = JSON.parse(JSON.parse(literal));
      for (const g of settings.groupOrder as string[]) {
        // Two clusters per group: they must not reach each other's dashboards either.
        for (const cluster of [1, 2]) {
          for (const component of ["dask-scheduler", "dask-worker"]) {
            const labels = { "app.kubernetes.io/name": "dask-gateway", "gateway.dask.org/instance": String(r.name), "gateway.dask.org/cluster": `${g}-${cluster}`, "app.kubernetes.io/component": component, ...settings.groups[g].labels };
            add(`dask ${g}-${cluster} ${component}`, namespace, labels, { scheduler: 8786, dashboard: 8787, api: 8788 });
          }
        }
      }
    }
  }

  // User servers: KubeSpawner's labels, z2jh's extra labels, and the group the server counts against.
  const settings = JSON.parse(hub.hub.extraFiles["dandihub-settings"].stringData);
  const groups = settings.groupOrder as string[];
  for (const g of groups) {
    add(`user of ${g}`, "jupyterhub", { component: "singleuser-server", app: "jupyterhub", release: "jupyterhub", "hub.jupyter.org/username": `someone-${g}`, ...(hub.singleuser.extraLabels ?? { "hub.jupyter.org/network-access-hub": "true" }), "dandihub.org/group": g }, { "notebook-port": 8888 });
  }
  // Chart services: Helm's release label (or the file's podLabels).
  for (const svc of s.config.services.charts) add(`service ${svc.name}`, svc.namespace, { ...svc.podLabels });
  add("CoreDNS", "kube-system", { "k8s-app": "kube-dns" }, { dns: 53 });
  // Pods dandihub does not know of: one in every namespace it polices, and one elsewhere.
  for (const ns of policedNamespaces) add(`stranger in ${ns}`, ns, { app: "stranger" }, { http: 8080 });
  add("outsider", "default", { app: "outsider" }, { http: 8080 });

  const nfsVolumes = Object.keys((s.tf.resource.helm_release ?? {}) as Json)
    .filter((a) => /^storage_.*_server_release$/.test(a))
    .map((a) => a.replace(/^storage_/, "").replace(/_server_release$/, ""));
  return {
    cluster: { policies, adminPolicies, namespaces },
    pods,
    ours,
    groups,
    nfsVolumes,
    policedNamespaces,
    node: { kind: "ip", name: "a node", ip: addressIn(subnets[0], 900) },
    apiServer: { kind: "ip", name: "the API server's private endpoint", ip: addressIn(subnets[subnets.length - 1], 901) },
    internet: { kind: "ip", name: "the internet", ip: "93.184.215.14" },
    metadata: { kind: "ip", name: "the metadata server", ip: "169.254.169.254" },
    podIdentity: { kind: "ip", name: "the Pod Identity agent", ip: "169.254.170.23" },
  };
}

/** The cluster without one of our policies. */
export function without(model: Model, id: string): Cluster {
  const c = model.cluster;
  return {
    ...c,
    policies: c.policies.filter((p) => `${p.namespace}/${p.name}` !== id),
    adminPolicies: (c.adminPolicies ?? []).filter((p) => p.name !== id),
  };
}

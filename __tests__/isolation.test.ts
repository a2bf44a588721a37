/**
 * The isolation matrix: every synthesized deployment as a network (isolation-model.ts), its
 * policies evaluated with NetworkPolicy and AdminNetworkPolicy semantics (netpol.ts, standalone
 * pods included since Calico enforces on them), checked for what must never connect and what
 * must. Then each of dandihub's policies is removed in turn: every one must be load-bearing.
 */
import { describe, expect, it } from "vitest";
import type { Flow, Peer } from "../src/core/network";
import { deploymentFlows } from "../src/features/isolation/plan";
import { VARIANTS, type Synthesized } from "./helpers";
import { buildModel, without, type Model, type Pod } from "./isolation-model";
import { allowed, selects, type Cluster, type Endpoint, type Selector } from "./netpol";

interface Expectation {
  readonly what: string;
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly port: number;
  readonly protocol?: "TCP" | "UDP";
  readonly allowed: boolean;
}

const find = (m: Model, name: string): Pod | undefined => m.pods.find((p) => p.name === name);
const role = (m: Model, suffix: string): Pod | undefined => m.pods.find((p) => p.name.endsWith(`:${suffix}`));

/** Pods a flow's pod set selects, by the same rules NetworkPolicy uses. */
function selected(m: Model, peer: Peer): Endpoint | undefined {
  if ("address" in peer) {
    switch (peer.address) {
      case "nodes":
        return m.node;
      case "apiServer":
        return m.apiServer;
      case "dns":
        return find(m, "CoreDNS");
      case "internet":
      case "anywhere":
        return m.internet;
      case "podIdentity":
        return m.podIdentity;
    }
  }
  const p = peer.pods;
  const selector: Selector = {
    matchLabels: p.labels,
    matchExpressions: [...(p.present ?? []).map((key) => ({ key, operator: "Exists" })), ...(p.absent ?? []).map((key) => ({ key, operator: "DoesNotExist" }))],
  };
  const matching = m.pods.filter((pod) => pod.namespace === p.namespace && selects(selector, pod.labels));
  // A known pod if any: "every pod in a namespace" falls back to the unknown one.
  return matching.find((pod) => !pod.name.startsWith("stranger")) ?? matching[0];
}

function expectations(s: Synthesized, m: Model): Expectation[] {
  const e: Expectation[] = [];
  const never = (what: string, from: Endpoint | undefined, to: Endpoint | undefined, port: number, protocol: "TCP" | "UDP" = "TCP") => {
    if (from && to) e.push({ what: `NEVER ${what}`, from, to, port, protocol, allowed: false });
  };
  const must = (what: string, from: Endpoint | undefined, to: Endpoint | undefined, port: number, protocol: "TCP" | "UDP" = "TCP") => {
    if (!from || !to) throw new Error(`${s.config.name}: ${what}: no such endpoint in the model`);
    e.push({ what: `MUST ${what}`, from, to, port, protocol, allowed: true });
  };
  const user = (g: string) => find(m, `user of ${g}`)!;
  const nfs = (v: string) => find(m, `storage_${v}_server_release:nfs-server`);
  const dask = (g: string, cluster: number, component: "scheduler" | "worker") => find(m, `dask ${g}-${cluster} dask-${component}`);
  const prometheus = role(m, "prometheus");
  const grafana = role(m, "grafana");
  const hub = find(m, "jupyterhub_chart_release:hub")!;
  const proxy = find(m, "jupyterhub_chart_release:proxy")!;
  const kubecost = role(m, "cost-analyzer");
  const alertmanager = role(m, "alertmanager");
  const daskProxy = find(m, "services_dask-gateway_release:proxy");

  // Between groups: nothing of B from A's servers or A's Dask clusters.
  for (const a of m.groups) {
    for (const b of m.groups.filter((x) => x !== a)) {
      never(`${a}'s user reaches ${b}'s NFS server`, user(a), nfs(b), 2049);
      never(`${a}'s user reaches ${b}'s server`, user(a), user(b), 8888);
      for (const port of [8786, 8787, 8788]) {
        never(`${a}'s user reaches ${b}'s Dask scheduler on ${port}`, user(a), dask(b, 1, "scheduler"), port);
        never(`${a}'s Dask worker reaches ${b}'s Dask scheduler on ${port}`, dask(a, 1, "worker"), dask(b, 1, "scheduler"), port);
      }
      never(`${a}'s Dask worker reaches ${b}'s Dask worker`, dask(a, 1, "worker"), dask(b, 1, "worker"), 40000);
      never(`${a}'s Dask worker reaches ${b}'s NFS server`, dask(a, 1, "worker"), nfs(b), 2049);
    }
  }
  for (const a of m.groups) {
    const u = user(a);
    // What a user's code never reaches.
    never(`${a}'s user reaches the proxy's API`, u, proxy, 8001);
    never(`${a}'s user reaches the hub beyond its API port`, u, hub, 8080);
    never(`${a}'s user reaches Prometheus`, u, prometheus, 9090);
    never(`${a}'s user reaches Grafana directly`, u, grafana, 3000);
    never(`${a}'s user reaches Kubecost`, u, kubecost, 9090);
    never(`${a}'s user reaches Kubecost's model`, u, kubecost, 9003);
    never(`${a}'s user reaches Alertmanager`, u, alertmanager, 9093);
    never(`${a}'s user reaches the metadata server`, u, m.metadata, 80);
    never(`${a}'s user reaches the metadata server's DNS`, u, m.metadata, 53, "UDP");
    never(`${a}'s user reaches the Kubernetes API`, u, m.apiServer, 443);
    for (const v of m.nfsVolumes) {
      for (const port of [2049, 20048, 111]) never(`${a}'s user reaches volume ${v}'s NFS server (or its service address) on ${port}`, u, nfs(v), port);
      never(`${a}'s user reaches volume ${v}'s NFS metrics`, u, nfs(v), 9100);
    }
    never(`${a}'s user reaches the Dask gateway's API directly`, u, role(m, "gateway"), 8000);
    // What must work for a user's server.
    must(`${a}'s user reaches the hub's API`, u, hub, 8081);
    must(`${a}'s user resolves names`, u, find(m, "CoreDNS"), 53, "UDP");
    must(`${a}'s user reaches the internet`, u, m.internet, 443);
    must(`${a}'s user gets its AWS role`, u, m.podIdentity, 80);
    if (m.nfsVolumes.includes(a)) must(`a node mounts ${a}'s volume for ${a}'s servers`, m.node, nfs(a), 2049);
    if (dask(a, 1, "worker")) {
      must(`${a}'s user reaches the Dask gateway's proxy`, u, daskProxy, 8000);
      must(`${a}'s Dask worker reaches its scheduler`, dask(a, 1, "worker"), dask(a, 1, "scheduler"), 8786);
      must(`${a}'s Dask scheduler reaches its worker`, dask(a, 1, "scheduler"), dask(a, 1, "worker"), 40000);
      must(`the gateway's proxy reaches ${a}'s dashboard`, daskProxy, dask(a, 1, "scheduler"), 8787);
      never(`one of ${a}'s Dask clusters opens another's dashboard`, dask(a, 1, "worker"), dask(a, 2, "scheduler"), 8787);
      never(`${a}'s user opens a Dask dashboard directly`, u, dask(a, 1, "scheduler"), 8787);
    }
  }
  if (m.nfsVolumes.includes("common")) must("a node mounts the common volume", m.node, nfs("common"), 2049);

  // Pods dandihub does not know: isolated in its namespaces, and kept off what matters elsewhere.
  const outsider = find(m, "outsider")!;
  for (const ns of m.policedNamespaces) {
    const stranger = find(m, `stranger in ${ns}`)!;
    never(`an unknown pod in ${ns} reaches the internet`, stranger, m.internet, 443);
    never(`an unknown pod in ${ns} reaches the Kubernetes API`, stranger, m.apiServer, 443);
    never(`an unknown pod in ${ns} reaches the hub`, stranger, hub, 8081);
    never(`a pod elsewhere reaches an unknown pod in ${ns}`, outsider, stranger, 8080);
    must(`an unknown pod in ${ns} resolves names`, stranger, find(m, "CoreDNS"), 53, "UDP");
  }
  for (const v of m.nfsVolumes) for (const port of [2049, 20048, 111]) never(`a pod in an unpoliced namespace mounts volume ${v} (port ${port})`, outsider, nfs(v), port);
  never("a pod elsewhere reaches Prometheus", outsider, prometheus, 9090);
  never("a pod elsewhere reaches Grafana", outsider, grafana, 3000);
  never("a pod elsewhere reaches Kubecost", outsider, kubecost, 9090);
  never("a pod elsewhere reaches the proxy's API", outsider, proxy, 8001);
  never("a pod elsewhere reaches the hub's API", outsider, hub, 8081);
  for (const g of m.groups) never(`a pod elsewhere opens ${g}'s Dask dashboard`, outsider, dask(g, 1, "scheduler"), 8787);
  must("the load balancer reaches the proxy", m.internet, proxy, 8000);

  // The platform's own paths, written out by hand.
  if (prometheus) {
    must("Prometheus reads /hub/metrics", prometheus, hub, 8081);
    must("Prometheus scrapes kube-state-metrics", prometheus, role(m, "kube-state-metrics"), 8080);
    must("Prometheus scrapes the kubelets", prometheus, m.node, 10250);
    must("Grafana queries Prometheus", grafana, prometheus, 9090);
    must("Grafana signs users in through the hub", grafana, hub, 8081);
    must("the proxy serves Grafana", proxy, grafana, 3000);
    must("the API server calls the Prometheus operator's webhook", m.node, role(m, "operator"), 10250);
    for (const v of m.nfsVolumes) must(`Prometheus reads volume ${v}'s quotas`, prometheus, nfs(v), 9100);
    if (kubecost) must("Kubecost reads Prometheus", kubecost, prometheus, 9090);
  }
  // Every connection a feature declared must work through all the policies together.
  for (const flow of deploymentFlows(s.config)) {
    const from = selected(m, flow.from);
    const to = selected(m, flow.to);
    const implied = "address" in flow.to ? IMPLIED_PORTS[flow.to.address] : undefined;
    const port = flow.ports?.[0] ?? implied ?? { port: 8080 };
    must(`flow: ${flow.why} (${endpoints(flow)})`, from, to, port.port, port.protocol ?? "TCP");
  }
  return e;
}

/** The port an address implies when a flow names none (the policies restrict it so). */
const IMPLIED_PORTS: Partial<Record<string, { port: number; protocol?: "TCP" | "UDP" }>> = { dns: { port: 53, protocol: "UDP" }, apiServer: { port: 443 }, podIdentity: { port: 80 } };

function endpoints(flow: Flow): string {
  const side = (p: Peer) => ("address" in p ? p.address : `${p.pods.namespace}/${p.pods.name}`);
  return `${side(flow.from)} -> ${side(flow.to)}`;
}

function failures(es: readonly Expectation[], cluster: Cluster): string[] {
  return es.filter((x) => allowed(cluster, x.from, x.to, x.port, x.protocol) !== x.allowed).map((x) => `${x.what}: ${x.from.name} -> ${x.to.name}:${x.port}`);
}

describe("isolation holds in every deployment", () => {
  for (const [variant, get] of Object.entries(VARIANTS)) {
    describe(variant, () => {
      const model = () => {
        const s = get();
        const m = buildModel(s);
        return { s, m, es: expectations(s, m) };
      };

      it("no group reaches another's data, servers or Dask clusters; what must work works", () => {
        const { m, es } = model();
        expect(failures(es, m.cluster)).toEqual([]);
        expect(es.filter((x) => !x.allowed).length).toBeGreaterThan(20);
      });

      it("every dandihub policy is load-bearing: removing any one breaks the matrix", () => {
        const { m, es } = model();
        const idle = m.ours.filter((p) => failures(es, without(m, p.id)).length === 0).map((p) => p.id);
        expect(idle).toEqual([]);
        expect(m.ours.length).toBeGreaterThan(m.policedNamespaces.length);
      });
    });
  }

  it("without the AdminNetworkPolicy, any pod with a VPC address could mount a volume", () => {
    const m = buildModel(VARIANTS.dandi());
    const es = expectations(VARIANTS.dandi(), m);
    const broken = failures(es, without(m, "dandihub-nfs-servers"));
    expect(broken).toContain("NEVER a pod in an unpoliced namespace mounts volume dandi (port 2049): outsider -> storage_dandi_server_release:nfs-server:2049");
  });

  it("the model has the pods the deployment runs (a flow naming absent pods would fail above)", () => {
    const m = buildModel(VARIANTS.dandi());
    for (const name of ["user of dandi", "user of linc", "dask dandi-1 dask-worker", "CoreDNS", "outsider"]) expect(m.pods.map((p) => p.name)).toContain(name);
    expect(m.nfsVolumes).toEqual(expect.arrayContaining(["common", "dandi", "linc", "bican", "ember", "workshop"]));
    expect(m.groups).toEqual(["dandi", "linc", "bican", "ember", "workshop"]);
  });
});

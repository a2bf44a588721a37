/**
 * Every client of the hub's API that a deployment runs can reach it through the hub's
 * NetworkPolicy, and nothing else can. Clients are found in the synthesized output, not in the
 * list the values builder keeps: pods of our manifests that use a hub service token or the hub's
 * API address, upstream charts' pods that call it (chart-contracts.ts), chart services with hub
 * OAuth, user servers and the proxy (z2jh labels them). The hub's policy is evaluated as z2jh
 * 4.4.0 renders it: its own rule (pods labelled hub.jupyter.org/network-access-hub in the hub's
 * namespace) plus hub.networkPolicy.ingress.
 */
import { describe, expect, it } from "vitest";
import { HUB_NAMESPACE } from "../src/core/names";
import { CONTRACTS } from "./chart-contracts";
import { releaseValues, VARIANTS, type Synthesized } from "./helpers";
import { namespaceOf, podTemplates } from "./isolation-model";
import { allowed, type Endpoint, type Policy } from "./netpol";

type Json = Record<string, any>;

const HUB_POD: Endpoint = { kind: "pod", name: "hub", namespace: HUB_NAMESPACE, labels: { app: "jupyterhub", component: "hub", release: "jupyterhub" }, ip: "10.1.9.1", ports: { http: 8081 } };
const HUB_API_PORT = 8081;
const ACCESS_LABEL = "hub.jupyter.org/network-access-hub";

/** The hub's NetworkPolicy as z2jh 4.4.0's templates/hub/netpol.yaml renders it from these values. */
function hubPolicy(values: Json): Policy {
  return {
    name: "hub",
    namespace: HUB_NAMESPACE,
    podSelector: { matchLabels: { app: "jupyterhub", component: "hub", release: "jupyterhub" } },
    policyTypes: ["Ingress", "Egress"],
    ingress: [{ ports: [{ port: "http" }], from: [{ podSelector: { matchLabels: { [ACCESS_LABEL]: "true" } } }] }, ...(values.hub.networkPolicy.ingress ?? [])],
    egress: [{}],
  };
}

function callsHubApi(template: Json): boolean {
  const text = JSON.stringify(template.spec);
  return /"key":"hub\.services\.[^"]+\.apiToken"/.test(text) || /:8081\/hub\/api/.test(text);
}

/** Every pod the deployment runs that calls the hub API. */
function hubClients(s: Synthesized): Endpoint[] {
  const clients: Endpoint[] = [];
  let n = 0;
  const add = (name: string, namespace: string, labels: Record<string, string>) => clients.push({ kind: "pod", name, namespace, labels, ip: `10.1.200.${++n}` });
  const hub = releaseValues(s.tf, "jupyterhub_chart_release") as Json;
  // z2jh labels user servers and the proxy for the hub (singleuser.extraLabels, proxy pods).
  add("user server", HUB_NAMESPACE, { component: "singleuser-server", ...hub.singleuser.extraLabels, [ACCESS_LABEL]: "true" });
  add("proxy", HUB_NAMESPACE, { component: "proxy", [ACCESS_LABEL]: "true" });
  for (const [address, r] of Object.entries(s.tf.resource.helm_release ?? {})) {
    const values = releaseValues(s.tf, address) as Json;
    const namespace = namespaceOf(s, String(r.namespace));
    if (String(r.chart).startsWith("assets/")) {
      for (const m of (values.manifests ?? []) as Json[]) {
        for (const t of podTemplates(m).filter(callsHubApi)) add(`${address}:${m.kind}/${m.metadata.name}`, m.metadata.namespace ?? namespace, t.metadata?.labels ?? {});
      }
      continue;
    }
    const contract = CONTRACTS.find((c) => c.chart === r.chart);
    for (const pod of contract?.pods ?? []) {
      if (pod.callsHub?.(values)) add(`${address}:${pod.role}`, pod.namespace?.(values, namespace) ?? namespace, pod.labels(String(r.name), values));
    }
  }
  for (const svc of s.config.services.charts) {
    // A chart service with hub OAuth validates tokens against the hub API.
    if (svc.hub) add(`service ${svc.name}`, svc.namespace, svc.hub.podLabels);
  }
  return clients;
}

describe("the hub API is reachable by exactly its clients", () => {
  for (const [variant, get] of Object.entries(VARIANTS)) {
    it(`${variant}: every client passes the hub's NetworkPolicy on 8081`, () => {
      const s = get();
      const cluster = { policies: [hubPolicy(releaseValues(s.tf, "jupyterhub_chart_release") as Json)], namespaces: {} };
      const clients = hubClients(s);
      const refused = clients.filter((c) => !allowed(cluster, c, HUB_POD, HUB_API_PORT)).map((c) => c.name);
      expect(refused).toEqual([]);
      // Unlabelled pods, pods elsewhere and other ports stay out.
      const stranger: Endpoint = { kind: "pod", name: "stranger", namespace: HUB_NAMESPACE, labels: { app: "other" }, ip: "10.1.201.1" };
      const elsewhere: Endpoint = { kind: "pod", name: "elsewhere", namespace: "storage-x", labels: { [ACCESS_LABEL]: "true" }, ip: "10.1.201.2" };
      expect(allowed(cluster, stranger, HUB_POD, HUB_API_PORT)).toBe(false);
      expect(allowed(cluster, elsewhere, HUB_POD, HUB_API_PORT)).toBe(false);
      expect(allowed(cluster, clients[0], HUB_POD, 22)).toBe(false);
    });
  }

  it("finds the clients it should (a client the builder forgot would be found)", () => {
    const names = (v: string) => hubClients(VARIANTS[v]()).map((c) => c.name);
    expect(names("dandi")).toEqual(
      expect.arrayContaining([
        "storage-jobs_jobs_release:CronJob/dandihub-retention-dandi",
        "monitoring_dandihub_release:Deployment/dandihub-exporter",
        "monitoring_stack_release:grafana",
        "monitoring_stack_release:prometheus",
        "services_dask-gateway_release:gateway",
      ]),
    );
    expect(names("images-build")).toContain("images_builder_release:binderhub");
    expect(names("chart-service")).toContain("service viewer");
  });
});

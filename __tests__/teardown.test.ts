/**
 * Teardown order. Terraform destroys a resource before everything it depends on (its recorded
 * dependencies: depends_on and references, transitively). So these dependency edges are the
 * destroy order: NodePools before the Karpenter controller (deleting them drains and terminates
 * Karpenter's nodes; the EC2NodeClass finalizer holds the uninstall until they are gone), the
 * hub's LoadBalancer Service before the load balancer controller (its finalizer deletes the NLB),
 * and both controllers before the node group they run on, the cluster before the VPC.
 */
import { describe, expect, it } from "vitest";
import { POOLS_TEARDOWN_SECONDS } from "../src/features/capacity/karpenter";
import { synth, VARIANTS, type TfJson } from "./helpers";

/** Every address each resource or module call depends on directly: depends_on and `${...}` references. */
function dependencyGraph(tf: TfJson): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const add = (address: string, body: Record<string, unknown>) => {
    const deps = new Set<string>((body.depends_on as string[] | undefined) ?? []);
    const text = JSON.stringify({ ...body, "//": undefined, depends_on: undefined });
    // Every `type.name` (or `data.type.name`, `module.name`) inside every `${...}` expression.
    for (const [, expression] of text.matchAll(/\$\{([^}]*)\}/g)) {
      for (const [ref] of expression.matchAll(/\b(?:data\.[a-z][a-z0-9_]*|module|[a-z][a-z0-9]*_[a-z0-9_]+)\.[A-Za-z0-9_-]+/g)) deps.add(ref);
    }
    deps.delete(address);
    graph.set(address, deps);
  };
  for (const [type, byName] of Object.entries(tf.resource)) for (const [name, body] of Object.entries(byName)) add(`${type}.${name}`, body);
  for (const [name, body] of Object.entries(tf.module)) add(`module.${name}`, body);
  return graph;
}

/** Whether `from` depends on `to`, directly or through others: `from` is destroyed first. */
function destroyedBefore(graph: Map<string, Set<string>>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const at = stack.pop()!;
    if (at === to && at !== from) return true;
    if (seen.has(at)) continue;
    seen.add(at);
    for (const d of graph.get(at) ?? []) stack.push(d);
  }
  return false;
}

describe("teardown: controllers outlive what they clean up", () => {
  for (const name of ["dandi", "minimal", "images-build", "chart-service"]) {
    describe(name, () => {
      const s = () => VARIANTS[name]();
      const graph = () => dependencyGraph(s().tf);
      const releases = () => Object.keys(s().tf.resource.helm_release).map((r) => `helm_release.${r}`);

      it("NodePools go before the Karpenter controller, which goes before its CRDs and the core nodes", () => {
        const g = graph();
        expect(destroyedBefore(g, "helm_release.karpenter_pools_release", "helm_release.karpenter_controller_release")).toBe(true);
        expect(destroyedBefore(g, "helm_release.karpenter_controller_release", "helm_release.karpenter_crd_release")).toBe(true);
        expect(destroyedBefore(g, "helm_release.karpenter_controller_release", "module.cluster_eks")).toBe(true);
        // Its IAM role and interruption queue stay until it is gone: it needs them to terminate instances.
        expect(destroyedBefore(g, "helm_release.karpenter_controller_release", "module.karpenter_iam")).toBe(true);
      });

      it("whatever runs on Karpenter's nodes goes before their pools", () => {
        const g = graph();
        const onPools = releases().filter((r) => /storage_.+_server_release$|jupyterhub_chart_release|services_|images_/.test(r));
        expect(onPools.length).toBeGreaterThan(1);
        for (const r of onPools) expect(destroyedBefore(g, r, "helm_release.karpenter_pools_release"), r).toBe(true);
      });

      it("the hub's Service (its NLB) goes before the load balancer controller, which goes before the cluster", () => {
        const g = graph();
        expect(destroyedBefore(g, "helm_release.jupyterhub_chart_release", "helm_release.lb-controller_chart_release")).toBe(true);
        expect(destroyedBefore(g, "helm_release.lb-controller_chart_release", "module.cluster_eks")).toBe(true);
        expect(destroyedBefore(g, "helm_release.lb-controller_chart_release", "module.lb-controller_role")).toBe(true);
      });

      it("the cluster goes before its VPC; nothing is destroyed after what it needs", () => {
        const g = graph();
        expect(destroyedBefore(g, "module.cluster_eks", "module.network_vpc")).toBe(true);
        // No cycle: a destroy order exists.
        for (const r of releases()) expect(destroyedBefore(g, "module.cluster_eks", r), r).toBe(false);
      });

      it("uninstalls wait: for deletion to finish, long enough for the pools' nodes to drain", () => {
        const tf = s().tf;
        for (const r of Object.values(tf.resource.helm_release)) expect(r.wait).toBe(true);
        expect(tf.resource.helm_release.karpenter_pools_release.timeout).toBe(POOLS_TEARDOWN_SECONDS);
      });
    });
  }

  it("the graph reads references as well as depends_on", () => {
    const g = dependencyGraph(synth("config/minimal.yaml").tf);
    // The PV names its Service's assigned address: a reference, not a depends_on.
    expect(g.get("kubernetes_persistent_volume_v1.storage_common_pv")).toContain("kubernetes_service_v1.storage_common_service");
    expect(g.get("module.cluster_eks")).toContain("module.network_vpc");
  });
});

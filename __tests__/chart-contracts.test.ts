/**
 * Upstream charts can't be fetched in CI: their contracts (chart-contracts.ts, looked up in each
 * chart's source at the pinned release) stand in. Every pin has one, and every release of every
 * deployment the suite synthesizes meets it.
 */
import { describe, expect, it } from "vitest";
import { CHARTS } from "../src/core/charts";
import { CONTRACTS, KUBECOST_2_9, type ChartContract } from "./chart-contracts";
import { releaseValues, VARIANTS } from "./helpers";

const upstream = Object.values(CHARTS).filter((c) => c.repository !== "");

function releasesOf(chart: string): { variant: string; address: string; namespace: string; values: Record<string, unknown> }[] {
  return Object.entries(VARIANTS).flatMap(([variant, get]) => {
    const { tf } = get();
    return Object.entries(tf.resource.helm_release ?? {})
      .filter(([, r]) => r.chart === chart)
      .map(([address, r]) => ({ variant, address, namespace: String(r.namespace), values: releaseValues(tf, address) }));
  });
}

function broken(contract: ChartContract, values: Record<string, unknown>, namespace: string): string[] {
  return contract.rules.filter((r) => !r.holds(values, namespace)).map((r) => r.says);
}

describe("upstream chart contracts", () => {
  it("every pinned upstream chart has a contract looked up at exactly its pinned version", () => {
    for (const pin of upstream) {
      const c = CONTRACTS.find((x) => x.chart === pin.chart);
      expect(c, `${pin.chart}: look up its required values and fail conditions, add them to chart-contracts.ts`).toBeDefined();
      expect(c!.version, `${pin.chart}: pinned ${pin.version}, contract read at ${c!.version}`).toBe(pin.version);
    }
    expect(CONTRACTS.map((c) => c.chart).sort()).toEqual(upstream.map((p) => p.chart).sort());
  });

  for (const contract of CONTRACTS) {
    it(`${contract.chart} ${contract.version}: every release meets the chart's own conditions`, () => {
      const releases = releasesOf(contract.chart);
      // Each chart is installed by at least one deployment of the suite.
      expect(releases.length, contract.chart).toBeGreaterThan(0);
      for (const r of releases) expect(broken(contract, r.values, r.namespace), `${r.variant} ${r.address}`).toEqual([]);
    });
  }

  it("Kubecost 2.9.x would refuse these values: it exists to move agents to 3.0 (why 2.8.7 is pinned)", () => {
    const [kubecost] = releasesOf("cost-analyzer");
    expect(broken(KUBECOST_2_9, kubecost.values, kubecost.namespace)).toEqual([
      "clusterId is required. Please set .Values.global.clusterId",
      expect.stringContaining("cluster_id is set in two places"),
      expect.stringContaining("Missing global federated-store"),
    ]);
  });

  it("a contract rule can fail (this test can fail)", () => {
    const lbc = CONTRACTS.find((c) => c.chart === "aws-load-balancer-controller")!;
    expect(broken(lbc, { clusterName: "x" }, "kube-system")).toEqual([expect.stringContaining("enableServiceMutatorWebhook")]);
    const nfs = CONTRACTS.find((c) => c.chart === "jupyterhub-home-nfs")!;
    expect(broken(nfs, { eks: { enabled: true }, nfsServer: { enableClientAllowlist: true, allowedClients: [] } }, "storage-x")).toHaveLength(3);
  });
});

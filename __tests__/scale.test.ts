/**
 * A generated deployment of many groups (scripts/scale-config.ts, what `npm run bench -- --groups`
 * synthesizes) against the limits it must fit: every release Secret and ConfigMap under 1 MiB
 * (policy DH018, with the rest of the policy), NFS servers on a storage pool sized for them, jobs
 * spread over the hour, and big values that carry no Terraform reference (CDKTF tokenizes those
 * in quadratic time).
 */
import { NFS_SERVER_REQUESTS } from "../src/features/storage/layout";
import { describe, expect, it } from "vitest";
import { scaleDeployment } from "../scripts/scale-config";
import { checkPolicy } from "../src/features/policy/run";
import { releaseValues, synth } from "./helpers";

type Rec = Record<string, any>;

describe("500 groups x 30 profiles", () => {
  const s = () => synth(scaleDeployment(500, 30), { name: "scale-500x30" });

  it("passes the policy, size limits included", () => {
    expect(checkPolicy(s().config, s().text).violations.map((v) => `${v.rule.id} ${v.address}: ${v.detail}`)).toEqual([]);
  });

  it("NFS servers get a storage pool sized for all 501 of them (more volumes than a core node attaches)", () => {
    expect(s().config.storage.servers).toBe("dedicated");
    const pool = (releaseValues(s().tf, "karpenter_pools_release") as { manifests: Rec[] }).manifests.find((m) => m.kind === "NodePool" && m.metadata.name === "storage")!;
    expect(Number(pool.spec.limits.cpu)).toBeGreaterThanOrEqual(501 * NFS_SERVER_REQUESTS.cpu * 2);
  });

  it("the retention jobs start over many minutes, not all at six", () => {
    const jobs = (releaseValues(s().tf, "storage-jobs_jobs_release") as { manifests: Rec[] }).manifests.filter((m) => m.metadata.name.startsWith("dandihub-retention-"));
    expect(jobs).toHaveLength(500);
    expect(new Set(jobs.map((j) => j.spec.schedule)).size).toBeGreaterThan(30);
  });

  it("the big releases' values carry no Terraform reference", () => {
    // The storage NodePool's zone was one such reference once: a 500-group synth took 34 s, not 8.
    for (const r of ["jupyterhub_chart_release", "storage-jobs_jobs_release", "isolation_policies_release", "karpenter_pools_release"]) {
      const values = (s().tf.resource.helm_release[r] as { values: string[] }).values[0];
      expect(values.length, r).toBeGreaterThan(50_000);
      expect(values, r).not.toMatch(/(?<!\$)\$\{/); // any reference, escaped `$${` aside
    }
  });
});

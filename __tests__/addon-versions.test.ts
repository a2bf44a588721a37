/** npm run addon-versions against a stand-in `aws` CLI that answers as `aws eks describe-addon-versions` does. */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EKS_ADDON_VERSIONS } from "../modules/versions";
import { compareAddonVersions, compareVersions } from "../src/features/platform/addon-versions";
import { ROOT, TS_NODE_ARGS } from "./helpers";

/** The response shape of describe-addon-versions (AWS CLI reference), newest first as EKS lists them. */
function response(addon: string, minor: string, versions: { v: string; isDefault?: boolean }[]) {
  return {
    addons: [
      {
        addonName: addon,
        type: "networking",
        owner: "aws",
        publisher: "eks",
        addonVersions: versions.map(({ v, isDefault }) => ({
          addonVersion: v,
          architecture: ["amd64", "arm64"],
          computeTypes: ["ec2", "auto", "hybrid"],
          compatibilities: [{ clusterVersion: minor, platformVersions: ["*"], defaultVersion: isDefault ?? false }],
          requiresConfiguration: false,
          requiresIamPermissions: false,
        })),
      },
    ],
  };
}

describe("addon versions", () => {
  it("orders eksbuild numbers numerically", () => {
    expect(compareVersions("v1.22.10-eksbuild.1", "v1.22.9-eksbuild.12")).toBeGreaterThan(0);
    expect(compareVersions("v1.22.4-eksbuild.3", "v1.22.4-eksbuild.10")).toBeLessThan(0);
  });

  it("finds the default and the newest per minor, and whether the pin is still offered", () => {
    const rows = compareAddonVersions("1.35", (addon) =>
      addon === "coredns"
        ? response(addon, "1.35", [{ v: "v1.13.2-eksbuild.30" }, { v: "v1.13.2-eksbuild.25", isDefault: true }])
        : response(addon, "1.35", [{ v: EKS_ADDON_VERSIONS["1.35"][addon], isDefault: true }]),
    );
    const coredns = rows.find((r) => r.addon === "coredns")!;
    expect(coredns).toEqual({ addon: "coredns", pinned: "v1.13.2-eksbuild.21", defaultVersion: "v1.13.2-eksbuild.25", newest: "v1.13.2-eksbuild.30", offered: false });
    expect(rows.filter((r) => r.addon !== "coredns").every((r) => r.offered && r.pinned === r.defaultVersion)).toBe(true);
  });

  it("the script runs the AWS CLI per add-on and prints a row to paste for a new minor", () => {
    const bin = mkdtempSync(join(tmpdir(), "dandihub-aws-"));
    const calls = join(bin, "calls");
    writeFileSync(
      join(bin, "aws"),
      `#!/usr/bin/env python3
import json, sys
a = sys.argv[1:]
open(${JSON.stringify(calls)}, "a").write(" ".join(a) + "\\n")
name, minor = a[a.index("--addon-name") + 1], a[a.index("--kubernetes-version") + 1]
v = lambda s, d=False: {"addonVersion": s, "compatibilities": [{"clusterVersion": minor, "platformVersions": ["*"], "defaultVersion": d}]}
print(json.dumps({"addons": [{"addonName": name, "addonVersions": [v("v9.0.1-eksbuild.2"), v("v9.0.0-eksbuild.7", True)]}]}))
`,
    );
    chmodSync(join(bin, "aws"), 0o755);
    const r = spawnSync(process.execPath, [...TS_NODE_ARGS, "scripts/addon-versions.ts", "1.36"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Kubernetes 1.36:");
    expect(r.stdout).toMatch(/vpc-cni\s+pinned -\s+default v9\.0\.0-eksbuild\.7\s+newest v9\.0\.1-eksbuild\.2\s+no pin/);
    expect(r.stdout).toContain('  "1.36": {\n      "vpc-cni": "v9.0.0-eksbuild.7",\n');
    expect(r.stdout).toContain('      coredns: "v9.0.0-eksbuild.7",\n');
    expect(readFileSync(calls, "utf8").trim().split("\n")).toHaveLength(7);
    expect(readFileSync(calls, "utf8")).toContain("eks describe-addon-versions --addon-name aws-efs-csi-driver --kubernetes-version 1.36 --output json");
  });
});

/** The policy checked at synth, its waivers, and the corpus of broken deployment files. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDeployment } from "../src/config/load";
import { ConfigError } from "../src/config/errors";
import { unescapeTemplate } from "../src/core/helm-values";
import { checkPolicy, formatPolicy } from "../src/features/policy/run";
import { RULES } from "../src/features/policy/rules";
import { minimalYaml, ROOT, synth, TS_NODE_ARGS, VARIANTS } from "./helpers";

type Rec = Record<string, any>;
const dandi = () => synth("config/dandi.yaml");

/** Runs the rules on a synthesized stack after `mutate` changed its JSON. */
function findingsAfter(mutate: (tf: Rec) => void, source = dandi()) {
  const tf = JSON.parse(source.text) as Rec;
  mutate(tf);
  return checkPolicy(source.config, JSON.stringify(tf)).violations.map((v) => `${v.rule.id} ${v.address}: ${v.detail}`);
}

/** Rewrites the Helm values of a release inside a stack JSON (the policy reads `${` either way). */
function editValues(tf: Rec, release: string, edit: (v: Rec) => void): void {
  const r = tf.resource.helm_release[release];
  const v = JSON.parse(unescapeTemplate(r.values[0]));
  edit(v);
  r.values[0] = JSON.stringify(v);
}

describe("the default deployments pass every rule without a waiver", () => {
  for (const name of ["dandi", "minimal", "acm-admins-3az", "images-build", "dev-dummy-cloud", "archive-oauth", "cognito-dev"]) {
    it(name, () => {
      const { config, text } = VARIANTS[name]();
      const result = checkPolicy(config, text);
      expect(result.violations.map((v) => `${v.rule.id} ${v.address}: ${v.detail}`)).toEqual([]);
      if (name === "minimal") expect(result.waived).toEqual([]);
      // dandi waives one rule, loudly: its images' tags are re-pushed until pin-images writes digests.
      if (name === "dandi") {
        expect(new Set(result.waived.map((w) => w.rule.id))).toEqual(new Set(["DH015"]));
        for (const w of result.waived) expect(w.detail).toMatch(/^123456789012\.dkr\.ecr\.us-east-2\.amazonaws\.com\/docker-hub\/dandiarchive\/dandihub:latest(-[a-z]+)?: a re-pushed tag and no digest$/);
      }
    });
  }
});

describe("each rule catches what it is for", () => {
  const cases: [string, (tf: Rec) => void, string][] = [
    ["DH001", (tf) => (tf.resource.aws_ebs_volume.storage_dandi_volume.encrypted = false), "DH001 aws_ebs_volume.storage_dandi_volume: EBS volume not encrypted"],
    ["DH001", (tf) => delete tf.resource.aws_s3_bucket_server_side_encryption_configuration["storage_dandi-bucket_encryption"], "DH001 aws_s3_bucket.storage_dandi-bucket_bucket: bucket without default encryption"],
    ["DH001", (tf) => (tf.module.cluster_eks.encryption_config = { resources: [] }), "DH001 module.cluster_eks: Kubernetes secrets not envelope-encrypted"],
    ["DH002", (tf) => (tf.module.network_vpc.public_subnet_tags["karpenter.sh/discovery"] = "dandi"), "DH002 module.network_vpc: public subnets carry the Karpenter discovery tag"],
    ["DH002", (tf) => (tf.module.cluster_eks.subnet_ids = "${module.network_vpc.public_subnets}"), "DH002 module.cluster_eks: subnet_ids"],
    ["DH003", (tf) => editValues(tf, "jupyterhub_chart_release", (v) => (v.singleuser.extraContainerConfig = { securityContext: { privileged: true } })), "DH003 helm_release.jupyterhub_chart_release:singleuser: privileged container"],
    ["DH003", (tf) => editValues(tf, "jupyterhub_chart_release", (v) => {
      const s = JSON.parse(v.hub.extraFiles["dandihub-settings"].stringData);
      s.groups.dandi.volumes.push({ name: "docker", hostPath: { path: "/var/run/docker.sock" } });
      v.hub.extraFiles["dandihub-settings"].stringData = JSON.stringify(s);
    }), "DH003 helm_release.jupyterhub_chart_release:group/dandi: host path volume"],
    ["DH004", (tf) => editValues(tf, "karpenter_pools_release", (v) => (v.manifests[0].spec.metadataOptions.httpPutResponseHopLimit = 2)), "DH004 helm_release.karpenter_pools_release:EC2NodeClass/dandi-cpu-spot: IMDSv2 with hop limit 1 not enforced"],
    ["DH004", (tf) => editValues(tf, "jupyterhub_chart_release", (v) => (v.singleuser.networkPolicy.egressAllowRules.cloudMetadataServer = true)), "DH004 helm_release.jupyterhub_chart_release:singleuser.networkPolicy"],
    ["DH005", (tf) => delete tf.resource.helm_release.calico_operator_release, "DH005 helm_release: no Calico"],
    ["DH005", (tf) => (tf.module.cluster_eks.addons["vpc-cni"].configuration_values = JSON.stringify({ enableNetworkPolicy: "true" })), "DH005 module.cluster_eks:addon/vpc-cni: the VPC CNI enforces policy too"],
    ["DH005", (tf) => editValues(tf, "isolation_policies_release", (v) => (v.manifests = v.manifests.filter((m: Rec) => m.metadata.namespace !== "monitoring" || m.metadata.name !== "dandihub-default-deny"))), "DH005 kubernetes_namespace_v1:monitoring: no default deny"],
    ["DH005", (tf) => editValues(tf, "jupyterhub_chart_release", (v) => (v.singleuser.networkPolicy.egressAllowRules.privateIPs = true)), "DH005 helm_release.jupyterhub_chart_release:singleuser.networkPolicy: user pods may reach private addresses"],
    ["DH006", (tf) => (tf.variable.github_client_secret.sensitive = false), "DH006 var.github_client_secret: variable not marked sensitive"],
    ["DH007", (tf) => delete tf.resource.aws_s3_bucket["storage_linc-bucket_bucket"].lifecycle, "DH007 aws_s3_bucket.storage_linc-bucket_bucket: no destroy guard"],
    ["DH007", (tf) => delete tf.resource.aws_ebs_volume.storage_ember_volume.tags["dandihub:backup"], "DH007 aws_ebs_volume.storage_ember_volume: not selected by any backup plan"],
    ["DH008", (tf) => tf.module["user-access_dandi-role"].policy_statements.push({ sid: "Everything", actions: ["s3:GetObject"], resources: ["*"] }), "DH008 module.user-access_dandi-role:Everything: wildcard resource"],
    ["DH008", (tf) => tf.module["user-access_linc-role"].policy_statements.push({ sid: "AllS3", actions: ["s3:*"], resources: ["arn:aws:s3:::x"] }), "DH008 module.user-access_linc-role:AllS3: wildcard action"],
    ["DH009", (tf) => editValues(tf, "jupyterhub_chart_release", (v) => (v.proxy.https = { enabled: false })), "DH009 helm_release.jupyterhub_chart_release:proxy.https: the hub serves plain HTTP"],
    ["DH010", (tf) => (tf.module.cluster_eks.endpoint_public_access_cidrs = ["0.0.0.0/0"]), "DH010 module.cluster_eks: public endpoint open to 0.0.0.0/0"],
    ["DH012", (tf) => editValues(tf, "jupyterhub_chart_release", (v) => (v.hub.db.pvc.storageClassName = "gp3")), "DH012 helm_release.jupyterhub_chart_release:hub.db: storage class gp3 does not retain"],
    ["DH013", (tf) => editValues(tf, "isolation_policies_release", (v) => (v.manifests = v.manifests.filter((m: Rec) => m.kind !== "AdminNetworkPolicy"))), "DH013 helm_release.isolation_policies_release: no AdminNetworkPolicy keeps every pod off the NFS servers"],
    ["DH013", (tf) => editValues(tf, "storage_dandi_server_release", (v) => (v.nfsServer.allowedClients = ["10.1.0.0/16"])), "DH013 helm_release.storage_dandi_server_release: NFS allow-list admits 10.1.0.0/16"],
    [
      "DH013",
      (tf) =>
        editValues(tf, "isolation_policies_release", (v) => {
          const nfs = v.manifests.find((m: Rec) => m.metadata.namespace === "storage-dandi" && m.metadata.name === "dandihub-nfs-server");
          nfs.spec.ingress[0].from = [{ ipBlock: { cidr: "10.1.0.0/16" } }];
        }),
      "DH013 helm_release.isolation_policies_release:NetworkPolicy/dandihub-nfs-server: NFS ports open to 10.1.0.0/16",
    ],
    ["DH014", (tf) => delete tf.resource.aws_ebs_volume.storage_bican_volume.tags["dandihub:group"], "DH014 aws_ebs_volume.storage_bican_volume: no dandihub:group tag"],
  ];
  for (const [id, mutate, expected] of cases) {
    it(`${id}: ${expected.split(": ")[1] ?? expected}`, () => {
      const found = findingsAfter(mutate);
      expect(found.some((f) => f.startsWith(expected)), found.join("\n")).toBe(true);
      expect(found.every((f) => f.startsWith(id))).toBe(true);
    });
  }

  it("DH015: a re-pushed tag in a deployment that does not waive it", () => {
    const found = findingsAfter(
      (tf) =>
        editValues(tf, "jupyterhub_chart_release", (v) => {
          v.prePuller.extraImages.scipy.tag = "latest";
        }),
      VARIANTS.minimal(),
    );
    expect(found).toEqual(["DH015 helm_release.jupyterhub_chart_release:prePuller.extraImages.scipy: quay.io/jupyter/scipy-notebook:latest: a re-pushed tag and no digest"]);
  });

  it("covers every rule (policy-rules.test.ts checks each rule's wording and its row in help/security.md)", () => {
    // DH006's literal scan, DH011 and DH016 have their own tests below; DH015 the one above; DH017 policy-mutations.
    expect(new Set([...cases.map(([id]) => id), "DH006", "DH011", "DH015", "DH016", "DH017", "DH018"])).toEqual(new Set(RULES.map((r) => r.id)));
  });

  it("DH016: an archive asked by search fails a production synth, passes in development", () => {
    const archive = "auth:\n  admins: [admin]\n  github:\n    clientId: Ov23liTestExample\n    clientSecret:\n      variable: github_client_secret\n    organizations: [example]\n  archives:\n    - name: dandi\n      displayName: DANDI\n      api: https://api.dandiarchive.org\n      web: https://dandiarchive.org\n      token: { variable: dandi_api_token }\n      check: search";
    const prod = synth(minimalYaml({ auth: archive }), { name: "search-prod" });
    expect(checkPolicy(prod.config, prod.text).violations.map((v) => `${v.rule.id} ${v.address}`)).toEqual([`DH016 helm_release.jupyterhub_chart_release:dandihub-settings.archives.dandi`]);
    const listed = synth(minimalYaml({ auth: archive.replace("check: search", "check: list") }), { name: "list-prod" });
    expect(checkPolicy(listed.config, listed.text).violations).toEqual([]);
  });

  it("DH006 finds a token pasted into the deployment file, in the Helm values it lands in", () => {
    // In env the loader refuses it already (bad-input/secret-in-group-env.yaml); a description is not checked there.
    const yaml = minimalYaml().replace("displayName: Small", `displayName: Small\n    description: our token ghp_${"a1B2c3D4e5".repeat(4)}`);
    const s = synth(yaml, { name: "leaky" });
    const found = checkPolicy(s.config, s.text).violations;
    expect(found.map((f) => f.rule.id)).toContain("DH006");
    expect(found.find((f) => f.rule.id === "DH006")!.detail).toBe("GitHub token (value not shown)");
    expect(found.find((f) => f.rule.id === "DH006")!.address).toMatch(/^helm_release\.jupyterhub_chart_release:hub\.extraFiles\.dandihub-settings\.stringData\..*description$/);
  });

  it("DH011: a hub with no named admin", () => {
    const yaml = minimalYaml().replace("  admins: [admin]\n", "");
    const s = synth(yaml, { name: "noadmin" });
    expect(checkPolicy(s.config, s.text).violations.map((v) => v.rule.id)).toEqual(["DH011"]);
  });

  it("storage.allowDestroy is the documented switch for DH007's destroy guard", () => {
    const s = VARIANTS["dev-dummy-cloud"]();
    expect(s.config.storage.allowDestroy).toBe(true);
    expect(checkPolicy(s.config, s.text).violations).toEqual([]);
  });
});

describe("least privilege for user servers", () => {
  it("a group reads the buckets it lists and no other group does; nothing account-wide", () => {
    const { tf, config } = dandi();
    const statements = (g: string) => (tf.module[`user-access_${g}-role`] as Rec).policy_statements as Rec[];
    expect(statements("dandi").filter((s) => s.sid.includes("ReadBuckets"))).toEqual([
      { sid: "ListReadBuckets", actions: ["s3:ListBucket", "s3:GetBucketLocation"], resources: ["arn:aws:s3:::dandiarchive"] },
      { sid: "ReadReadBuckets", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::dandiarchive/*"] },
    ]);
    for (const g of config.groups.filter((x) => x.key !== "dandi")) expect(JSON.stringify(statements(g.key))).not.toContain("dandiarchive");
    for (const g of config.groups) for (const s of statements(g.key)) expect(s.resources).not.toContain("*");
  });
});

describe("waivers", () => {
  const open = minimalYaml({ cluster: "cluster:\n  admins: ['arn:aws:iam::123456789012:role/dandihub-deploy']\n  endpointPublicAccessCidrs: [0.0.0.0/0]" });

  it("a waiver with a reason turns a violation into a printed note", () => {
    const waived = synth(open + "policy:\n  waivers:\n    - rule: DH010\n      address: module.cluster_eks\n      reason: Operators deploy from home networks and Terraform Cloud; the API still needs IAM.\n", { name: "waived" });
    const result = checkPolicy(waived.config, waived.text);
    expect(result.violations).toEqual([]);
    const { errors, notes } = formatPolicy(waived.config, result);
    expect(errors).toBe("");
    expect(notes).toContain("policy DH010 waived at module.cluster_eks: public endpoint open to 0.0.0.0/0 (reason: Operators deploy");
  });

  it("without one the same file fails; a waiver matching nothing is an error too", () => {
    const failing = synth(open, { name: "open" });
    expect(formatPolicy(failing.config, checkPolicy(failing.config, failing.text)).errors).toContain("policy DH010 (Kubernetes API restricted) at module.cluster_eks");
    const stale = synth(minimalYaml() + "policy:\n  waivers:\n    - rule: DH003\n      address: helm_release.x*\n      reason: left over from an old experiment with FUSE mounts\n", { name: "stale" });
    expect(formatPolicy(stale.config, checkPolicy(stale.config, stale.text)).errors).toContain("policy.waivers[0]: waiver of DH003 at helm_release.x* matches nothing; remove it");
  });
});

describe("bad input: every broken file is refused with file:line, field and fix", () => {
  const dir = join(ROOT, "__tests__", "bad-input");
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();

  it("the corpus covers the kinds of mistakes people make", () => {
    for (const kind of ["wrong-type", "unknown-key", "missing-auth-secret", "overlapping-cidrs", "unknown-instance-type", "profile-too-large", "bad-quantity-unit", "duplicate-group", "yaml-syntax"]) expect(files).toContain(`${kind}.yaml`);
  });

  for (const f of files) {
    it(f, () => {
      const path = join(dir, f);
      const text = readFileSync(path, "utf8");
      const expects = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]);
      expect(expects.length).toBeGreaterThan(0);
      let err: unknown;
      try {
        loadDeployment(path);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const out = (err as ConfigError).format();
      for (const e of expects) expect(out).toContain(e);
      expect(out).toMatch(new RegExp(`${f.replace(".", "\\.")}:\\d+:\\d+  `));
    });
  }

  it("through main.ts: exit 1, every file's problems, no stack trace, no secret echoed, nothing written", () => {
    const out = join(mkdtempSync(join(tmpdir(), "dandihub-bad-")), "cdktf.out");
    const r = spawnSync(process.execPath, [...TS_NODE_ARGS, "main.ts", ...files.map((f) => join("__tests__", "bad-input", f))], {
      cwd: ROOT,
      env: { ...process.env, CDKTF_OUTDIR: out },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    for (const f of files) expect(r.stderr).toContain(`${f}: `);
    expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    expect(r.stderr).not.toContain("4f1c0ffee0ddba11deadbeef");
    expect(existsSync(out)).toBe(false);
  });

  it("a policy failure through main.ts: exit 1, the rule, the address and the fix, nothing written", () => {
    const dir2 = mkdtempSync(join(tmpdir(), "dandihub-policy-"));
    const file = join(dir2, "open.yaml");
    writeFileSync(file, minimalYaml({ cluster: "cluster:\n  admins: ['arn:aws:iam::123456789012:role/dandihub-deploy']\n  endpointPublicAccessCidrs: [0.0.0.0/0]" }));
    const out = join(dir2, "cdktf.out");
    const r = spawnSync(process.execPath, [...TS_NODE_ARGS, "main.ts", file], { cwd: ROOT, env: { ...process.env, CDKTF_OUTDIR: out }, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file}: 1 policy problem(s); nothing was synthesized.`);
    expect(r.stderr).toContain("policy DH010 (Kubernetes API restricted) at module.cluster_eks: public endpoint open to 0.0.0.0/0");
    // The field that caused it, where it is written.
    const line = minimalYaml({ cluster: "cluster:\n  admins: ['arn:aws:iam::123456789012:role/dandihub-deploy']\n  endpointPublicAccessCidrs: [0.0.0.0/0]" }).split("\n").findIndex((l) => l.includes("endpointPublicAccessCidrs")) + 1;
    expect(r.stderr).toContain(`${file}:${line}:3  cluster.endpointPublicAccessCidrs: policy DH010`);
    expect(r.stderr).toContain("fix: List your operators'");
    expect(existsSync(out)).toBe(false);
  });
});

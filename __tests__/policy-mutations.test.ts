/**
 * The mutation corpus: for every policy rule, changes to a real synthesized deployment (its
 * decoded output, as the rules read it) that must each be refused, including every way past a
 * rule found when the policy met real configurations. A rule that checks a spelling instead of
 * the property fails here.
 */
import { describe, expect, it } from "vitest";
import type { HubConfig } from "../src/config/resolve";
import { RULES } from "../src/features/policy/rules";
import { policyView, type PolicyView } from "../src/features/policy/view";
import { synth, VARIANTS, type Synthesized } from "./helpers";

type Json = Record<string, any>;
interface Mutable {
  config: HubConfig;
  tf: Json;
  text: string;
  helm: Record<string, Json>;
}

const HUB = "helm_release.jupyterhub_chart_release";
const DASK = "helm_release.services_dask-gateway_release";

/** A fresh, mutable view of a synthesized deployment (parsed again each time). */
function fresh(s: Synthesized): Mutable {
  const v = policyView(structuredClone(s.config), s.text) as unknown as Mutable;
  return v;
}

const settingsOf = (v: Mutable): Json => JSON.parse(v.helm[HUB].hub.extraFiles["dandihub-settings"].stringData);
function editSettings(v: Mutable, edit: (settings: Json) => void): void {
  const s = settingsOf(v);
  edit(s);
  v.helm[HUB].hub.extraFiles["dandihub-settings"].stringData = JSON.stringify(s);
}
const manifestsOf = (v: Mutable, release: string): Json[] => v.helm[`helm_release.${release}`].manifests;
const userRole = (v: Mutable, group: string): Json[] => v.tf.module[`user-access_${group}-role`].policy_statements;

interface Mutation {
  readonly name: string;
  readonly mutate: (v: Mutable) => void;
  /** @default config/dandi.yaml */
  readonly on?: () => Synthesized;
}

const CORPUS: Record<string, Mutation[]> = {
  DH001: [
    { name: "an unencrypted group volume", mutate: (v) => (v.tf.resource.aws_ebs_volume.storage_dandi_volume.encrypted = false) },
    { name: "a bucket without default encryption", mutate: (v) => delete v.tf.resource.aws_s3_bucket_server_side_encryption_configuration["storage_dandi-bucket_encryption"] },
    { name: "a node class with a plain disk", mutate: (v) => (manifestsOf(v, "karpenter_pools_release").find((m) => m.kind === "EC2NodeClass")!.spec.blockDeviceMappings[0].ebs.encrypted = false) },
  ],
  DH002: [
    { name: "the cluster on public subnets", mutate: (v) => (v.tf.module.cluster_eks.subnet_ids = "${module.network_vpc.public_subnets}") },
    { name: "public IPs on launch", mutate: (v) => (v.tf.module.network_vpc.map_public_ip_on_launch = true) },
    { name: "a node class picking subnets by id", mutate: (v) => (manifestsOf(v, "karpenter_pools_release").find((m) => m.kind === "EC2NodeClass")!.spec.subnetSelectorTerms = [{ id: "subnet-123" }]) },
  ],
  DH003: [
    { name: "a root sidecar with NET_ADMIN", mutate: (v) => (v.helm[HUB].singleuser.extraContainers = [{ name: "vpn", image: "x:1", securityContext: { runAsUser: 0, capabilities: { add: ["NET_ADMIN"] } } }]) },
    { name: "a profile's sidecar with SYS_PTRACE", mutate: (v) => editSettings(v, (s) => (s.profiles[0].kubespawner_override.extra_containers = [{ name: "dbg", image: "x:1", securityContext: { capabilities: { add: ["SYS_PTRACE"] } } }])) },
    { name: "a privileged init container", mutate: (v) => (v.helm[HUB].singleuser.initContainers = [{ name: "init", image: "x:1", securityContext: { privileged: true } }]) },
    { name: "a privileged Dask worker", mutate: (v) => (v.helm[DASK].gateway.backend.worker = { extraContainerConfig: { securityContext: { privileged: true } } }) },
    { name: "a hostPath in a chart service", on: () => VARIANTS["chart-service"](), mutate: (v) => { const [a] = Object.keys(v.helm).filter((k) => k.startsWith("helm_release.services_")); v.helm[a].extraVolumes = [{ name: "h", hostPath: { path: "/" } }]; } },
    { name: "a profile running as root", mutate: (v) => editSettings(v, (s) => (s.profiles[0].kubespawner_override.uid = 0)) },
  ],
  DH004: [
    { name: "0.0.0.0/0 egress for user servers in z2jh values", mutate: (v) => (v.helm[HUB].singleuser.networkPolicy.egress = [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }]) },
    { name: "0.0.0.0/0 egress in a dandihub policy", mutate: (v) => manifestsOf(v, "isolation_policies_release").push({ kind: "NetworkPolicy", metadata: { name: "open", namespace: "jupyterhub" }, spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] } }) },
    { name: "hop limit 2 on a node class", mutate: (v) => (manifestsOf(v, "karpenter_pools_release").find((m) => m.kind === "EC2NodeClass")!.spec.metadataOptions.httpPutResponseHopLimit = 2) },
  ],
  DH005: [
    { name: "the vpc-cni add-on removed", mutate: (v) => delete v.tf.module.cluster_eks.addons["vpc-cni"] },
    { name: "Calico removed", mutate: (v) => delete v.tf.resource.helm_release.calico_operator_release },
    { name: "user servers' NetworkPolicy off", mutate: (v) => (v.helm[HUB].singleuser.networkPolicy.enabled = false) },
  ],
  DH006: [
    { name: "an AWS secret access key in a group's env", mutate: (v) => editSettings(v, (s) => (Object.values(s.groups as Json)[0].env = { AWS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" })) },
    { name: "a 40-hex token in a group's env", mutate: (v) => editSettings(v, (s) => (Object.values(s.groups as Json)[0].env = { ARCHIVE: "0123456789abcdef0123456789abcdef01234567" })) },
    { name: "a password in chart values", mutate: (v) => (v.helm[DASK].gateway.auth = { simple: { password: "correct-horse-battery" } }) },
    { name: "a clientSecret in chart values", mutate: (v) => (v.helm[HUB].hub.config.GitHubOAuthenticator.client_secret = "0a1b2c3d4e5f6a7b8c9d") },
    { name: "a GitHub token inside the escaped hub settings", mutate: (v) => editSettings(v, (s) => (s.note = `ghp_${"a1B2c3D4e5".repeat(4)}`)) },
    { name: "a literal value for a secret-named env variable", mutate: (v) => (v.helm[HUB].singleuser.extraEnv = { ARCHIVE_API_TOKEN: "plain-text-token" }) },
  ],
  DH007: [
    { name: "prevent_destroy dropped on a volume", mutate: (v) => delete v.tf.resource.aws_ebs_volume.storage_dandi_volume.lifecycle.prevent_destroy },
    { name: "a volume out of the backup plan", mutate: (v) => delete v.tf.resource.aws_ebs_volume.storage_linc_volume.tags["dandihub:backup"] },
    { name: "a bucket without a guard", mutate: (v) => delete v.tf.resource.aws_s3_bucket["storage_dandi-bucket_bucket"].lifecycle },
  ],
  DH008: [
    { name: "s3:Get* on every bucket's objects", mutate: (v) => userRole(v, "dandi").push({ sid: "x", actions: ["s3:Get*"], resources: ["arn:aws:s3:::*/*"] }) },
    { name: "another group's bucket", mutate: (v) => userRole(v, "dandi").push({ sid: "x", actions: ["s3:GetObject"], resources: ["${aws_s3_bucket.storage_linc-bucket_bucket.arn}/*"] }) },
    { name: "every action of a service", mutate: (v) => userRole(v, "linc").push({ sid: "x", actions: ["s3:*"], resources: ["arn:aws:s3:::dandiarchive"] }) },
    { name: "a bucket-name wildcard", mutate: (v) => userRole(v, "ember").push({ sid: "x", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::dandi-*/*"] }) },
  ],
  DH009: [
    { name: "proxy.https removed", mutate: (v) => delete v.helm[HUB].proxy.https },
    { name: "https off", mutate: (v) => (v.helm[HUB].proxy.https.enabled = false) },
    { name: "no certificate source", mutate: (v) => { v.helm[HUB].proxy.https = { enabled: true }; } },
  ],
  DH010: [
    { name: "0.0.0.0/1 and 128.0.0.0/1", mutate: (v) => (v.tf.module.cluster_eks.endpoint_public_access_cidrs = ["0.0.0.0/1", "128.0.0.0/1"]) },
    { name: "0.0.0.0/0", mutate: (v) => (v.tf.module.cluster_eks.endpoint_public_access_cidrs = ["0.0.0.0/0"]) },
    { name: "a /4", mutate: (v) => (v.tf.module.cluster_eks.endpoint_public_access_cidrs = ["18.0.0.0/9", "64.0.0.0/4"]) },
  ],
  DH011: [
    { name: "no admins in the file", mutate: (v) => ((v.config as Json).auth.admins = []) },
    { name: "no admin users in the hub's values", mutate: (v) => (v.helm[HUB].hub.config.Authenticator.admin_users = []) },
    { name: "the admin list removed from the values", mutate: (v) => delete v.helm[HUB].hub.config.Authenticator.admin_users },
  ],
  DH012: [
    { name: "hub.db removed", mutate: (v) => delete v.helm[HUB].hub.db },
    { name: "the database on the deleting class", mutate: (v) => (v.helm[HUB].hub.db.pvc.storageClassName = "gp3") },
    { name: "the retained class deletes", mutate: (v) => (Object.values(v.tf.resource.kubernetes_storage_class_v1 as Record<string, Json>).find((c) => c.metadata.name === "gp3-retain")!.reclaim_policy = "Delete") },
  ],
  DH013: [
    { name: "NFS allowlist *", mutate: (v) => (v.helm["helm_release.storage_dandi_server_release"].nfsServer.allowedClients = ["*"]) },
    {
      name: "NFS open to 0.0.0.0/0 by a policy",
      mutate: (v) => manifestsOf(v, "isolation_policies_release").push({ kind: "NetworkPolicy", metadata: { name: "open", namespace: "storage-dandi" }, spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: "nfs" }] }] } }),
    },
    { name: "the AdminNetworkPolicy removed", mutate: (v) => { const m = manifestsOf(v, "isolation_policies_release"); m.splice(m.findIndex((x) => x.kind === "AdminNetworkPolicy"), 1); } },
  ],
  DH014: [
    { name: "a volume without its group tag", mutate: (v) => delete v.tf.resource.aws_ebs_volume.storage_dandi_volume.tags["dandihub:group"] },
    { name: "a bucket without its group tag", mutate: (v) => delete v.tf.resource.aws_s3_bucket["storage_linc-bucket_bucket"].tags["dandihub:group"] },
    { name: "a node class without its group tag", mutate: (v) => delete manifestsOf(v, "karpenter_pools_release").find((m) => m.kind === "EC2NodeClass")!.spec.tags["dandihub:group"] },
  ],
  DH016: [
    { name: "the DANDI archive asked by search", mutate: (v) => editSettings(v, (s) => (s.archives[0].check = "search")) },
    { name: "every archive asked by search", mutate: (v) => editSettings(v, (s) => s.archives.forEach((a: Json) => (a.check = "search"))) },
    { name: "an archive with no way of asking", mutate: (v) => editSettings(v, (s) => delete s.archives[2].check) },
  ],
  DH017: [
    { name: "audit logs off", mutate: (v) => (v.tf.module.cluster_eks.enabled_log_types = ["api"]) },
    { name: "no control-plane logs at all", mutate: (v) => delete v.tf.module.cluster_eks.enabled_log_types },
    { name: "flow logs off", mutate: (v) => (v.tf.module.network_vpc.enable_flow_log = false) },
  ],
  DH018: [
    // Random text does not compress: what hundreds of distinct profiles and groups amount to.
    { name: "hub settings past 1 MiB", mutate: (v) => editSettings(v, (s) => (s.padding = randomText(900 * 1024))) },
    { name: "a ConfigMap past 1 MiB", mutate: (v) => manifestsOf(v, "storage-jobs_jobs_release").push({ kind: "ConfigMap", metadata: { name: "big" }, data: { a: randomText(1100 * 1024) } }) },
    { name: "a chart service's values past 1 MiB", on: () => VARIANTS["chart-service"](), mutate: (v) => { const [a] = Object.keys(v.helm).filter((k) => k.startsWith("helm_release.services_")); v.helm[a].blob = randomText(800 * 1024); } },
  ],
  DH015: [
    { name: "a job on python:latest", on: () => synth("config/minimal.yaml"), mutate: (v) => (manifestsOf(v, "storage-jobs_jobs_release").find((m) => m.kind === "CronJob")!.spec.jobTemplate.spec.template.spec.containers[0].image = "python:latest") },
    { name: "the default image re-tagged main", on: () => synth("config/minimal.yaml"), mutate: (v) => (v.helm[HUB].singleuser.image = { name: "quay.io/jupyter/base-notebook", tag: "main" }) },
    { name: "a profile image on latest", on: () => synth("config/minimal.yaml"), mutate: (v) => editSettings(v, (s) => (s.profiles[0].kubespawner_override.image = "quay.io/jupyter/base-notebook:latest")) },
  ],
};

/** Incompressible text of `n` characters (a fixed seed: the same every run). */
function randomText(n: number): string {
  let x = 12345;
  let out = "";
  while (out.length < n) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out += (x >>> 8).toString(36);
  }
  return out.slice(0, n);
}

const check = (id: string, v: Mutable) => RULES.find((r) => r.id === id)!.check(v as unknown as PolicyView);

describe("policy mutation corpus", () => {
  it("covers every rule with at least three mutations", () => {
    expect(Object.keys(CORPUS).sort()).toEqual(RULES.map((r) => r.id).sort());
    for (const [id, ms] of Object.entries(CORPUS)) expect(ms.length, id).toBeGreaterThanOrEqual(3);
  });

  for (const [id, mutations] of Object.entries(CORPUS)) {
    for (const m of mutations) {
      it(`${id} refuses ${m.name}`, () => {
        const s = (m.on ?? (() => synth("config/dandi.yaml")))();
        expect(check(id, fresh(s)), "the unmutated deployment passes").toEqual([]);
        const v = fresh(s);
        m.mutate(v);
        const found = check(id, v);
        expect(found.length, `${id} found nothing after: ${m.name}`).toBeGreaterThan(0);
      });
    }
  }

  it("a secret finding never shows any part of the value", () => {
    const v = fresh(synth("config/dandi.yaml"));
    const key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    editSettings(v, (s) => (Object.values(s.groups as Json)[0].env = { AWS_KEY: key, ID: "AKIAABCDEFGHIJKLMNOP" }));
    const text = JSON.stringify(check("DH006", v));
    for (const part of [key.slice(0, 4), "AKIA", "ABCDEFGH"]) expect(text).not.toContain(part);
    expect(text).toContain("AWS secret access key (value not shown)");
  });

  it("every rule passes on every shipped config and example", () => {
    for (const [name, s] of Object.entries(VARIANTS)) {
      const v = fresh(s());
      for (const r of RULES) if (r.id !== "DH015" || name !== "dandi") expect(check(r.id, v), `${r.id} on ${name}`).toEqual([]);
    }
  });
});

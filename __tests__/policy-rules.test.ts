/**
 * Each policy rule on a small stack built here (no synthesis): a stack shaped like the
 * synthesized one that passes every rule, and one change per finding, asserting the complete
 * list of violations so a rule that fires too eagerly fails as well as one that never fires.
 * policy.test.ts runs the same rules on the synthesized deployments.
 */
import { describe, expect, it } from "vitest";
import { loadDeployment } from "../src/config/load";
import type { HubConfig } from "../src/config/resolve";
import { RULES } from "../src/features/policy/rules";
import { checkPolicy, formatPolicy } from "../src/features/policy/run";
import { hubSettings, manifests, policyView, resources } from "../src/features/policy/view";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { minimalYaml, ROOT } from "./helpers";

type Rec = Record<string, any>;

const HUB = "helm_release.jupyterhub_chart_release";

/** cdktf writes each resource's construct path first; the DH006 scan locates findings by it. */
const meta = (id: string) => ({ "//": { metadata: { path: `testhub/${id}`, uniqueId: id } } });

function hubValues(): Rec {
  return {
    hub: {
      networkPolicy: { enabled: true },
      config: {
        Authenticator: { admin_users: ["admin"] },
        KubeSpawner: {
          pod_security_context: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          container_security_context: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
        },
      },
      db: { pvc: { storageClassName: "gp3-retain" } },
      extraFiles: {
        "dandihub-settings": {
          stringData: JSON.stringify({
            profiles: [{ slug: "small", kubespawner_override: { cpu_limit: 2 } }],
            groups: { team: { volumes: [{ name: "shared", nfs: { server: "10.0.0.1", path: "/" } }], volumeMounts: [{ name: "shared", mountPath: "/shared" }] } },
          }),
        },
      },
    },
    proxy: { https: { enabled: true, type: "letsencrypt", hosts: ["hub.example.org"], letsencrypt: { contactEmail: "a@example.org" } }, chp: { networkPolicy: { enabled: true } } },
    singleuser: { uid: 1000, allowPrivilegeEscalation: false, networkPolicy: { enabled: true, egressAllowRules: { cloudMetadataServer: false, dnsPortsCloudMetadataServer: false, privateIPs: false } } },
  };
}

/** Default denies, the NFS server's policy (nodes only) and the AdminNetworkPolicy, as features/isolation makes them. */
function isolationManifests(): Rec[] {
  const deny = (namespace: string) => ({ kind: "NetworkPolicy", metadata: { name: "dandihub-default-deny", namespace }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
  return [
    deny("jupyterhub"),
    deny("storage-team"),
    {
      kind: "NetworkPolicy",
      metadata: { name: "dandihub-nfs-server", namespace: "storage-team" },
      spec: {
        podSelector: { matchLabels: { app: "nfs-server" } },
        policyTypes: ["Ingress"],
        ingress: [
          { from: [{ ipBlock: { cidr: "10.1.0.0/19" } }, { ipBlock: { cidr: "10.1.32.0/19" } }], ports: [{ port: 2049, protocol: "TCP" }] },
          { from: [{ namespaceSelector: {}, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }], ports: [{ port: 9100, protocol: "TCP" }] },
        ],
      },
    },
    {
      kind: "NetworkPolicy",
      metadata: { name: "dandihub-scraper", namespace: "jupyterhub" },
      spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "169.254.0.0/16"] } }] }] },
    },
    {
      kind: "AdminNetworkPolicy",
      metadata: { name: "dandihub-nfs-servers" },
      spec: {
        priority: 10,
        subject: { namespaces: { matchLabels: { "dandihub.org/role": "nfs-server" } } },
        ingress: [{ name: "no-pod-mounts", action: "Deny", from: [{ namespaces: {} }], ports: [{ portNumber: { protocol: "TCP", port: 2049 } }] }],
      },
    },
  ];
}

const isolation = (tf: Rec): Rec[] => tf.resource.helm_release.isolation_policies_release.values.manifests;
const nfsPolicy = (tf: Rec): Rec => isolation(tf).find((m) => m.metadata.name === "dandihub-nfs-server")!;

function nodeClass(name: string): Rec {
  return {
    apiVersion: "karpenter.k8s.aws/v1",
    kind: "EC2NodeClass",
    metadata: { name },
    spec: {
      subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "testhub" } }],
      metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: true } }],
      tags: { "dandihub:group": "team" },
    },
  };
}

/** A stack that passes every rule. Helm values are objects here; `view` serializes them. */
function stack(): Rec {
  return {
    variable: { github_client_secret: { sensitive: true, type: "string" } },
    module: {
      cluster_eks: {
        ...meta("cluster_eks"),
        subnet_ids: "${module.network_vpc.private_subnets}",
        encryption_config: { resources: ["secrets"] },
        endpoint_public_access: true,
        endpoint_public_access_cidrs: ["203.0.113.0/24"],
        enabled_log_types: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        addons: { "vpc-cni": { configuration_values: JSON.stringify({ enableNetworkPolicy: "false", env: { ANNOTATE_POD_IP: "true" } }) } },
        eks_managed_node_groups: {
          core: { block_device_mappings: { xvda: { ebs: { encrypted: true } } }, metadata_options: { http_tokens: "required", http_put_response_hop_limit: 1 } },
        },
      },
      network_vpc: { ...meta("network_vpc"), private_subnets: ["10.1.0.0/19", "10.1.32.0/19"], map_public_ip_on_launch: false, enable_flow_log: true, flow_log_traffic_type: "REJECT", private_subnet_tags: { "karpenter.sh/discovery": "testhub" }, public_subnet_tags: { "kubernetes.io/role/elb": "1" } },
      "user-access_team-role": { policy_statements: [{ sid: "OwnBucket", actions: ["s3:GetObject", "s3:PutObject"], resources: ["arn:aws:s3:::team-scratch/*"] }] },
      "services_dask-role": { policy_statements: [{ sid: "Logs", actions: ["logs:PutLogEvents"], resources: ["arn:aws:logs:us-east-1:1:log-group:x"] }] },
      other_role: { policy_statements: [{ sid: "Admin", actions: ["*"], resources: ["*"] }] },
    },
    resource: {
      aws_ebs_volume: { storage_team_volume: { ...meta("storage_team_volume"), encrypted: true, lifecycle: { prevent_destroy: true }, tags: { "dandihub:group": "team", "dandihub:backup": "daily" } } },
      aws_efs_file_system: { storage_efs: { encrypted: true, lifecycle: { prevent_destroy: true }, tags: { "dandihub:group": "team", "dandihub:backup": "daily" } } },
      aws_s3_bucket: { "storage_team-bucket_bucket": { lifecycle: { prevent_destroy: true }, tags: { "dandihub:group": "team" } } },
      aws_s3_bucket_server_side_encryption_configuration: { "storage_team-bucket_encryption": { bucket: "${aws_s3_bucket.storage_team-bucket_bucket.id}" } },
      aws_backup_vault: { backup_vault: { lifecycle: { prevent_destroy: true } } },
      aws_backup_selection: { backup_selection: { selection_tag: [{ type: "STRINGEQUALS", key: "dandihub:backup", value: "daily" }] } },
      aws_sns_topic: { budget_topic: { kms_master_key_id: "alias/aws/sns" } },
      kubernetes_storage_class_v1: {
        retained: { metadata: { name: "gp3-retain" }, parameters: { encrypted: "true" }, reclaim_policy: "Retain" },
        scratch: { metadata: { name: "gp3" }, parameters: { encrypted: "true" }, reclaim_policy: "Delete" },
      },
      kubernetes_namespace_v1: {
        "hub-namespace": { metadata: { name: "jupyterhub" } },
        storage_team_namespace: { metadata: { name: "storage-team", labels: { "dandihub.org/role": "nfs-server" } } },
      },
      helm_release: {
        jupyterhub_chart_release: { ...meta("jupyterhub_chart_release"), values: hubValues() },
        karpenter_pools_release: { values: { manifests: [nodeClass("team-cpu-spot"), { kind: "NodePool", metadata: { name: "team-cpu-spot" }, spec: {} }] } },
        storage_team_server_release: { namespace: "storage-team", values: { nfsServer: { enableClientAllowlist: true, allowedClients: ["10.1.0.0/19", "10.1.32.0/19"] } } },
        calico_operator_release: { chart: "tigera-operator", values: { installation: { enabled: true, kubernetesProvider: "EKS", cni: { type: "AmazonVPC" } } } },
        isolation_policies_release: { values: { manifests: isolationManifests() } },
        monitoring_release: {},
      },
    },
  };
}

let loaded: HubConfig | undefined;
/** A real resolved config (minimal.yaml's shape), with `edit` applied. */
function config(edit: (c: Rec) => void = () => {}): HubConfig {
  loaded ??= loadDeployment("config/testhub.yaml", minimalYaml());
  const c = structuredClone(loaded) as Rec;
  c.storage.mode = "home-nfs";
  c.storage.allowDestroy = false;
  edit(c);
  return c as HubConfig;
}

/** The stack as cdk.tf.json text: Helm values serialized like the constructs do (`${` escaped). */
function text(tf: Rec): string {
  const copy = structuredClone(tf);
  for (const r of Object.values((copy.resource?.helm_release ?? {}) as Record<string, Rec>)) {
    if (r.values) r.values = [JSON.stringify(r.values).replaceAll("${", "$${")];
  }
  return JSON.stringify(copy, null, 2);
}

function violations(edit: (tf: Rec) => void = () => {}, c: HubConfig = config()): string[] {
  const tf = stack();
  edit(tf);
  return checkPolicy(c, text(tf)).violations.map((v) => `${v.rule.id} ${v.address}: ${v.detail}`);
}

const hub = (tf: Rec) => tf.resource.helm_release.jupyterhub_chart_release.values;
/** Sets the first profile's image in the hub's settings file (JSON inside the values). */
function menuImage(tf: Rec, image: string): void {
  const file = hub(tf).hub.extraFiles["dandihub-settings"];
  const settings = JSON.parse(file.stringData);
  settings.profiles[0].kubespawner_override.image = image;
  file.stringData = JSON.stringify(settings);
}
const settingsOf = (tf: Rec) => JSON.parse(hub(tf).hub.extraFiles["dandihub-settings"].stringData);
function editSettings(tf: Rec, edit: (s: Rec) => void): void {
  const s = settingsOf(tf);
  edit(s);
  hub(tf).hub.extraFiles["dandihub-settings"].stringData = JSON.stringify(s);
}

describe("the stack built here", () => {
  it("passes every rule", () => {
    expect(violations()).toEqual([]);
  });

  it("is read as the rules see it: Helm values unescaped, manifests and hub settings addressed", () => {
    const view = policyView(config(), text(stack()));
    expect(Object.keys(view.helm).sort()).toEqual(["helm_release.calico_operator_release", "helm_release.isolation_policies_release", HUB, "helm_release.karpenter_pools_release", "helm_release.storage_team_server_release"]);
    expect(manifests(view).map(([a]) => a).filter((a) => a.includes("karpenter"))).toEqual(["helm_release.karpenter_pools_release:EC2NodeClass/team-cpu-spot", "helm_release.karpenter_pools_release:NodePool/team-cpu-spot"]);
    expect(hubSettings(view)?.profiles[0].slug).toBe("small");
    expect(resources(view, "aws_sns_topic")).toEqual([["aws_sns_topic.budget_topic", { kms_master_key_id: "alias/aws/sns" }]]);
    expect(resources(view, "aws_instance")).toEqual([]);
    // `${` in a value is what Helm gets back, not the Terraform escape.
    const tf = stack();
    hub(tf).hub.extraEnv = { X: "${literal}" };
    expect(policyView(config(), text(tf)).helm[HUB].hub.extraEnv.X).toBe("${literal}");
    expect(hubSettings(policyView(config(), JSON.stringify({ resource: {} })))).toBeUndefined();
  });
});

describe("each finding, and nothing else", () => {
  const cases: [string, (tf: Rec) => void, string[]][] = [
    // DH001
    ["EBS volume", (tf) => (tf.resource.aws_ebs_volume.storage_team_volume.encrypted = false), ["DH001 aws_ebs_volume.storage_team_volume: EBS volume not encrypted"]],
    ["EFS", (tf) => delete tf.resource.aws_efs_file_system.storage_efs.encrypted, ["DH001 aws_efs_file_system.storage_efs: EFS file system not encrypted"]],
    ["bucket", (tf) => (tf.resource.aws_s3_bucket_server_side_encryption_configuration = {}), ["DH001 aws_s3_bucket.storage_team-bucket_bucket: bucket without default encryption"]],
    ["bucket encryption of another bucket", (tf) => (tf.resource.aws_s3_bucket_server_side_encryption_configuration["storage_team-bucket_encryption"].bucket = "${aws_s3_bucket.other.id}"), ["DH001 aws_s3_bucket.storage_team-bucket_bucket: bucket without default encryption"]],
    ["storage class", (tf) => (tf.resource.kubernetes_storage_class_v1.scratch.parameters.encrypted = "false"), ["DH001 kubernetes_storage_class_v1.scratch: storage class does not encrypt volumes"]],
    ["SNS topic", (tf) => delete tf.resource.aws_sns_topic.budget_topic.kms_master_key_id, ["DH001 aws_sns_topic.budget_topic: SNS topic without KMS encryption"]],
    ["secrets envelope", (tf) => (tf.module.cluster_eks.encryption_config = {}), ["DH001 module.cluster_eks: Kubernetes secrets not envelope-encrypted with KMS"]],
    ["core node disk", (tf) => (tf.module.cluster_eks.eks_managed_node_groups.core.block_device_mappings.xvda.ebs.encrypted = false), ["DH001 module.cluster_eks:node-group/core: node disk not encrypted"]],
    ["Karpenter node disk", (tf) => delete tf.resource.helm_release.karpenter_pools_release.values.manifests[0].spec.blockDeviceMappings[0].ebs.encrypted, ["DH001 helm_release.karpenter_pools_release:EC2NodeClass/team-cpu-spot: node disk not encrypted"]],
    // DH002
    ["public subnets for the cluster", (tf) => (tf.module.cluster_eks.subnet_ids = "${module.network_vpc.public_subnets}"), ['DH002 module.cluster_eks: subnet_ids = "${module.network_vpc.public_subnets}", not the private subnets']],
    ["public IPs", (tf) => delete tf.module.network_vpc.map_public_ip_on_launch, ["DH002 module.network_vpc: public subnets hand out public IPs to instances"]],
    ["no discovery tag", (tf) => (tf.module.network_vpc.private_subnet_tags = { "karpenter.sh/discovery-x": "testhub" }), ["DH002 module.network_vpc: private subnets lack the Karpenter discovery tag"]],
    ["discovery tag on public subnets", (tf) => (tf.module.network_vpc.public_subnet_tags["karpenter.sh/discovery"] = "testhub"), ["DH002 module.network_vpc: public subnets carry the Karpenter discovery tag: nodes could land there"]],
    ["subnets by id", (tf) => (tf.resource.helm_release.karpenter_pools_release.values.manifests[0].spec.subnetSelectorTerms = [{ tags: { "karpenter.sh/discovery": "testhub" } }, { id: "subnet-1" }]), ["DH002 helm_release.karpenter_pools_release:EC2NodeClass/team-cpu-spot: subnets not selected by the private-only discovery tag"]],
    ["no subnet terms", (tf) => (tf.resource.helm_release.karpenter_pools_release.values.manifests[0].spec.subnetSelectorTerms = []), ["DH002 helm_release.karpenter_pools_release:EC2NodeClass/team-cpu-spot: subnets not selected by the private-only discovery tag"]],
    // DH003
    ["privilege escalation default", (tf) => delete hub(tf).singleuser.allowPrivilegeEscalation, [`DH003 ${HUB}:singleuser: allowPrivilegeEscalation is not false`]],
    ["user servers without seccomp", (tf) => delete hub(tf).hub.config.KubeSpawner.pod_security_context.seccompProfile, [`DH003 ${HUB}:hub.config.KubeSpawner: user servers do not run Pod Security's restricted profile`]],
    ["user servers keeping capabilities", (tf) => (hub(tf).hub.config.KubeSpawner.container_security_context.capabilities = { drop: ["NET_RAW"] }), [`DH003 ${HUB}:hub.config.KubeSpawner: user servers do not run Pod Security's restricted profile`]],
    ["user servers adding a capability", (tf) => (hub(tf).hub.config.KubeSpawner.container_security_context.capabilities.add = ["NET_ADMIN"]), [`DH003 ${HUB}:hub.config.KubeSpawner: user servers do not run Pod Security's restricted profile`]],
    ["user servers as root", (tf) => (hub(tf).singleuser.uid = 0), [`DH003 ${HUB}:hub.config.KubeSpawner: user servers do not run Pod Security's restricted profile`, `DH003 ${HUB}:singleuser: runs as root (uid 0)`]],
    ["user servers may be root", (tf) => { delete hub(tf).hub.config.KubeSpawner.pod_security_context.runAsNonRoot; delete hub(tf).hub.config.KubeSpawner.container_security_context.runAsNonRoot; }, [`DH003 ${HUB}:hub.config.KubeSpawner: user servers do not run Pod Security's restricted profile`]],
    ["user servers escalating", (tf) => delete hub(tf).hub.config.KubeSpawner.container_security_context.allowPrivilegeEscalation, [`DH003 ${HUB}:hub.config.KubeSpawner: user servers do not run Pod Security's restricted profile`]],
    ["privileged singleuser", (tf) => (hub(tf).singleuser.extraContainerConfig = { securityContext: { privileged: true } }), [`DH003 ${HUB}:singleuser: privileged container`]],
    ["escalation in a profile", (tf) => editSettings(tf, (s) => (s.profiles[0].kubespawner_override.container_security_context = { allowPrivilegeEscalation: true })), [`DH003 ${HUB}:profile/small: privilege escalation allowed`]],
    ["host path in a group", (tf) => editSettings(tf, (s) => s.groups.team.volumes.push({ name: "docker", hostPath: { path: "/var/run/docker.sock" } })), [`DH003 ${HUB}:group/team: host path volume`]],
    ["FUSE in a profile", (tf) => editSettings(tf, (s) => (s.profiles[0].kubespawner_override.extra_container_config = { securityContext: { capabilities: { add: ["SYS_ADMIN"] } } })), [`DH003 ${HUB}:profile/small: adds capabilities SYS_ADMIN (FUSE needs it: opt in by a waiver)`]],
    ["/dev/fuse in a group", (tf) => editSettings(tf, (s) => s.groups.team.volumeMounts.push({ name: "fuse", mountPath: "/dev/fuse" })), [`DH003 ${HUB}:group/team: FUSE (/dev/fuse)`]],
    ["host network", (tf) => (hub(tf).singleuser.extraPodConfig = { hostNetwork: true }), [`DH003 ${HUB}:singleuser: host namespaces`]],
    ["host PID", (tf) => editSettings(tf, (s) => (s.profiles[0].kubespawner_override.extra_pod_config = { hostPID: true })), [`DH003 ${HUB}:profile/small: host namespaces`]],
    ["host_path in a profile", (tf) => editSettings(tf, (s) => (s.profiles[0].kubespawner_override.volumes = [{ name: "x", host_path: { path: "/" } }])), [`DH003 ${HUB}:profile/small: host path volume`]],
    // DH004
    ["core nodes without IMDSv2", (tf) => (tf.module.cluster_eks.eks_managed_node_groups.core.metadata_options.http_tokens = "optional"), ["DH004 module.cluster_eks:node-group/core: IMDSv2 with hop limit 1 not enforced"]],
    ["core nodes two hops", (tf) => (tf.module.cluster_eks.eks_managed_node_groups.core.metadata_options.http_put_response_hop_limit = 2), ["DH004 module.cluster_eks:node-group/core: IMDSv2 with hop limit 1 not enforced"]],
    ["Karpenter nodes without IMDSv2", (tf) => (tf.resource.helm_release.karpenter_pools_release.values.manifests[0].spec.metadataOptions.httpTokens = "optional"), ["DH004 helm_release.karpenter_pools_release:EC2NodeClass/team-cpu-spot: IMDSv2 with hop limit 1 not enforced"]],
    ["Karpenter nodes two hops", (tf) => (tf.resource.helm_release.karpenter_pools_release.values.manifests[0].spec.metadataOptions.httpPutResponseHopLimit = 2), ["DH004 helm_release.karpenter_pools_release:EC2NodeClass/team-cpu-spot: IMDSv2 with hop limit 1 not enforced"]],
    ["metadata server allowed", (tf) => (hub(tf).singleuser.networkPolicy.egressAllowRules.cloudMetadataServer = true), [`DH004 ${HUB}:singleuser.networkPolicy: user pods' NetworkPolicy off or allowing the metadata server`]],
    ["metadata server for DNS", (tf) => delete hub(tf).singleuser.networkPolicy.egressAllowRules.dnsPortsCloudMetadataServer, [`DH004 ${HUB}:singleuser.networkPolicy: user pods' NetworkPolicy off or allowing the metadata server`]],
    ["a dandihub policy open to link-local addresses", (tf) => (isolation(tf)[3].spec.egress[0].to[0].ipBlock.except = ["10.0.0.0/8"]), ["DH004 helm_release.isolation_policies_release:NetworkPolicy/dandihub-scraper: egress to the metadata server allowed"]],
    ["a Terraform policy allowing the metadata server", (tf) => (tf.resource.kubernetes_network_policy_v1 = { x: { metadata: { name: "x", namespace: "default" }, spec: { egress: [{ to: [{ ipBlock: { cidr: "169.254.169.254/32" } }] }] } } }), ["DH004 kubernetes_network_policy_v1.x: egress to the metadata server allowed"]],
    // DH004 and DH005 both need the user pods' policy on.
    [
      "user pods' policy off",
      (tf) => (hub(tf).singleuser.networkPolicy.enabled = false),
      [`DH004 ${HUB}:singleuser.networkPolicy: user pods' NetworkPolicy off or allowing the metadata server`, `DH005 ${HUB}:singleuser.networkPolicy: NetworkPolicy off`],
    ],
    // DH005
    ["VPC CNI enforcing too", (tf) => (tf.module.cluster_eks.addons["vpc-cni"].configuration_values = JSON.stringify({ enableNetworkPolicy: "true" })), ["DH005 module.cluster_eks:addon/vpc-cni: the VPC CNI enforces policy too: two enforcers on the same pods"]],
    ["CNI without configuration", (tf) => delete tf.module.cluster_eks.addons["vpc-cni"].configuration_values, []],
    ["no Calico", (tf) => delete tf.resource.helm_release.calico_operator_release, ["DH005 helm_release: no Calico (tigera-operator): nothing enforces NetworkPolicy on user servers"]],
    ["Calico with its own CNI", (tf) => (tf.resource.helm_release.calico_operator_release.values.installation.cni.type = "Calico"), ["DH005 helm_release.calico_operator_release: Calico's Installation is not policy-only on EKS's AmazonVPC CNI"]],
    ["Calico without an Installation", (tf) => (tf.resource.helm_release.calico_operator_release.values.installation.enabled = false), ["DH005 helm_release.calico_operator_release: Calico's Installation is not policy-only on EKS's AmazonVPC CNI"]],
    ["Calico not for EKS", (tf) => delete tf.resource.helm_release.calico_operator_release.values.installation.kubernetesProvider, ["DH005 helm_release.calico_operator_release: Calico's Installation is not policy-only on EKS's AmazonVPC CNI"]],
    ["a namespace without a default deny", (tf) => tf.resource.helm_release.isolation_policies_release.values.manifests.shift(), ["DH005 kubernetes_namespace_v1:jupyterhub: no default deny (ingress and egress) in this namespace"]],
    ["a default deny of ingress only", (tf) => (isolation(tf)[1].spec.policyTypes = ["Ingress"]), ["DH005 kubernetes_namespace_v1:storage-team: no default deny (ingress and egress) in this namespace"]],
    ["a 'default deny' that selects some pods", (tf) => (isolation(tf)[0].spec.podSelector = { matchLabels: { a: "b" } }), ["DH005 kubernetes_namespace_v1:jupyterhub: no default deny (ingress and egress) in this namespace"]],
    ["a 'default deny' that allows", (tf) => (isolation(tf)[0].spec.ingress = [{}]), ["DH005 kubernetes_namespace_v1:jupyterhub: no default deny (ingress and egress) in this namespace"]],
    ["hub policy off", (tf) => (hub(tf).hub.networkPolicy.enabled = false), [`DH005 ${HUB}:hub.networkPolicy: NetworkPolicy off`]],
    ["proxy policy off", (tf) => delete hub(tf).proxy.chp, [`DH005 ${HUB}:proxy.chp.networkPolicy: NetworkPolicy off`]],
    ["private addresses", (tf) => delete hub(tf).singleuser.networkPolicy.egressAllowRules.privateIPs, [`DH005 ${HUB}:singleuser.networkPolicy: user pods may reach private addresses (other pods, storage servers)`]],
    // DH006
    ["variable not sensitive", (tf) => (tf.variable.github_client_secret.sensitive = "true"), ["DH006 var.github_client_secret: variable not marked sensitive"]],
    ["AWS key in a tag", (tf) => (tf.resource.aws_ebs_volume.storage_team_volume.tags.note = "AKIAABCDEFGHIJKLMNOP"), ["DH006 aws_ebs_volume.storage_team_volume:tags.note: AWS access key id (value not shown)"]],
    ["session key in a module", (tf) => (tf.module.network_vpc.tags = { k: "ASIAABCDEFGHIJKLMNOP" }), ["DH006 module.network_vpc:tags.k: AWS access key id (value not shown)"]],
    ["GitHub token in the hub values", (tf) => (hub(tf).hub.extraEnv = { T: `ghp_${"a1B2c3D4e5".repeat(4)}` }), [`DH006 ${HUB}:hub.extraEnv.T: GitHub token (value not shown)`]],
    ["fine-grained GitHub token", (tf) => (hub(tf).hub.extraEnv = { T: `github_pat_${"a1B2c3D4e5".repeat(5)}` }), [`DH006 ${HUB}:hub.extraEnv.T: GitHub token (value not shown)`]],
    ["private key", (tf) => (tf.module.cluster_eks.note = "-----BEGIN RSA PRIVATE KEY-----"), ["DH006 module.cluster_eks:note: private key (value not shown)"]],
    ["Slack token", (tf) => (tf.module.cluster_eks.note = "xoxb-1234567890-abc"), ["DH006 module.cluster_eks:note: Slack token (value not shown)"]],
    ["literal client secret", (tf) => (tf.module.cluster_eks.client_secret = "hunter2hunter2"), ["DH006 module.cluster_eks:client_secret: a literal value in a secret-named field (value not shown)"]],
    ["before any resource", (tf) => (tf.variable.github_client_secret.description = "xoxp-1234567890-abc"), ["DH006 var.github_client_secret:description: Slack token (value not shown)"]],
    // DH007
    ["volume without guard", (tf) => delete tf.resource.aws_ebs_volume.storage_team_volume.lifecycle, ["DH007 aws_ebs_volume.storage_team_volume: no destroy guard (prevent_destroy)"]],
    ["file system guard off", (tf) => (tf.resource.aws_efs_file_system.storage_efs.lifecycle.prevent_destroy = false), ["DH007 aws_efs_file_system.storage_efs: no destroy guard (prevent_destroy)"]],
    ["bucket without guard", (tf) => delete tf.resource.aws_s3_bucket["storage_team-bucket_bucket"].lifecycle, ["DH007 aws_s3_bucket.storage_team-bucket_bucket: no destroy guard (prevent_destroy)"]],
    ["vault without guard", (tf) => delete tf.resource.aws_backup_vault.backup_vault.lifecycle, ["DH007 aws_backup_vault.backup_vault: no destroy guard (prevent_destroy)"]],
    ["volume not backed up", (tf) => (tf.resource.aws_ebs_volume.storage_team_volume.tags["dandihub:backup"] = "weekly"), ["DH007 aws_ebs_volume.storage_team_volume: not selected by any backup plan"]],
    ["no backup plan", (tf) => delete tf.resource.aws_backup_selection, ["DH007 aws_ebs_volume.storage_team_volume: not selected by any backup plan", "DH007 aws_efs_file_system.storage_efs: not selected by any backup plan"]],
    // DH008
    ["wildcard resource", (tf) => tf.module["user-access_team-role"].policy_statements.push({ sid: "All", actions: ["s3:GetObject"], resources: ["*"] }), ["DH008 module.user-access_team-role:All: wildcard resource (any bucket)"]],
    ["every bucket", (tf) => tf.module["user-access_team-role"].policy_statements.push({ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::*"] }), ["DH008 module.user-access_team-role:statement: wildcard resource (any bucket)"]],
    ["wildcard action", (tf) => tf.module["services_dask-role"].policy_statements.push({ sid: "S3", actions: ["s3:*"], resources: ["arn:aws:s3:::b"] }), ["DH008 module.services_dask-role:S3: wildcard action"]],
    ["every action", (tf) => tf.module["user-access_team-role"].policy_statements.push({ sid: "Any", actions: ["*"], resources: ["arn:aws:s3:::b"] }), ["DH008 module.user-access_team-role:Any: wildcard action"]],
    // DH009
    ["plain HTTP", (tf) => (hub(tf).proxy.https = { enabled: false }), [`DH009 ${HUB}:proxy.https: the hub serves plain HTTP`]],
    // DH010
    ["API open to all", (tf) => tf.module.cluster_eks.endpoint_public_access_cidrs.push("0.0.0.0/0"), ["DH010 module.cluster_eks: public endpoint open to 0.0.0.0/0"]],
    ["private endpoint", (tf) => Object.assign(tf.module.cluster_eks, { endpoint_public_access: false, endpoint_public_access_cidrs: ["0.0.0.0/0"] }), []],
    // DH012
    ["hub db on a deleting class", (tf) => (hub(tf).hub.db.pvc.storageClassName = "gp3"), [`DH012 ${HUB}:hub.db: storage class gp3 does not retain its volumes`]],
    ["hub db on an unknown class", (tf) => (hub(tf).hub.db.pvc.storageClassName = "fast"), [`DH012 ${HUB}:hub.db: storage class fast does not retain its volumes`]],
    // DH013
    ["NFS allow-list off", (tf) => (tf.resource.helm_release.storage_team_server_release.values.nfsServer.enableClientAllowlist = false), ["DH013 helm_release.storage_team_server_release: NFS client allow-list off"]],
    ["NFS allow-list for the whole VPC", (tf) => (tf.resource.helm_release.storage_team_server_release.values.nfsServer.allowedClients = ["10.1.0.0/16"]), ["DH013 helm_release.storage_team_server_release: NFS allow-list admits 10.1.0.0/16, beyond the nodes' subnets"]],
    ["NFS server namespace without its role", (tf) => delete tf.resource.kubernetes_namespace_v1.storage_team_namespace.metadata.labels, ["DH013 kubernetes_namespace_v1.storage_team_namespace: NFS server namespace without dandihub.org/role=nfs-server"]],
    ["no AdminNetworkPolicy", (tf) => isolation(tf).pop(), ["DH013 helm_release.isolation_policies_release: no AdminNetworkPolicy keeps every pod off the NFS servers"]],
    ["the AdminNetworkPolicy passes", (tf) => (isolation(tf)[4].spec.ingress[0].action = "Pass"), ["DH013 helm_release.isolation_policies_release: no AdminNetworkPolicy keeps every pod off the NFS servers"]],
    ["the AdminNetworkPolicy spares some namespaces", (tf) => (isolation(tf)[4].spec.ingress[0].from = [{ namespaces: { matchLabels: { x: "y" } } }]), ["DH013 helm_release.isolation_policies_release: no AdminNetworkPolicy keeps every pod off the NFS servers"]],
    ["the AdminNetworkPolicy misses NFS", (tf) => (isolation(tf)[4].spec.ingress[0].ports = [{ portNumber: { protocol: "TCP", port: 111 } }]), ["DH013 helm_release.isolation_policies_release: no AdminNetworkPolicy keeps every pod off the NFS servers"]],
    ["NFS open to the VPC", (tf) => (nfsPolicy(tf).spec.ingress[0].from = [{ ipBlock: { cidr: "10.1.0.0/16" } }]), ["DH013 helm_release.isolation_policies_release:NetworkPolicy/dandihub-nfs-server: NFS ports open to 10.1.0.0/16, beyond the nodes' subnets"]],
    ["NFS open to pods", (tf) => nfsPolicy(tf).spec.ingress.push({ from: [{ podSelector: {} }], ports: [{ port: 2049 }] }), ["DH013 helm_release.isolation_policies_release:NetworkPolicy/dandihub-nfs-server: NFS ports open to pods (only nodes mount)"]],
    ["every port open to anyone", (tf) => nfsPolicy(tf).spec.ingress.push({}), ["DH013 helm_release.isolation_policies_release:NetworkPolicy/dandihub-nfs-server: NFS ports open to 0.0.0.0/0, beyond the nodes' subnets"]],
    ["an NFS metrics port for Prometheus is fine", (tf) => nfsPolicy(tf).spec.ingress.push({ from: [{ podSelector: {} }], ports: [{ port: 9100 }] }), []],
    // DH014
    ["untagged volume", (tf) => delete tf.resource.aws_ebs_volume.storage_team_volume.tags["dandihub:group"], ["DH014 aws_ebs_volume.storage_team_volume: no dandihub:group tag"]],
    ["untagged file system", (tf) => delete tf.resource.aws_efs_file_system.storage_efs.tags["dandihub:group"], ["DH014 aws_efs_file_system.storage_efs: no dandihub:group tag"]],
    ["untagged bucket", (tf) => delete tf.resource.aws_s3_bucket["storage_team-bucket_bucket"].tags, ["DH014 aws_s3_bucket.storage_team-bucket_bucket: no dandihub:group tag"]],
    ["untagged node class", (tf) => delete tf.resource.helm_release.karpenter_pools_release.values.manifests[0].spec.tags, ["DH014 helm_release.karpenter_pools_release:EC2NodeClass/team-cpu-spot: no dandihub:group tag"]],
    ["a platform bucket needs no group", (tf) => (tf.resource.aws_s3_bucket.logs_bucket = { lifecycle: { prevent_destroy: true } }), ["DH001 aws_s3_bucket.logs_bucket: bucket without default encryption"]],
    // DH015
    ["a re-pushed tag in the menu", (tf) => menuImage(tf, "dandiarchive/dandihub:latest-gpu"), [`DH015 ${HUB}:dandihub-settings.profiles[0].kubespawner_override.image: dandiarchive/dandihub:latest-gpu: a re-pushed tag and no digest`]],
    ["a re-pushed tag with its digest", (tf) => menuImage(tf, `dandiarchive/dandihub:latest@sha256:${"ab".repeat(32)}`), []],
    ["a dated tag", (tf) => menuImage(tf, "quay.io/jupyter/base-notebook:2025-06-02"), []],
    ["no tag at all", (tf) => menuImage(tf, "quay.io/jupyter/base-notebook"), [`DH015 ${HUB}:dandihub-settings.profiles[0].kubespawner_override.image: quay.io/jupyter/base-notebook: a re-pushed tag and no digest`]],
    ["a user's own image, filled in at spawn", (tf) => menuImage(tf, "{value}"), []],
    ["a pre-pulled main", (tf) => (hub(tf).prePuller = { extraImages: { a: { name: "quay.io/x/y", tag: "main" } } }), [`DH015 ${HUB}:prePuller.extraImages.a: quay.io/x/y:main: a re-pushed tag and no digest`]],
    ["the default user image on latest", (tf) => (hub(tf).singleuser.image = { name: "quay.io/x/y", tag: "latest" }), [`DH015 ${HUB}:singleuser.image: quay.io/x/y:latest: a re-pushed tag and no digest`]],
    // DH017
    ["audit logs dropped", (tf) => (tf.module.cluster_eks.enabled_log_types = ["api", "authenticator"]), ["DH017 module.cluster_eks: control-plane logs without audit"]],
    ["no flow logs", (tf) => delete tf.module.network_vpc.enable_flow_log, ["DH017 module.network_vpc: no VPC flow logs"]],
    // DH016
    ["an archive asked by search", (tf) => editSettings(tf, (st) => (st.archives = [{ name: "dandi", check: "search" }, { name: "linc", check: "list" }])), [`DH016 ${HUB}:dandihub-settings.archives.dandi: archive dandi is asked by search: a same-named account without a GitHub link is approved`]],
    ["a manifest's container on nightly", (tf) => (isolation(tf)[0].spec.template = { spec: { containers: [{ image: "ghcr.io/x/y:nightly-2" }] } }), ["DH015 helm_release.isolation_policies_release:manifests[0].spec.template.spec.containers[0].image: ghcr.io/x/y:nightly-2: a re-pushed tag and no digest"]],
  ];
  for (const [name, edit, expected] of cases) {
    it(`${expected[0]?.split(" ")[0] ?? "none"}: ${name}`, () => {
      expect(violations(edit)).toEqual(expected);
    });
  }

  it("every rule has a case", () => {
    const ids = new Set(cases.flatMap(([, , e]) => e.map((x) => x.split(" ")[0])));
    // DH011 reads the file (below); DH018's size is computed (its own case below).
    for (const r of RULES.filter((x) => x.id !== "DH011" && x.id !== "DH018")) expect(ids, r.id).toContain(r.id);
  });

  it("DH018: a release whose Secret would pass 1 MiB, and only that one", () => {
    const padding = Array.from({ length: 120000 }, (_, i) => ((i * 2654435761) >>> 0).toString(36)).join("");
    const found = violations((tf) => (hub(tf).padding = padding));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^DH018 ${HUB.replace(/\./g, "\\.")}: its release Secret would be about 1\\.\\d\\d MiB \\(Kubernetes refuses over 1 MiB\\)$`));
    expect(violations((tf) => (hub(tf).padding = padding.slice(0, 100000)))).toEqual([]);
  });
});

describe("rules that read the deployment file", () => {
  it("DH007: storage.allowDestroy lifts the destroy guard, not the backups", () => {
    const allow = config((c) => (c.storage.allowDestroy = true));
    expect(violations((tf) => delete tf.resource.aws_ebs_volume.storage_team_volume.lifecycle, allow)).toEqual([]);
    expect(violations((tf) => delete tf.resource.aws_backup_selection, allow)).toHaveLength(2);
  });

  it("DH009: plain HTTP only in development", () => {
    const dev = config((c) => (c.environment = "development"));
    expect(violations((tf) => (hub(tf).proxy.https = { enabled: false }), dev)).toEqual([]);
    // Outside development, no https section is plain HTTP (z2jh's default).
    expect(violations((tf) => delete hub(tf).proxy.https)).toEqual([`DH009 ${HUB}:proxy.https: the hub serves plain HTTP`]);
  });

  it("DH011: an admin by name or by GitHub team", () => {
    const none = config((c) => (c.auth.admins = []));
    expect(violations(() => {}, none)).toEqual([`DH011 ${HUB}:hub.config.Authenticator.admin_users: no hub admin named`]);
    const team = config((c) => {
      c.auth.admins = [];
      c.auth.login.adminTeams = ["example:admins"];
    });
    expect(violations(() => {}, team)).toEqual([`DH011 ${HUB}:dandihub-settings.adminTeams: auth.github.adminTeams does not reach the hub's settings`]);
    expect(violations((tf) => editSettings(tf, (st) => (st.adminTeams = [{ org: "example", team: "admins" }])), team)).toEqual([]);
    const dummy = config((c) => {
      c.auth.admins = [];
      c.auth.login = { kind: "dummy", adminTeams: ["ignored:x"] };
    });
    expect(violations(() => {}, dummy)).toHaveLength(1);
  });

  it("DH013: only for home-nfs storage", () => {
    const efs = config((c) => (c.storage.mode = "efs"));
    expect(violations((tf) => isolation(tf).pop(), efs)).toEqual([]);
    expect(violations((tf) => isolation(tf).pop())).toHaveLength(1);
    // Releases that are not NFS servers are not storage servers.
    expect(violations((tf) => (tf.resource.helm_release.storage_team_server_release.values = { other: true }))).toEqual([]);
  });
});

describe("waivers", () => {
  const waive = (waivers: Rec[]) => config((c) => (c.policy = { waivers }));
  const open = (tf: Rec) => {
    tf.module.cluster_eks.endpoint_public_access_cidrs = ["0.0.0.0/0"];
    delete tf.resource.aws_ebs_volume.storage_team_volume.tags["dandihub:group"];
  };
  const run = (c: HubConfig) => {
    const tf = stack();
    open(tf);
    return checkPolicy(c, text(tf));
  };

  it("match by rule and exact address, by address prefix, or by rule alone", () => {
    const exact = run(waive([{ rule: "DH010", address: "module.cluster_eks", reason: "operators roam" }]));
    expect(exact.violations.map((v) => v.rule.id)).toEqual(["DH014"]);
    expect(exact.waived.map((w) => [w.rule.id, w.address, w.reason])).toEqual([["DH010", "module.cluster_eks", "operators roam"]]);
    expect(exact.unusedWaivers).toEqual([]);
    expect(run(waive([{ rule: "DH014", address: "aws_ebs_volume.storage_*", reason: "r" }])).violations.map((v) => v.rule.id)).toEqual(["DH010"]);
    expect(run(waive([{ rule: "DH014", reason: "r" }])).violations.map((v) => v.rule.id)).toEqual(["DH010"]);
  });

  it("a waiver for another rule or address does not apply, and is reported as unused", () => {
    const r = run(waive([{ rule: "DH010", address: "module.cluster", reason: "r" }, { rule: "DH003", reason: "r" }, { rule: "DH014", address: "aws_ebs_volume.other*", reason: "r" }]));
    expect(r.violations.map((v) => v.rule.id)).toEqual(["DH010", "DH014"]);
    expect(r.unusedWaivers).toEqual([
      { index: 0, rule: "DH010", address: "module.cluster" },
      { index: 1, rule: "DH003", address: undefined },
      { index: 2, rule: "DH014", address: "aws_ebs_volume.other*" },
    ]);
  });

  it("the first matching waiver is the one used; one waiver may cover many findings", () => {
    const r = run(waive([{ rule: "DH010", reason: "first" }, { rule: "DH010", reason: "second" }]));
    expect(r.waived.map((w) => w.reason)).toEqual(["first"]);
    expect(r.unusedWaivers.map((w) => w.index)).toEqual([1]);
  });

  it("rules can be narrowed for a run", () => {
    const tf = stack();
    open(tf);
    expect(checkPolicy(config(), text(tf), RULES.filter((x) => x.id === "DH014")).violations.map((v) => v.rule.id)).toEqual(["DH014"]);
  });

  it("what synth prints", () => {
    const c = waive([{ rule: "DH010", reason: "operators roam" }, { rule: "DH003", address: "helm_release.x*", reason: "stale" }]);
    const out = formatPolicy(c, run(c));
    expect(out.errors.split("\n")).toEqual([
      "config/testhub.yaml: 2 policy problem(s); nothing was synthesized.",
      "config/testhub.yaml: policy DH014 (group resources tagged) at aws_ebs_volume.storage_team_volume: no dandihub:group tag (no field of the file sets this: dandihub's constructs made it so)",
      `    fix: ${RULES.find((x) => x.id === "DH014")!.fix}`,
      "config/testhub.yaml: policy.waivers[1]: waiver of DH003 at helm_release.x* matches nothing; remove it",
    ]);
    expect(out.notes).toBe("config/testhub.yaml: policy DH010 waived at module.cluster_eks: public endpoint open to 0.0.0.0/0 (reason: operators roam)");
    const clean = formatPolicy(config(), checkPolicy(config(), text(stack())));
    expect(clean).toEqual({ errors: "", notes: "" });
    const unnamed = config((c2) => delete c2.file);
    expect(formatPolicy(unnamed, run(unnamed)).errors).toMatch(/^testhub\.yaml: 2 policy problem\(s\)/);
    const rule = RULES.find((x) => x.id === "DH015")!;
    const many = formatPolicy(config(), {
      violations: [],
      unusedWaivers: [],
      waived: ["a", "b", "c"].map((p, i) => ({ rule, address: `helm_release.x:${p}`, detail: i ? "img:latest: a re-pushed tag" : "img:dev: a re-pushed tag", reason: "only tags", waiver: 0 })),
    });
    expect(many.notes).toBe("config/testhub.yaml: policy DH015 waived at 3 places: img:dev: a re-pushed tag; img:latest: a re-pushed tag (reason: only tags)");
    const stale = formatPolicy(waive([{ rule: "DH003", reason: "old" }]), checkPolicy(waive([{ rule: "DH003", reason: "old" }]), text(stack())));
    expect(stale.errors).toContain("policy.waivers[0]: waiver of DH003 matches nothing; remove it");
  });
});

describe("a stack without the parts a rule reads", () => {
  const run = (tf: Rec, c: HubConfig = config()) => checkPolicy(c, text(tf)).violations.map((v) => `${v.rule.id} ${v.address}: ${v.detail}`);

  it("an empty stack crashes no rule; it has no enforcer", () => {
    expect(run({})).toEqual(["DH005 helm_release: no Calico (tigera-operator): nothing enforces NetworkPolicy on user servers"]);
    expect(run({ module: {}, resource: {}, variable: {} })).toEqual(["DH005 helm_release: no Calico (tigera-operator): nothing enforces NetworkPolicy on user servers"]);
  });

  it("modules and releases with none of their optional fields", () => {
    const tf = {
      module: { cluster_eks: {}, network_vpc: {}, "user-access_team-role": {} },
      resource: {
        helm_release: { jupyterhub_chart_release: { values: {} }, karpenter_pools_release: { values: { manifests: [{ kind: "EC2NodeClass", metadata: { name: "p" } }] } } },
        kubernetes_storage_class_v1: { s: {} },
        aws_ebs_volume: { storage_x_volume: {} },
      },
    };
    expect(run(tf)).toEqual([
      "DH001 aws_ebs_volume.storage_x_volume: EBS volume not encrypted",
      "DH001 kubernetes_storage_class_v1.s: storage class does not encrypt volumes",
      "DH001 module.cluster_eks: Kubernetes secrets not envelope-encrypted with KMS",
      "DH002 module.cluster_eks: subnet_ids = undefined, not the private subnets",
      "DH002 module.network_vpc: public subnets hand out public IPs to instances",
      "DH002 module.network_vpc: private subnets lack the Karpenter discovery tag",
      "DH002 helm_release.karpenter_pools_release:EC2NodeClass/p: subnets not selected by the private-only discovery tag",
      "DH004 helm_release.karpenter_pools_release:EC2NodeClass/p: IMDSv2 with hop limit 1 not enforced",
      "DH005 helm_release: no Calico (tigera-operator): nothing enforces NetworkPolicy on user servers",
      "DH005 module.cluster_eks:addons: the vpc-cni add-on is not managed: whether it enforces policy too is unknown",
      `DH005 ${HUB}:hub.networkPolicy: NetworkPolicy off`,
      `DH005 ${HUB}:singleuser.networkPolicy: NetworkPolicy off`,
      `DH005 ${HUB}:proxy.chp.networkPolicy: NetworkPolicy off`,
      `DH005 ${HUB}:singleuser.networkPolicy: user pods may reach private addresses (other pods, storage servers)`,
      "DH007 aws_ebs_volume.storage_x_volume: no destroy guard (prevent_destroy)",
      "DH007 aws_ebs_volume.storage_x_volume: not selected by any backup plan",
      `DH011 ${HUB}:hub.config.Authenticator.admin_users: auth.admins lists admin but the hub's values do not make them admins`,
      `DH012 ${HUB}:hub.db: no hub.db: the database takes the chart's default claim and class`,
      "DH014 aws_ebs_volume.storage_x_volume: no dandihub:group tag",
      "DH014 helm_release.karpenter_pools_release:EC2NodeClass/p: no dandihub:group tag",
      "DH017 module.cluster_eks: control-plane logs without api, audit, authenticator",
      "DH017 module.network_vpc: no VPC flow logs",
    ]);
  });

  it("a hub release with parts of its values", () => {
    const only = (values: Rec) => run({ resource: { helm_release: { jupyterhub_chart_release: { values } } } });
    expect(only({ singleuser: { allowPrivilegeEscalation: false } }).filter((f) => f.startsWith("DH003"))).toEqual([`DH003 ${HUB}:hub.config.KubeSpawner: user servers do not run Pod Security's restricted profile`]);
    expect(only({ singleuser: { allowPrivilegeEscalation: false, networkPolicy: { enabled: true } } })).toContain(`DH004 ${HUB}:singleuser.networkPolicy: user pods' NetworkPolicy off or allowing the metadata server`);
    expect(only({ hub: { networkPolicy: { enabled: true } }, proxy: {}, singleuser: { allowPrivilegeEscalation: false, networkPolicy: { enabled: true, egressAllowRules: { cloudMetadataServer: false, dnsPortsCloudMetadataServer: false, privateIPs: false } } } })).toEqual([
      `DH003 ${HUB}:hub.config.KubeSpawner: user servers do not run Pod Security's restricted profile`,
      "DH005 helm_release: no Calico (tigera-operator): nothing enforces NetworkPolicy on user servers",
      `DH005 ${HUB}:proxy.chp.networkPolicy: NetworkPolicy off`,
      `DH009 ${HUB}:proxy.https: the hub serves plain HTTP`,
      `DH011 ${HUB}:hub.config.Authenticator.admin_users: auth.admins lists admin but the hub's values do not make them admins`,
      `DH012 ${HUB}:hub.db: no hub.db: the database takes the chart's default claim and class`,
    ]);
    expect(only({ hub: {} }).filter((f) => f.startsWith("DH012"))).toEqual([`DH012 ${HUB}:hub.db: no hub.db: the database takes the chart's default claim and class`]);
    expect(only({ hub: { db: {} } }).filter((f) => f.startsWith("DH012"))).toEqual([`DH012 ${HUB}:hub.db: storage class undefined does not retain its volumes`]);
    expect(only({ proxy: {} }).filter((f) => f.startsWith("DH009"))).toEqual([`DH009 ${HUB}:proxy.https: the hub serves plain HTTP`]);
  });

  it("a NodePool among the manifests is not a node class; a statement with no actions or resources is none", () => {
    const tf = stack();
    tf.resource.helm_release.karpenter_pools_release.values.manifests[1].spec = {};
    tf.module["user-access_team-role"].policy_statements.push({ sid: "Empty" });
    tf.module.cluster_eks.eks_managed_node_groups.core.block_device_mappings = undefined;
    expect(run(tf)).toEqual([]);
  });
});

describe("the rules themselves", () => {
  it("each has an id, a title, what it protects and a fix, and help/security.md lists it", () => {
    const doc = readFileSync(join(ROOT, "help/security.md"), "utf8");
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^DH\d{3}$/);
      for (const k of ["title", "protects", "fix"] as const) expect(r[k].length, `${r.id} ${k}`).toBeGreaterThan(10);
      expect(doc).toContain(`| ${r.id} | ${r.title} | ${r.protects} |`);
    }
  });
});

/** The platform the default and minimal deployments synthesize, read from cdk.tf.json. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHARTS } from "../src/core/charts";
import { EKS_ADDON_VERSIONS, MODULES, NAT_INSTANCE_AMI, NODE_AMI_ALIAS, type EksAddonName } from "../modules/versions";
import { NAT_TAG, natInstanceScript } from "../src/features/platform/nat-instance";
import { onDemandCoreFit } from "../src/features/platform/core-placement";
import { ON_DEMAND_CORE_PRIORITY } from "../src/core/labels";
import { allocatable, instanceType } from "../src/core/catalog/instance-types";
import { validateDeployment } from "../src/config/load";
import { estimate } from "../src/features/cost/estimate";
import { SUPPORTED_KUBERNETES } from "../src/config/checks";
import { IMAGES_BUILD_YAML, minimalYaml, problemsOf, releaseValues, ROOT, synth, VARIANTS, type TfJson } from "./helpers";

const dandi = () => synth("config/dandi.yaml");
const minimal = () => synth("config/minimal.yaml");

type Rec = Record<string, unknown>;

function mod(tf: TfJson, address: string): Rec {
  const m = tf.module[address];
  if (!m) throw new Error(`no module.${address}; have ${Object.keys(tf.module).join(", ")}`);
  return m;
}

describe("network", () => {
  it("spans the configured zones with private node subnets and public LB/NAT subnets", () => {
    const vpc = mod(dandi().tf, "network_vpc");
    expect(vpc.source).toBe(MODULES.vpc.source);
    expect(vpc.version).toBe(MODULES.vpc.version);
    expect(vpc.cidr).toBe("10.1.0.0/16");
    expect(vpc.private_subnets).toEqual(["10.1.0.0/19", "10.1.32.0/19"]);
    expect(vpc.public_subnets).toEqual(["10.1.224.0/24", "10.1.225.0/24"]);
    expect(vpc.azs).toBe("${slice(data.aws_availability_zones.network_zones.names, 0, 2)}");
    expect(vpc.map_public_ip_on_launch).toBe(false);
    expect(vpc.private_subnet_tags).toMatchObject({ "kubernetes.io/role/internal-elb": "1", "karpenter.sh/discovery": "dandi" });
    expect(vpc.public_subnet_tags).toEqual({ "kubernetes.io/role/elb": "1" });
  });

  it("NAT gateways are a switch: one for all zones, or one per zone", () => {
    const single = synth(minimalYaml({ network: "network:\n  nat: gateway" }), { name: "natgateway" });
    expect(mod(single.tf, "network_vpc")).toMatchObject({ enable_nat_gateway: true, single_nat_gateway: true, one_nat_gateway_per_az: false });
    expect(single.tf.resource.aws_autoscaling_group).toBeUndefined();
    expect(single.tf.resource.aws_route).toBeUndefined();
    const perZone = synth(minimalYaml({ network: "network:\n  azs: 3\n  nat: gateway\n  singleNatGateway: false" }), { name: "natperzone" });
    expect(mod(perZone.tf, "network_vpc")).toMatchObject({ single_nat_gateway: false, one_nat_gateway_per_az: true });
    expect((mod(perZone.tf, "network_vpc").private_subnets as string[]).length).toBe(3);
  });

  describe("the NAT instance (the default)", () => {
    const tf = () => dandi().tf;
    const one = (type: string): [string, Rec] => {
      const all = Object.entries((tf().resource[type] ?? {}) as Record<string, Rec>);
      expect(all, type).toHaveLength(1);
      return all[0];
    };
    const script = () => Buffer.from(one("aws_launch_template")[1].user_data as string, "base64").toString("utf8");

    it("replaces the gateway: the private route table's default route is a network interface Terraform owns", () => {
      expect(mod(tf(), "network_vpc")).toMatchObject({ enable_nat_gateway: false, single_nat_gateway: true });
      const [eni, iface] = one("aws_network_interface");
      expect(iface).toMatchObject({ source_dest_check: false, subnet_id: "${element(module.network_vpc.public_subnets, 0)}" });
      expect(one("aws_route")[1]).toMatchObject({
        route_table_id: "${element(module.network_vpc.private_route_table_ids, 0)}",
        destination_cidr_block: "0.0.0.0/0",
        network_interface_id: `\${aws_network_interface.${eni}.id}`,
      });
    });

    it("is one Graviton instance that a group of one replaces, in the interface's subnet", () => {
      const [lt, template] = one("aws_launch_template");
      expect(template).toMatchObject({ instance_type: "t4g.nano", metadata_options: { http_tokens: "required", http_put_response_hop_limit: 1 } });
      expect(template.network_interfaces).toEqual([expect.objectContaining({ device_index: 0, associate_public_ip_address: "true" })]);
      expect(one("aws_autoscaling_group")[1]).toMatchObject({
        min_size: 1,
        max_size: 1,
        desired_capacity: 1,
        health_check_type: "EC2",
        vpc_zone_identifier: ["${element(module.network_vpc.public_subnets, 0)}"],
        launch_template: { id: `\${aws_launch_template.${lt}.id}` },
      });
      const ami = Object.values(tf().data!.aws_ami as Record<string, Rec>)[0];
      expect(ami).toMatchObject({ owners: ["amazon"], include_deprecated: true });
      expect(ami.filter).toContainEqual({ name: "name", values: [`al2023-ami-${NAT_INSTANCE_AMI.release}-kernel-*-arm64`] });
    });

    it("an amd64 type gets the x86_64 AMI; an unknown or GPU type, or a NAT per zone, is refused", () => {
      const amd = synth(minimalYaml({ network: "network:\n  natInstanceType: t3a.medium" }), { name: "natamd" });
      expect(Object.values(amd.tf.data!.aws_ami as Record<string, Rec>)[0].filter).toContainEqual({ name: "name", values: [`al2023-ami-${NAT_INSTANCE_AMI.release}-kernel-*-x86_64`] });
      expect(problemsOf(minimalYaml({ network: "network:\n  natInstanceType: t4g.pico" })).format()).toMatch(/network\.natInstanceType = "t4g\.pico"/);
      expect(problemsOf(minimalYaml({ network: "network:\n  natInstanceType: g4dn.xlarge" })).format()).toMatch(/network\.natInstanceType.*GPU/);
      expect(problemsOf(minimalYaml({ network: "network:\n  singleNatGateway: false" })).format()).toMatch(/network\.singleNatGateway.*set network\.nat: gateway/);
    });

    it("its role may attach only the NAT interface, and only to instances tagged as this deployment's NAT", () => {
      const [eni] = one("aws_network_interface");
      const policy = JSON.parse(one("aws_iam_role_policy")[1].policy as string);
      const attach = policy.Statement.filter((st: Rec) => ([] as unknown[]).concat(st.Action).includes("ec2:AttachNetworkInterface"));
      expect(attach.map((st: Rec) => st.Resource).sort()).toEqual([`\${aws_network_interface.${eni}.arn}`, "arn:aws:ec2:*:*:instance/*"]);
      expect(attach.find((st: Rec) => st.Resource === "arn:aws:ec2:*:*:instance/*").Condition).toEqual({ StringEquals: { [`aws:ResourceTag/${NAT_TAG}`]: "dandi" } });
      expect(one("aws_launch_template")[1].tag_specifications).toContainEqual(expect.objectContaining({ resource_type: "instance", tags: expect.objectContaining({ [NAT_TAG]: "dandi" }) }));
      expect(one("aws_network_interface")[1].tags).toMatchObject({ [NAT_TAG]: "dandi" });
    });

    it("its first-boot script is valid bash that finds the interface by that tag and masquerades only the VPC's traffic", () => {
      const text = script();
      expect(text).toBe(natInstanceScript("dandi", "10.1.0.0/16"));
      expect(text).not.toMatch(/@[A-Z_]+@|\$\{TfToken/);
      expect(text).toContain('--filters "Name=tag:dandihub:nat,Values=dandi"');
      expect(text).toContain('VPC_CIDR="10.1.0.0/16"');
      expect(text).toContain('ip saddr $VPC_CIDR ip daddr != $VPC_CIDR oifname "$PUBLIC_IF" masquerade');
      expect(text).toContain("--no-source-dest-check");
      expect(execFileSync("bash", ["-n"], { input: text, encoding: "utf8" })).toBe("");
    });
  });

  it("has an S3 gateway endpoint on the private route tables", () => {
    const ep = mod(dandi().tf, "network_endpoints");
    expect(ep.source).toBe(MODULES.vpcEndpoints.source);
    expect(ep.endpoints).toEqual({
      s3: { service: "s3", service_type: "Gateway", route_table_ids: "${module.network_vpc.private_route_table_ids}", tags: { Name: "dandi-s3" } },
    });
  });
});

describe("cluster", () => {
  const eks = () => mod(dandi().tf, "cluster_eks");

  it("runs the configured Kubernetes version with KMS-encrypted secrets", () => {
    expect(eks()).toMatchObject({ name: "dandi", kubernetes_version: "1.35", create_kms_key: true, encryption_config: { resources: ["secrets"] } });
    expect(eks().subnet_ids).toBe("${module.network_vpc.private_subnets}");
  });

  it("the VPC CNI assigns addresses before nodes join; Calico, not the CNI, enforces policy", () => {
    const addons = eks().addons as Record<string, Rec>;
    expect(addons["vpc-cni"].before_compute).toBe(true);
    expect(JSON.parse(addons["vpc-cni"].configuration_values as string)).toEqual({ enableNetworkPolicy: "false", env: { ANNOTATE_POD_IP: "true" } });
    expect(addons["eks-pod-identity-agent"].before_compute).toBe(true);
  });

  it("installs CoreDNS, kube-proxy, metrics-server and the EBS CSI driver with its own role", () => {
    const addons = eks().addons as Record<string, Rec>;
    expect(Object.keys(addons).sort()).toEqual(["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "metrics-server", "vpc-cni"]);
    expect(addons["aws-ebs-csi-driver"].pod_identity_association).toEqual([
      { role_arn: "${module.cluster_ebs-csi-role.iam_role_arn}", service_account: "ebs-csi-controller-sa" },
    ]);
    expect(mod(dandi().tf, "cluster_ebs-csi-role")).toMatchObject({ attach_aws_ebs_csi_policy: true, source: MODULES.podIdentity.source });
  });

  it("every add-on at the exact version the pins table gives for the cluster's Kubernetes minor", () => {
    for (const minor of SUPPORTED_KUBERNETES) {
      const yaml = minimalYaml({ cluster: `cluster:\n  admins: ['arn:aws:iam::123456789012:role/dandihub-deploy']\n  kubernetesVersion: '${minor}'`, storage: "storage:\n  mode: efs" });
      const addons = mod(synth(yaml, { name: `k8s${minor.replace(".", "")}` }).tf, "cluster_eks").addons as Record<string, Rec>;
      expect(Object.keys(addons)).toContain("aws-efs-csi-driver");
      for (const [name, addon] of Object.entries(addons)) {
        expect(addon.most_recent, `${minor} ${name}`).toBe(false);
        expect(addon.addon_version, `${minor} ${name}`).toBe(EKS_ADDON_VERSIONS[minor][name as EksAddonName]);
        expect(addon.addon_version).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
      }
    }
    // kube-proxy follows the control plane's minor: a row for a minor names that minor.
    for (const minor of SUPPORTED_KUBERNETES) expect(EKS_ADDON_VERSIONS[minor]["kube-proxy"]).toMatch(new RegExp(`^v${minor.replace(".", "\\.")}\\.`));
  });

  it("user nodes run a dated AMI release; al2023@latest only in development", () => {
    expect(NODE_AMI_ALIAS).toMatch(/^al2023@v20\d{6}$/);
    expect(problemsOf(minimalYaml({ userNodes: "userNodes:\n  ami: al2023@latest" })).format()).toContain("userNodes.ami = \"al2023@latest\": al2023@latest moves every node");
    const dev = minimalYaml({ environment: "environment: development", userNodes: "userNodes:\n  ami: al2023@latest" });
    expect(() => synth(dev, { name: "devami" })).not.toThrow();
  });

  it("has a small on-demand core node group, labelled for hub pods, IMDSv2 one hop, encrypted disk", () => {
    const core = (eks().eks_managed_node_groups as Record<string, Rec>).core;
    expect(core).toMatchObject({
      capacity_type: "ON_DEMAND",
      instance_types: ["t3a.large"],
      ami_type: "AL2023_x86_64_STANDARD",
      min_size: 1,
      desired_size: 1,
      max_size: 2,
      labels: { "hub.jupyter.org/node-purpose": "core" },
      metadata_options: { http_tokens: "required", http_put_response_hop_limit: 1 },
    });
    expect((core.block_device_mappings as Record<string, { ebs: Rec }>).xvda.ebs).toMatchObject({ encrypted: true, volume_type: "gp3", volume_size: 50 });
    expect(core.taints).toBeUndefined();
  });

  describe("the core nodes' spot share", () => {
    const groups = (tf: TfJson) => mod(tf, "cluster_eks").eks_managed_node_groups as Record<string, Rec>;

    it("is a second group on spot, several types, every zone; the on-demand nodes then keep to the volumes' zone", () => {
      const { core, "core-spot": spot } = groups(dandi().tf);
      expect(spot).toMatchObject({ capacity_type: "SPOT", instance_types: ["t3a.large", "t3.large", "m5a.large", "m6a.large"], min_size: 0, desired_size: 1, max_size: 2, labels: core.labels, ami_type: core.ami_type });
      expect(spot.subnet_ids).toBeUndefined();
      // The first private subnet is in the first zone, the volumes' (Network.storageZone).
      expect(core.subnet_ids).toEqual(["${element(module.network_vpc.private_subnets, 0)}"]);
      const plain = groups(minimal().tf);
      expect(Object.keys(plain)).toEqual(["core"]);
      expect(plain.core.subnet_ids).toBeUndefined();
    });

    it("the hub, proxy, autohttps, NFS servers and Prometheus keep to on-demand nodes, at a priority that preempts stateless core pods", () => {
      const hub = releaseValues(dandi().tf, "jupyterhub_chart_release") as Record<string, any>;
      const onDemand = { "eks.amazonaws.com/capacityType": "ON_DEMAND" };
      for (const v of [hub.hub, hub.proxy.chp, hub.proxy.traefik]) expect(v.nodeSelector).toMatchObject(onDemand);
      expect(hub.scheduling.podPriority).toEqual({ enabled: true, defaultPriority: ON_DEMAND_CORE_PRIORITY.value });
      const prometheus = (releaseValues(dandi().tf, "monitoring_stack_release") as Record<string, any>).prometheus.prometheusSpec;
      expect(prometheus).toMatchObject({ nodeSelector: onDemand, priorityClassName: ON_DEMAND_CORE_PRIORITY.name });
      expect(Object.values(dandi().tf.resource.kubernetes_priority_class_v1 as Record<string, Rec>)[0]).toMatchObject({ metadata: { name: ON_DEMAND_CORE_PRIORITY.name }, value: ON_DEMAND_CORE_PRIORITY.value });
      const nfs = releaseValues(dandi().tf, "storage_dandi_server_release") as Record<string, any>;
      expect(nfs.nodeSelector).toMatchObject(onDemand);
    });

    it("the on-demand node must hold what keeps to it, by the requests the values carry", () => {
      const d = validateDeployment("config/dandi.yaml", readFileSync(join(ROOT, "config/dandi.yaml"), "utf8"));
      const fit = onDemandCoreFit(d)!;
      // hub 0.5 + proxy 0.2 + autohttps 0.1 + 6 NFS servers x 0.025 + Prometheus 0.25 + one Karpenter 0.25
      expect(fit.cpu).toBeCloseTo(1.45, 9);
      expect(fit.memoryGiB).toBeCloseTo((1024 + 256 + 128 + 6 * 256 + 1536 + 512) / 1024, 9);
      expect(fit).toMatchObject({ fits: true, freeCpu: allocatable(instanceType("t3a.large")!).vcpu });
      const hub = releaseValues(dandi().tf, "jupyterhub_chart_release") as Record<string, any>;
      expect(hub.hub.resources.requests).toEqual({ cpu: "500m", memory: "1Gi" });
      expect(hub.proxy.chp.resources.requests).toEqual({ cpu: "200m", memory: "256Mi" });
      // A t3a.medium cannot; two can; no spot share, no such check.
      const yaml = (core: string) => minimalYaml({ cluster: `cluster:\n  admins: ['arn:aws:iam::123456789012:role/dandihub-deploy']\n  coreNodes:\n${core}` });
      const medium = "    instanceTypes: [t3a.medium]\n    min: 1\n    desired: 1\n    max: 2\n    spot: { instanceTypes: [t3a.medium] }";
      expect(problemsOf(yaml(medium)).format()).toMatch(/cluster\.coreNodes\.min = 1: 1 x t3a\.medium on-demand cannot hold what stays on on-demand nodes with a spot share \(hub, proxy, .*\): they request [0-9.]+ vCPU and [0-9.]+ GiB/);
      expect(() => synth(yaml(medium.replace("min: 1\n    desired: 1", "min: 2\n    desired: 2")), { name: "twomedium" })).not.toThrow();
      expect(() => synth(yaml("    instanceTypes: [t3a.medium]\n    min: 1\n    desired: 2"), { name: "nospotshare" })).not.toThrow();
    });

    it("spot types must match the on-demand architecture and exist", () => {
      const yaml = (types: string) => minimalYaml({ cluster: `cluster:\n  admins: ['arn:aws:iam::123456789012:role/dandihub-deploy']\n  coreNodes:\n    instanceTypes: [t3a.large]\n    spot: { instanceTypes: [${types}] }` });
      expect(problemsOf(yaml("t4g.large")).format()).toMatch(/cluster\.coreNodes\.spot\.instanceTypes\[0\] = "t4g\.large": is arm64; the on-demand core types are amd64/);
      expect(problemsOf(yaml("t3a.large, t9.large")).format()).toMatch(/cluster\.coreNodes\.spot\.instanceTypes\[1\] = "t9\.large"/);
    });

    it("prices the share at the spot discount and stays on-demand priced without one", () => {
      const e = estimate(dandi().config, { usage: {}, asOf: new Date("2026-12-02") });
      const by = Object.fromEntries(e.idle.items.map((i) => [i.item, i.monthlyUsd]));
      expect(by["core nodes, on-demand (with root disks)"]).toBeCloseTo(0.0752 * 730 + 50 * 0.08, 2);
      expect(by["core nodes, spot share (with root disks)"]).toBeCloseTo(0.0752 * 0.4 * 730 + 50 * 0.08, 2);
      const pessimistic = estimate(dandi().config, { usage: {}, spotDiscount: 0.4, asOf: new Date("2026-12-02") });
      expect(pessimistic.idle.items.find((i) => i.item.startsWith("core nodes, spot"))!.monthlyUsd).toBeCloseTo(0.0752 * 0.6 * 730 + 50 * 0.08, 2);
    });
  });

  it("amd64 core nodes get the x86 AMI", () => {
    const x86 = synth(minimalYaml({ cluster: "cluster:\n  admins: ['arn:aws:iam::123456789012:role/dandihub-deploy']\n  coreNodes:\n    instanceTypes: [t3a.large]" }), { name: "x86core" });
    const core = (mod(x86.tf, "cluster_eks").eks_managed_node_groups as Record<string, Rec>).core;
    expect(core.ami_type).toBe("AL2023_x86_64_STANDARD");
  });

  it("Graviton core nodes are refused when something enabled has no arm64 image", () => {
    const yaml = IMAGES_BUILD_YAML.replace("instanceTypes: [t3a.large]", "instanceTypes: [t4g.large]");
    expect(problemsOf(yaml).format()).toContain("cluster.coreNodes.instanceTypes");
    expect(problemsOf(yaml).format()).toContain("binderhub-service (image building) has no arm64 image");
  });

  it("restricts the public endpoint by CIDR, or has none", () => {
    const m = mod(synth(minimalYaml(), { name: "cidrs" }).tf, "cluster_eks");
    expect(m.endpoint_public_access_cidrs).toEqual(["203.0.113.0/24"]);
    const priv = synth(minimalYaml({ cluster: "cluster:\n  admins: ['arn:aws:iam::123456789012:role/dandihub-deploy']\n  endpointPublicAccessCidrs: []" }), { name: "privateapi" });
    expect(mod(priv.tf, "cluster_eks")).toMatchObject({ endpoint_public_access: false, endpoint_private_access: true });
  });

  it("encrypted gp3 storage classes: a default that deletes, and a retained, backed-up one for user data", () => {
    const sc = dandi().tf.resource.kubernetes_storage_class_v1;
    expect(sc["storage-classes_gp3"]).toMatchObject({
      reclaim_policy: "Delete",
      storage_provisioner: "ebs.csi.aws.com",
      parameters: { type: "gp3", encrypted: "true" },
      metadata: { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
    });
    expect(sc["storage-classes_gp3-retain"]).toMatchObject({ reclaim_policy: "Retain", parameters: { encrypted: "true", tagSpecification_1: "dandihub:backup=daily" } });
    const hub = releaseValues(dandi().tf, "jupyterhub_chart_release") as { hub: { db: Rec } };
    expect(hub.hub.db).toEqual({ type: "sqlite-pvc", pvc: { storage: "1Gi", storageClassName: "gp3-retain" } });
  });

  it("the service range is fixed (changing it replaces the cluster)", () => {
    expect(mod(dandi().tf, "cluster_eks").service_ipv4_cidr).toBe("172.20.0.0/16");
  });
});

describe("cluster access: named admins, never whoever applied first", () => {
  const DEPLOY = "arn:aws:iam::123456789012:role/dandihub-deploy";
  const OPS = "arn:aws:iam::123456789012:role/ops";
  const withAdmins = (admins: string[], extra = "") => minimalYaml({ cluster: `cluster:\n  endpointPublicAccessCidrs: [203.0.113.0/24]\n  admins: [${admins.map((a) => `'${a}'`).join(", ")}]${extra}` });
  const adminPolicy = { admin: { policy_arn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", access_scope: { type: "cluster" } } };

  it("one cluster-admin entry per named principal, keyed by it; no entry for the caller's session", () => {
    const m = mod(synth(withAdmins([DEPLOY, OPS]), { name: "admins" }).tf, "cluster_eks");
    expect(m.enable_cluster_creator_admin_permissions).toBe(false);
    expect(m.access_entries).toEqual({ [DEPLOY]: { principal_arn: DEPLOY, policy_associations: adminPolicy }, [OPS]: { principal_arn: OPS, policy_associations: adminPolicy } });
  });

  it("adding or removing an admin leaves the others' entries where they are", () => {
    const before = mod(synth(withAdmins([DEPLOY, OPS]), { name: "admins" }).tf, "cluster_eks").access_entries as Rec;
    const after = mod(synth(withAdmins([OPS]), { name: "admins" }).tf, "cluster_eks").access_entries as Rec;
    expect(after[OPS]).toEqual(before[OPS]);
    expect(Object.keys(after)).toEqual([OPS]);
  });

  it("the plan stops unless the role running Terraform is one of them", () => {
    const tf = synth(withAdmins([DEPLOY, OPS]), { name: "admins" }).tf;
    const check = tf.resource.terraform_data["cluster_caller-is-admin"] as { lifecycle: { precondition: { condition: string; error_message: string }[] } };
    const [pre] = check.lifecycle.precondition;
    expect(pre.condition).toBe(`\${contains(["${DEPLOY}", "${OPS}"], data.aws_iam_session_context.cluster_caller-session.issuer_arn)}`);
    expect(pre.error_message).toContain("cluster.admins");
    expect(tf.data!.aws_iam_session_context["cluster_caller-session"].arn).toBe("${data.aws_caller_identity.cluster_caller.arn}");
  });

  it("older clusters: positional entries and the creator's move to their principal's key", () => {
    const tf = synth(withAdmins([DEPLOY, OPS], `\n  createdBy: '${DEPLOY}'`), { name: "admins" }).tf;
    const e = (k: string) => `module.cluster_eks.aws_eks_access_entry.this[${JSON.stringify(k)}]`;
    const p = (k: string) => `module.cluster_eks.aws_eks_access_policy_association.this[${JSON.stringify(`${k}_admin`)}]`;
    expect(tf.moved).toEqual(
      expect.arrayContaining([
        { from: e("admin-1"), to: e(OPS) },
        { from: p("admin-1"), to: p(OPS) },
        { from: e("cluster_creator"), to: e(DEPLOY) },
        { from: p("cluster_creator"), to: p(DEPLOY) },
      ]),
    );
    // The creator's principal never also had a positional entry: no second move to its key.
    expect(tf.moved!.filter((m) => m.to === e(DEPLOY))).toHaveLength(1);
  });

  it("production without admins, a duplicate, a stranger's account or an unlisted creator is refused", () => {
    const none = problemsOf(withAdmins([])).format();
    expect(none).toContain("cluster.admins");
    expect(none).toContain("production needs named cluster admins");
    expect(problemsOf(withAdmins([DEPLOY, DEPLOY])).format()).toContain("listed twice");
    expect(problemsOf(withAdmins([DEPLOY, OPS], `\n  createdBy: 'arn:aws:iam::123456789012:role/other'`)).format()).toContain("must be one of cluster.admins");
    const pinned = minimalYaml({ aws: "aws:\n  region: us-east-1\n  accountId: '111122223333'" });
    expect(problemsOf(pinned).format()).toContain("is in account 123456789012, not aws.accountId 111122223333");
    const session = problemsOf(withAdmins(["arn:aws:sts::123456789012:assumed-role/ops/alice"])).format();
    expect(session).toContain("give its role, arn:aws:iam::ACCOUNT:role/NAME");
  });

  it("a development cluster without admins falls back to the creator's session", () => {
    const dev = synth(minimalYaml({ environment: "environment: development", cluster: "cluster:\n  endpointPublicAccessCidrs: [203.0.113.0/24]" }), { name: "devhub" }).tf;
    const m = mod(dev, "cluster_eks");
    expect(m.enable_cluster_creator_admin_permissions).toBe(true);
    expect(m.access_entries).toEqual({});
    expect(dev.resource.terraform_data?.["cluster_caller-is-admin"]).toBeUndefined();
  });
});

describe("karpenter", () => {
  it("controller role, node role and spot interruption queue come from the karpenter submodule", () => {
    expect(mod(dandi().tf, "karpenter_iam")).toMatchObject({
      source: MODULES.karpenter.source,
      version: MODULES.karpenter.version,
      enable_spot_termination: true,
      create_pod_identity_association: true,
      queue_name: "dandi-karpenter",
      node_iam_role_name: "dandi-karpenter-node",
    });
  });

  it("installs CRDs, then the controller on core nodes, then the node pools", () => {
    const r = dandi().tf.resource.helm_release;
    expect(r.karpenter_crd_release).toMatchObject({ chart: "karpenter-crd", version: CHARTS.karpenterCrd.version });
    expect(r.karpenter_controller_release).toMatchObject({ chart: "karpenter", skip_crds: true });
    expect(r.karpenter_controller_release.depends_on).toContain("helm_release.karpenter_crd_release");
    expect(r.karpenter_pools_release.depends_on).toEqual(["helm_release.karpenter_controller_release"]);
    const values = releaseValues(dandi().tf, "karpenter_controller_release") as { settings: Rec; nodeSelector: Rec };
    expect(values.settings).toEqual({ clusterName: "dandi", interruptionQueue: "dandi-karpenter" });
    expect(values.nodeSelector).toMatchObject({ "hub.jupyter.org/node-purpose": "core" });
  });

  it("node pools: one per group, CPU/GPU model and capacity type; labelled, tainted, consolidated only when empty", () => {
    const { manifests } = releaseValues(dandi().tf, "karpenter_pools_release") as { manifests: { kind: string; metadata: { name: string }; spec: Rec }[] };
    const pools = manifests.filter((m) => m.kind === "NodePool");
    const classes = manifests.filter((m) => m.kind === "EC2NodeClass");
    // No storage pool: the NFS servers run on the core node in their zone (storage.servers: core).
    const names = ["dandi-cpu-spot", "dandi-gpu-t4-spot", "linc-cpu-spot", "bican-cpu-spot", "ember-cpu-spot", "workshop-cpu-on-demand"];
    expect(pools.map((p) => p.metadata.name)).toEqual(names);
    expect(classes.map((c) => c.metadata.name)).toEqual(names);
    type PoolSpec = { template: { metadata: { labels: Rec }; spec: { requirements: { key: string; values: string[] }[]; taints: Rec[]; expireAfter: string; terminationGracePeriod: string; nodeClassRef: Rec } }; disruption: Rec; limits: Rec };
    const spec = (name: string) => pools.find((p) => p.metadata.name === name)!.spec as PoolSpec;
    const cpu = spec("dandi-cpu-spot");
    expect(cpu.template.metadata.labels).toEqual({ "hub.jupyter.org/node-purpose": "user", "dandihub.org/pool": "dandi-cpu-spot", "dandihub.org/group": "dandi" });
    expect(cpu.template.spec.taints).toEqual([
      { key: "hub.jupyter.org/dedicated", value: "user", effect: "NoSchedule" },
      { key: "dandihub.org/group", value: "dandi", effect: "NoSchedule" },
    ]);
    expect(cpu.template.spec.nodeClassRef).toEqual({ group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "dandi-cpu-spot" });
    expect(cpu.template.spec.requirements).toEqual(
      expect.arrayContaining([
        { key: "karpenter.sh/capacity-type", operator: "In", values: ["spot"] },
        { key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["c6i", "c7i", "m6i", "m7i", "r6i", "r7i"] },
      ]),
    );
    expect(cpu.template.spec.expireAfter).toBe("720h");
    expect(cpu.template.spec.terminationGracePeriod).toBe("24h");
    expect(cpu.disruption).toEqual({ consolidationPolicy: "WhenEmpty", consolidateAfter: "5m" });
    // Limits are the group's compute limits.
    expect(cpu.limits).toEqual({ cpu: "512", memory: "2Ti" });
    expect(spec("linc-cpu-spot").limits).toEqual({ cpu: "128", memory: "512Gi" });
    expect(spec("ember-cpu-spot").limits).toEqual({ cpu: "64", memory: "256Gi" });
    // The workshop group runs on on-demand capacity.
    expect(spec("workshop-cpu-on-demand").template.spec.requirements).toContainEqual({ key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] });
    // GPU: only the group granted it, tainted for GPU pods, capped by the group's GPUs; scales to zero.
    const gpu = spec("dandi-gpu-t4-spot");
    expect(gpu.template.spec.taints).toContainEqual({ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" });
    expect(gpu.template.spec.requirements).toContainEqual({ key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["g4dn"] });
    // Room for its 4 GPUs on the largest one-GPU shape it may use (g4dn.8xlarge: 32 vCPU, 128 GiB each).
    expect(gpu.limits).toEqual({ cpu: "128", memory: "512Gi", "nvidia.com/gpu": "4" });
    expect(gpu.disruption).toEqual({ consolidationPolicy: "WhenEmpty", consolidateAfter: "5m" });
  });

  it("per-profile capacity splits the group's limits between its spot and on-demand pools", () => {
    const { manifests } = releaseValues(VARIANTS["dev-dummy-cloud"]().tf, "karpenter_pools_release") as { manifests: { kind: string; metadata: { name: string }; spec: { limits: Rec } }[] };
    const limits = Object.fromEntries(manifests.filter((m) => m.kind === "NodePool" && m.metadata.name !== "storage").map((m) => [m.metadata.name, m.spec.limits]));
    expect(limits).toEqual({
      // limits { cpu: 32, memory: 128Gi, gpus: 2, onDemandShare: 0.5 }
      "dev-cpu-on-demand": { cpu: "16", memory: "64Gi" },
      "dev-cpu-spot": { cpu: "16", memory: "64Gi" },
      // Only GPU pool: all the GPUs; CPU and memory follow the roomiest GPU instance allowed
      // (g5.16xlarge/g6.16xlarge: 64 vCPU and 256 GiB per GPU) so they never block a GPU node.
      "dev-gpu-a10g-spot": { cpu: "128", memory: "512Gi", "nvidia.com/gpu": "2" },
    });
  });

  it("EC2NodeClasses: discovery by tag, IMDSv2 one hop, encrypted root volume, tagged with the group for billing", () => {
    const { manifests } = releaseValues(dandi().tf, "karpenter_pools_release") as { manifests: { kind: string; metadata: { name: string }; spec: Rec }[] };
    const nc = manifests.find((m) => m.kind === "EC2NodeClass" && m.metadata.name === "bican-cpu-spot")!.spec;
    expect(nc).toMatchObject({
      role: "dandi-karpenter-node",
      amiSelectorTerms: [{ alias: "al2023@v20260903" }],
      subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "dandi" } }],
      securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "dandi" } }],
      metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: "100Gi", volumeType: "gp3", encrypted: true } }],
    });
    expect(nc.tags).toMatchObject({ "dandihub:deployment": "dandi", project: "dandi", "dandihub:group": "bican", "dandihub:pool": "bican-cpu-spot" });
    // The EKS module tags the node security group for discovery with the same tag.
    expect(mod(dandi().tf, "cluster_eks").node_security_group_tags).toEqual({ "karpenter.sh/discovery": "dandi" });
  });

  it("the pools chart ships inside the stack directory", () => {
    const release = dandi().tf.resource.helm_release.karpenter_pools_release;
    expect(release.chart).toMatch(/^assets\//);
    expect(release.repository).toBeUndefined();
  });

  it("the NVIDIA device plugin is installed only when some profile has a GPU", () => {
    expect(dandi().tf.resource.helm_release["gpu_device-plugin_release"]).toMatchObject({ chart: "nvidia-device-plugin" });
    expect(minimal().tf.resource.helm_release["gpu_device-plugin_release"]).toBeUndefined();
  });
});

describe("load balancer controller", () => {
  it("runs with its own Pod Identity role before the hub's Service exists", () => {
    const role = mod(dandi().tf, "lb-controller_role");
    expect(role).toMatchObject({ attach_aws_lb_controller_policy: true });
    expect(role.associations).toEqual({
      controller: { cluster_name: "${module.cluster_eks.cluster_name}", namespace: "kube-system", service_account: "aws-load-balancer-controller" },
    });
    const hub = dandi().tf.resource.helm_release.jupyterhub_chart_release;
    expect(hub.depends_on).toContain("helm_release.lb-controller_chart_release");
    expect(releaseValues(dandi().tf, "lb-controller_chart_release")).toMatchObject({ clusterName: "dandi", vpcId: "${module.network_vpc.vpc_id}" });
  });

  it("its Service webhook is off (no race with releases that create Services), so every LoadBalancer names the controller itself", () => {
    for (const [variant, get] of Object.entries(VARIANTS)) {
      const { tf } = get();
      expect((releaseValues(tf, "lb-controller_chart_release") as Rec).enableServiceMutatorWebhook, variant).toBe(false);
      // The only LoadBalancer Service: the hub's proxy-public. Without the webhook, only this
      // annotation keeps it from Kubernetes' legacy controller (a Classic Load Balancer).
      const proxy = (releaseValues(tf, "jupyterhub_chart_release") as { proxy: { service: { type: string; annotations: Record<string, string> } } }).proxy.service;
      expect(proxy.type).toBe("LoadBalancer");
      expect(proxy.annotations["service.beta.kubernetes.io/aws-load-balancer-type"], variant).toBe("external");
      // No other release asks for a LoadBalancer.
      for (const [address, r] of Object.entries(tf.resource.helm_release)) {
        if (address !== "jupyterhub_chart_release") expect(String((r.values as string[])[0]), `${variant} ${address}`).not.toMatch(/"type":"LoadBalancer"/);
      }
    }
  });
});

describe("providers and backends", () => {
  it("tags every AWS resource through the provider's default tags", () => {
    const aws = dandi().tf.provider.aws[0] as { default_tags: { tags: Rec }[]; region: string };
    expect(aws.region).toBe("us-east-2");
    expect(aws.default_tags[0].tags).toEqual({ "dandihub:deployment": "dandi", "managed-by": "dandihub", project: "dandi", owner: "dandi-infrastructure" });
  });

  it("passes the same tags to every module that takes them", () => {
    for (const [address, m] of Object.entries(dandi().tf.module)) {
      expect(m.tags, address).toMatchObject({ "dandihub:deployment": "dandi", project: "dandi" });
    }
  });

  it("pins the account when one is configured", () => {
    const s = synth(minimalYaml({ aws: "aws:\n  region: us-east-1\n  accountId: '123456789012'" }), { name: "pinned" });
    expect((s.tf.provider.aws[0] as Rec).allowed_account_ids).toEqual(["123456789012"]);
  });

  it("helm and kubernetes talk to the new cluster via `aws eks get-token` by default", () => {
    const helm = dandi().tf.provider.helm[0] as { kubernetes: { host: string; exec: { command: string; args: string[] } } };
    expect(helm.kubernetes.host).toBe("${module.cluster_eks.cluster_endpoint}");
    expect(helm.kubernetes.exec.command).toBe("aws");
    expect(helm.kubernetes.exec.args).toEqual(["eks", "get-token", "--cluster-name", "${module.cluster_eks.cluster_name}", "--region", "us-east-2", "--output", "json"]);
  });

  it("S3 backend: encrypted, with the native lockfile", () => {
    expect(dandi().tf.terraform.backend).toEqual({
      s3: { bucket: "dandihub-terraform-state", key: "dandi/terraform.tfstate", region: "us-east-2", encrypt: true, use_lockfile: true },
    });
  });

  it("local backend by default: state in the project directory, outside cdktf.out (which synth rewrites)", () => {
    // Terraform runs in cdktf.out/stacks/<name>; three levels up is the project directory.
    expect(minimal().tf.terraform.backend).toEqual({ local: { path: "../../../terraform.minimal.tfstate" } });
  });

  it("Terraform Cloud: a named workspace, run locally or on an agent, always with exec auth", () => {
    const cloud = (mode: string) => `backend:\n  cloud:\n    organization: dandi\n    workspace: dandi-hub\n    executionMode: ${mode}`;
    const s = synth(minimalYaml({ name: "name: tfc", backend: cloud("local") }), { name: "tfc" });
    expect(s.tf.terraform.cloud).toEqual({ organization: "dandi", workspaces: { name: "dandi-hub" } });
    // A token read at plan time lasts 15 minutes; a first apply waits longer on the hub alone.
    for (const k8s of [s.tf.provider.kubernetes[0] as Rec, (s.tf.provider.helm[0] as Rec).kubernetes as Rec]) {
      expect(k8s.token).toBeUndefined();
      expect(JSON.stringify(k8s.exec)).toContain('"command":"aws"');
    }
    expect(s.tf.data?.aws_eks_cluster_auth).toBeUndefined();
    expect((s.tf.module.cluster_eks as Rec).security_group_additional_rules).toBeUndefined();
    // An agent's private network reaches the private endpoint.
    const agent = VARIANTS["dev-dummy-cloud"]().tf.module.cluster_eks as Rec;
    expect(agent.security_group_additional_rules).toEqual({
      "terraform-agent": { type: "ingress", protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["10.200.0.0/24"], description: "Kubernetes API from the HCP Terraform agent" },
    });
  });

  it("Terraform Cloud without an execution mode is refused: its remote runners cannot reach the cluster", () => {
    const err = problemsOf(minimalYaml({ backend: "backend:\n  cloud:\n    organization: dandi\n    workspace: dandi-hub" }));
    expect(err.format()).toMatch(/config\/test\.yaml:\d+:\d+  backend\.cloud = \{\.\.\.\}: say where Terraform runs: executionMode: local .* or agent .*remote runners cannot/);
    const agentOnly = problemsOf(minimalYaml({ backend: "backend:\n  cloud:\n    organization: dandi\n    workspace: w\n    executionMode: local\n    agentCidrs: [10.9.0.0/24]" }));
    expect(agentOnly.format()).toContain("backend.cloud.agentCidrs = [list of 1]: only for executionMode: agent");
  });
});

describe("outputs", () => {
  it("hub URL, cluster name, kubectl command and the DNS target", () => {
    const o = dandi().tf.output;
    expect(o.hub_url.value).toBe("https://hub.dandiarchive.org");
    expect(o.cluster_name.value).toBe("${module.cluster_eks.cluster_name}");
    expect(o.configure_kubectl.value).toBe("aws eks update-kubeconfig --region us-east-2 --name dandi");
    expect(o.load_balancer_hostname.value).toBe("${data.kubernetes_service_v1.jupyterhub_proxy-public.status[0].load_balancer[0].ingress[0].hostname}");
  });
});

describe("one apply from an empty account", () => {
  const RESOURCE_TYPES_NEEDING_A_LIVE_CLUSTER_AT_PLAN = ["kubernetes_manifest"];

  it("uses no resource that needs a reachable cluster at plan time", () => {
    for (const s of [dandi(), minimal()]) {
      for (const type of RESOURCE_TYPES_NEEDING_A_LIVE_CLUSTER_AT_PLAN) expect(s.tf.resource[type]).toBeUndefined();
    }
  });

  it("every in-cluster resource waits for the cluster (depends_on or a module reference)", () => {
    const tf = dandi().tf;
    for (const [type, items] of Object.entries(tf.resource)) {
      if (!type.startsWith("helm_") && !type.startsWith("kubernetes_")) continue;
      for (const [name, r] of Object.entries(items)) {
        const deps = JSON.stringify(r.depends_on ?? []);
        expect(deps, `${type}.${name}`).toMatch(/module\.cluster_eks|helm_release\.|kubernetes_|module\.karpenter_iam/);
      }
    }
  });

  it("writes no path of the synthesizing machine into the output", () => {
    for (const s of [dandi(), minimal()]) {
      for (const local of [ROOT, process.cwd(), homedir(), s.dir, join(s.dir, "..", "..")]) expect(s.text).not.toContain(local);
      for (const [name, r] of Object.entries(s.tf.resource.helm_release)) {
        // A registry chart name, or a chart shipped inside the stack directory.
        expect(r.chart, name).toMatch(/^(assets\/|[a-z][a-z0-9-]*$)/);
      }
    }
  });
});

describe("audit trails", () => {
  it("every control-plane log type and REJECT flow logs by default; the narrower settings when asked", () => {
    const tf = synth("config/dandi.yaml").tf;
    expect(tf.module.cluster_eks.enabled_log_types).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    expect(tf.module.network_vpc).toMatchObject({ enable_flow_log: true, create_flow_log_cloudwatch_log_group: true, create_flow_log_cloudwatch_iam_role: true, flow_log_traffic_type: "REJECT", flow_log_cloudwatch_log_group_retention_in_days: 90 });
    const narrow = synth(
      minimalYaml({ cluster: "cluster:\n  admins: ['arn:aws:iam::123456789012:role/dandihub-deploy']\n  endpointPublicAccessCidrs: [203.0.113.0/24]\n  controlPlaneLogs: audit" }) + "network:\n  flowLogs: { enabled: false }\n",
      { name: "narrow-logs" },
    ).tf;
    expect(narrow.module.cluster_eks.enabled_log_types).toEqual(["api", "audit", "authenticator"]);
    expect(narrow.module.network_vpc.enable_flow_log).toBeUndefined();
  });
});

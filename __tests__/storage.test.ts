import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
/** Homes, shared directories, scratch, cleanup, retention, backups and destroy guards. */
import { describe, expect, it } from "vitest";
import { spreadMinute } from "../src/features/storage/jobs";
import { claimName } from "../src/features/storage/layout";
import { hubSettings, minimalYaml, problemsOf, releaseValues, synth, VARIANTS, type TfJson } from "./helpers";

type Rec = Record<string, any>;
const dandi = () => synth("config/dandi.yaml");
const dedicatedDandi = () => synth(readFileSync(join(__dirname, "..", "config/dandi.yaml"), "utf8").replace("storage:\n  mode: home-nfs\n", "storage:\n  mode: home-nfs\n  servers: dedicated\n"), { name: "dandi" });
const efs = () => VARIANTS["dev-dummy-cloud"]();

const res = (tf: TfJson, type: string): Record<string, Rec> => (tf.resource[type] ?? {}) as Record<string, Rec>;

describe("home-nfs mode: a volume and NFS server per group, hard quotas", () => {
  it("quotas per user and per group reach each group's quota enforcer", () => {
    const q = (release: string) => (releaseValues(dandi().tf, release) as Rec).quotaEnforcer.config.QuotaManager;
    expect(q("storage_dandi_server_release")).toEqual({
      paths: ["/export"],
      hard_quota: 50,
      quota_overrides: { satra: 200, _shared: 1024 },
      exclude: ["_reports"],
      wait_time: 30,
      min_projid: 1000,
      // The All_Squash export's anonymous identity: jovyan, as user servers run.
      uid: 1000,
      gid: 100,
    });
    const hub = releaseValues(dandi().tf, "jupyterhub_chart_release") as Rec;
    expect([hub.singleuser.uid, hub.singleuser.fsGid]).toEqual([1000, 100]);
    expect(q("storage_linc_server_release")).toMatchObject({ hard_quota: 50, quota_overrides: { _shared: 500 } });
    expect(q("storage_workshop_server_release")).toMatchObject({ hard_quota: 5, quota_overrides: { _shared: 50 } });
    // Defaults for a group that says nothing: 10Gi homes, 100Gi shared.
    expect(q("storage_bican_server_release")).toMatchObject({ hard_quota: 10, quota_overrides: { _shared: 100 } });
  });

  it("each server serves our encrypted volume, runs on a core node in the volume's zone (or a storage node of its own), and is never disrupted", () => {
    const zone = "${element(data.aws_availability_zones.network_zones.names, 0)}";
    const onCore = releaseValues(dandi().tf, "storage_dandi_server_release") as Rec;
    expect(onCore.nodeSelector).toEqual({ "hub.jupyter.org/node-purpose": "core", "dandihub.org/node-role": "core", "eks.amazonaws.com/capacityType": "ON_DEMAND", "topology.kubernetes.io/zone": zone });
    expect(onCore.tolerations).toBeUndefined();
    expect((releaseValues(dandi().tf, "karpenter_pools_release") as { manifests: Rec[] }).manifests.some((m) => m.metadata.name === "storage")).toBe(false);
    const tf = dedicatedDandi().tf;
    const v = releaseValues(tf, "storage_dandi_server_release") as Rec;
    expect(v.eks).toEqual({ enabled: true, volumeId: "${aws_ebs_volume.storage_dandi_volume.id}" });
    expect(v.nodeSelector).toEqual({ "dandihub.org/node-role": "storage", "topology.kubernetes.io/zone": zone });
    expect(v.annotations).toEqual({ "karpenter.sh/do-not-disrupt": "true" });
    expect(v.nfsServer).toMatchObject({ enableClientAllowlist: true, allowedClients: ["10.1.0.0/19", "10.1.32.0/19"] });
    expect(res(tf, "aws_ebs_volume").storage_dandi_volume).toMatchObject({
      size: 20,
      type: "gp3",
      encrypted: true,
      availability_zone: "${element(data.aws_availability_zones.network_zones.names, 0)}",
      tags: { "dandihub:group": "dandi", "dandihub:backup": "daily" },
    });
    const { manifests } = releaseValues(tf, "karpenter_pools_release") as { manifests: Rec[] };
    const storagePool = manifests.find((m) => m.kind === "NodePool" && m.metadata.name === "storage")!;
    expect(storagePool.spec.template.spec.requirements).toContainEqual({ key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] });
    // The zone is the servers' choice (their nodeSelector, above), not the pool's: its values carry no Terraform reference.
    expect(storagePool.spec.template.spec.requirements.map((r: Rec) => r.key)).not.toContain("topology.kubernetes.io/zone");
    expect(res(tf, "helm_release").karpenter_pools_release.values[0]).not.toContain("${");
  });

  it("a claim per volume in the hub's namespace, bound to an NFS export at its own Service's address", () => {
    const tf = dandi().tf;
    for (const volume of ["common", "dandi", "linc", "bican", "ember", "workshop"]) {
      const claim = res(tf, "kubernetes_persistent_volume_claim_v1")[`storage_${volume}_claim`];
      expect(claim.metadata).toMatchObject({ name: claimName(volume), namespace: "${kubernetes_namespace_v1.hub-namespace.metadata[0].name}" });
      const pv = res(tf, "kubernetes_persistent_volume_v1")[`storage_${volume}_pv`];
      expect(pv.spec[0]).toMatchObject({
        persistent_volume_reclaim_policy: "Retain",
        access_modes: ["ReadWriteMany"],
        persistent_volume_source: { nfs: { server: `\${kubernetes_service_v1.storage_${volume}_service.spec[0].cluster_ip}`, path: "/" } },
      });
      // Kubernetes assigns the address: nothing ties it to the volume's position among the groups.
      expect(res(tf, "kubernetes_service_v1")[`storage_${volume}_service`].spec.cluster_ip).toBeUndefined();
    }
  });

  it("only nodes reach the NFS servers: the server's policy admits the nodes' subnets, an AdminNetworkPolicy refuses every pod", () => {
    const { manifests } = releaseValues(dandi().tf, "isolation_policies_release") as { manifests: Rec[] };
    const server = manifests.find((m) => m.kind === "NetworkPolicy" && m.metadata.namespace === "storage-dandi" && m.metadata.name === "dandihub-nfs-server")!;
    expect(server.spec.podSelector).toEqual({ matchLabels: { app: "nfs-server" } });
    expect(server.spec.ingress).toEqual([
      {
        from: [{ ipBlock: { cidr: "10.1.0.0/19" } }, { ipBlock: { cidr: "10.1.32.0/19" } }],
        ports: [
          { port: 2049, protocol: "TCP" },
          { port: 20048, protocol: "TCP" },
          { port: 111, protocol: "TCP" },
        ],
      },
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }], ports: [{ port: 9100, protocol: "TCP" }] },
    ]);
    const anp = manifests.find((m) => m.kind === "AdminNetworkPolicy")!;
    expect(anp.spec.subject).toEqual({ namespaces: { matchLabels: { "dandihub.org/role": "nfs-server" } } });
    expect(anp.spec.ingress[0]).toMatchObject({ action: "Deny", from: [{ namespaces: {} }] });
    expect((res(dandi().tf, "kubernetes_namespace_v1") as Rec).storage_dandi_namespace.metadata.labels["dandihub.org/role"]).toBe("nfs-server");
    // The server's own allowlist is no wider: the nodes' subnets, not the whole VPC.
    expect((releaseValues(dandi().tf, "storage_dandi_server_release") as Rec).nfsServer.allowedClients).toEqual(["10.1.0.0/19", "10.1.32.0/19"]);
  });

  it("user pods mount only their own subPath: storage comes from the pre-spawn hook, not the chart", () => {
    const v = releaseValues(dandi().tf, "jupyterhub_chart_release") as Rec;
    expect(v.singleuser.storage).toEqual({ type: "none", homeMountPath: "/home/jovyan" });
    const s = hubSettings(v);
    expect(s.storage.paths).toEqual({
      home: "/home/jovyan",
      groupShared: "/shared/{group}",
      common: "/shared/hub",
      otherHome: "/mnt/homes/{group}",
      allHomes: "/mnt/all-homes/{group}",
    });
    expect(s.groups.dandi.storage).toEqual({
      claim: "home-dandi",
      homeQuota: "50Gi",
      sharedQuota: "1024Gi",
      quotaOverrides: { satra: "200Gi" },
      scratchBucketRef: { configMap: "dandihub-storage-refs", key: "bucket.dandi" },
      serviceAccount: "user-dandi",
    });
  });
});

describe("efs mode", () => {
  it("an encrypted file system per volume with mount targets in every zone, the EFS CSI driver, no NFS servers", () => {
    const tf = efs().tf;
    expect(res(tf, "aws_efs_file_system")["storage_dev_file-system"]).toMatchObject({ encrypted: true, throughput_mode: "elastic", tags: { "dandihub:group": "dev", "dandihub:backup": "daily" } });
    expect(Object.keys(res(tf, "aws_efs_mount_target")).sort()).toEqual(["storage_common_mount-target-0", "storage_common_mount-target-1", "storage_dev_mount-target-0", "storage_dev_mount-target-1"]);
    // Through an access point that makes every access jovyan's (no chown, no root init container).
    expect(res(tf, "kubernetes_persistent_volume_v1").storage_dev_pv.spec[0].persistent_volume_source).toEqual({
      csi: { driver: "efs.csi.aws.com", volume_handle: "${aws_efs_file_system.storage_dev_file-system.id}::${aws_efs_access_point.storage_dev_access-point.id}" },
    });
    expect(res(tf, "aws_efs_access_point")["storage_dev_access-point"]).toMatchObject({
      file_system_id: "${aws_efs_file_system.storage_dev_file-system.id}",
      posix_user: { uid: 1000, gid: 100 },
      root_directory: { path: "/dandihub", creation_info: { owner_uid: 1000, owner_gid: 100, permissions: "0775" } },
    });
    expect((tf.module.cluster_eks.addons as Rec)["aws-efs-csi-driver"]).toBeDefined();
    expect(Object.keys(tf.resource.helm_release).filter((r) => r.includes("server"))).toEqual([]);
    const { manifests } = releaseValues(tf, "karpenter_pools_release") as { manifests: Rec[] };
    expect(manifests.some((m) => m.metadata.name === "storage")).toBe(false);
    expect(res(tf, "aws_vpc_security_group_ingress_rule")["storage_efs-from-nodes"]).toMatchObject({ from_port: 2049, to_port: 2049, referenced_security_group_id: "${module.cluster_eks.node_security_group_id}" });
  });
});

describe("scratch: a bucket per group, a prefix per server", () => {
  it("encrypted, private, versioned, scratch expires, home archives move to Glacier IR", () => {
    const tf = dandi().tf;
    const bucket = res(tf, "aws_s3_bucket")["storage_ember-bucket_bucket"];
    expect(bucket).toMatchObject({ bucket_prefix: "dandi-ember-", force_destroy: false, tags: { "dandihub:group": "ember" } });
    expect(res(tf, "aws_s3_bucket_public_access_block")["storage_ember-bucket_public-access-block"]).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(res(tf, "aws_s3_bucket_server_side_encryption_configuration")["storage_ember-bucket_encryption"].rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe("aws:kms");
    const rules = res(tf, "aws_s3_bucket_lifecycle_configuration")["storage_ember-bucket_lifecycle"].rule as Rec[];
    expect(rules.find((r) => r.id === "scratch-expiry")).toMatchObject({ filter: [{ prefix: "scratch/" }], expiration: [{ days: 30 }] });
    expect(rules.find((r) => r.id === "home-archives")).toMatchObject({ filter: [{ prefix: "home-archives/" }], transition: [{ days: 30, storage_class: "GLACIER_IR" }] });
  });

  it("a server's AWS identity may use only its own scratch prefix, through Pod Identity per group", () => {
    const role = dandi().tf.module["user-access_ember-role"];
    expect(role.associations).toEqual({ user: { cluster_name: "${module.cluster_eks.cluster_name}", namespace: "${kubernetes_namespace_v1.hub-namespace.metadata[0].name}", service_account: "user-ember" } });
    const statements = role.policy_statements as Rec[];
    expect(statements.map((s) => s.sid)).toEqual(["ListOwnScratch", "UseOwnScratch"]);
    // IAM's own variable, escaped for Terraform.
    expect(statements[1].resources).toEqual(["${aws_s3_bucket.storage_ember-bucket_bucket.arn}/scratch/$${aws:PrincipalTag/kubernetes-pod-name}/*"]);
    expect(statements[0].condition).toEqual([{ test: "StringLike", variable: "s3:prefix", values: ["scratch/$${aws:PrincipalTag/kubernetes-pod-name}", "scratch/$${aws:PrincipalTag/kubernetes-pod-name}/*"] }]);
    for (const s of statements) for (const r of s.resources as string[]) expect(r).not.toBe("*");
    expect(dandi().tf.resource.kubernetes_service_account_v1["user-access_ember-service-account"]).toMatchObject({ automount_service_account_token: false });
  });
});

describe("cleanup and the inactive-home policy", () => {
  const jobs = (tf: TfJson) => (releaseValues(tf, "storage-jobs_jobs_release") as { manifests: Rec[] }).manifests;

  it("cleanup is a CronJob per entry, a dry run by default, as the data's owner, never root", () => {
    const [job] = jobs(dandi().tf).filter((m) => m.kind === "CronJob" && m.metadata.name.startsWith("dandihub-cleanup"));
    expect(job.metadata.name).toBe("dandihub-cleanup-0-dandi-scratch");
    expect(job.spec.schedule).toBe("0 4 * * *");
    const pod = job.spec.jobTemplate.spec.template.spec;
    const [c] = pod.containers;
    expect(c.command).toEqual(["python3", "-m", "dandihub_jobs.cleanup"]);
    expect(c.args).toEqual(["--root", "/data/_shared", "--path", "scratch", "--older-than", "2592000", "--report-dir", "/data/_reports", "--name", "cleanup-dandi-scratch"]);
    expect(c.args).not.toContain("--apply");
    expect(c.securityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(pod.volumes[0]).toEqual({ name: "data", persistentVolumeClaim: { claimName: "home-dandi" } });
  });

  it("only an explicit dryRun: false applies", () => {
    const cleanups = jobs(efs().tf).filter((m) => m.metadata.name.startsWith("dandihub-cleanup"));
    const args = cleanups.map((j) => j.spec.jobTemplate.spec.template.spec.containers[0].args as string[]);
    expect(args[0]).toContain("--apply");
    expect(args[1]).not.toContain("--apply");
    expect(cleanups[1].spec.jobTemplate.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe("shared-common");
  });

  it("retention per group: hub activity through a service token, archives to the group's bucket, dry run by default", () => {
    const r = jobs(dandi().tf).find((m) => m.metadata.name === "dandihub-retention-dandi")!;
    expect(r.spec.schedule).toBe(`${spreadMinute("dandi", 60)} 6 * * 1`);
    const pod = r.spec.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).toBe("dandihub-retention");
    const c = pod.containers[0];
    expect(c.args).toEqual([
      "--homes", "/homes", "--volume", "dandi", "--bucket", "$(BUCKET)",
      "--hub-api", "http://hub.jupyterhub.svc:8081/hub/api", "--warn-after", "2592000", "--reset-after", "3888000", "--report-dir", "/homes/_reports",
    ]);
    expect(c.env).toContainEqual({ name: "JUPYTERHUB_API_TOKEN", valueFrom: { secretKeyRef: { name: "hub", key: "hub.services.dandihub-retention.apiToken" } } });
    expect(c.env).toContainEqual({ name: "BUCKET", valueFrom: { configMapKeyRef: { name: "dandihub-storage-refs", key: "bucket.dandi" } } });
    const hub = releaseValues(dandi().tf, "jupyterhub_chart_release") as Rec;
    expect(hub.hub.services["dandihub-retention"]).toEqual({ display: false });
    expect(hub.hub.loadRoles["dandihub-retention"].scopes).toEqual(["list:users", "read:users:name", "read:users:activity"]);
    const role = dandi().tf.module["user-access_retention-role"];
    expect((role.policy_statements as Rec[])[0].actions).toEqual(["s3:PutObject", "s3:AbortMultipartUpload"]);
    expect(jobs(efs().tf).find((m) => m.metadata.name === "dandihub-retention-dev")!.spec.jobTemplate.spec.template.spec.containers[0].args).toContain("--apply");
  });

  it("the job code shipped is the code in jobs/dandihub_jobs", () => {
    const cm = jobs(dandi().tf).find((m) => m.kind === "ConfigMap")!;
    const files = readdirSync(join(__dirname, "..", "jobs", "dandihub_jobs")).filter((f) => f.endsWith(".py")).sort();
    expect(files).toContain("retention.py");
    expect(Object.keys(cm.data).sort()).toEqual(files);
    for (const f of files) expect(cm.data[f]).toBe(readFileSync(join(__dirname, "..", "jobs", "dandihub_jobs", f), "utf8"));
  });
});

describe("backups and destroy guards", () => {
  const USER_DATA = ["aws_ebs_volume", "aws_efs_file_system", "aws_s3_bucket", "aws_backup_vault"];

  it("every volume, file system and bucket holding user data is guarded against destroy", () => {
    for (const s of [dandi(), synth("config/minimal.yaml")]) {
      let count = 0;
      for (const type of USER_DATA) {
        for (const [name, r] of Object.entries(res(s.tf, type))) {
          count++;
          expect(r.lifecycle?.prevent_destroy, `${type}.${name}`).toBe(true);
        }
      }
      expect(count).toBeGreaterThanOrEqual(3);
    }
  });

  it("every volume and file system is in the daily backup, kept for storage.backups.keepDays", () => {
    const tf = dandi().tf;
    for (const type of ["aws_ebs_volume", "aws_efs_file_system"]) {
      for (const [name, r] of Object.entries(res(tf, type))) expect(r.tags["dandihub:backup"], `${type}.${name}`).toBe("daily");
    }
    expect(res(tf, "aws_backup_selection")["storage_backup-selection"].selection_tag).toEqual([{ type: "STRINGEQUALS", key: "dandihub:backup", value: "daily" }]);
    expect(res(tf, "aws_backup_plan")["storage_backup-plan"].rule[0]).toMatchObject({ schedule: "cron(0 5 * * ? *)", lifecycle: { delete_after: 14 } });
  });

  it("storage.allowDestroy: true lifts the guard (the documented teardown switch)", () => {
    for (const type of USER_DATA) {
      for (const r of Object.values(res(efs().tf, type))) expect(r.lifecycle?.prevent_destroy).toBe(false);
    }
  });

  it("a volume's zone may not move it: replacing it would destroy the data", () => {
    expect(res(dandi().tf, "aws_ebs_volume").storage_common_volume.lifecycle.ignore_changes).toContain("availability_zone");
  });
});

describe("storage checks", () => {
  it("rejects quotas larger than the volume and unknown cleanup volumes", () => {
    const problems = (yaml: string) => problemsOf(yaml).format();
    expect(problems(minimalYaml().replace("limits: { cpu: 64, memory: 256Gi }", "limits: { cpu: 64, memory: 256Gi }\n    storage: { homeQuota: 900Gi, volumeSize: 100Gi }"))).toContain(
      'groups.team.storage.homeQuota = "900Gi": larger than the group\'s volume (100Gi)',
    );
    expect(problems(minimalYaml() + "storage:\n  cleanup:\n    - { volume: nope, path: x, olderThan: 1d }\n")).toContain('storage.cleanup[0].volume = "nope": no such shared directory');
    expect(problems(minimalYaml() + "storage:\n  retention: { warnAfter: 30d, resetAfter: 7d }\n")).toContain("storage.retention.resetAfter");
  });
});

describe("volumes that grow as they fill", () => {
  const growers = (tf: TfJson) => (releaseValues(tf, "storage-jobs_jobs_release") as { manifests: Rec[] }).manifests.filter((m) => m.metadata.name.startsWith("dandihub-grow-"));

  it("start small, whatever the cap; Terraform never sets their size again", () => {
    const volumes = res(dandi().tf, "aws_ebs_volume");
    for (const v of ["common", "dandi", "linc", "bican", "ember", "workshop"]) {
      expect(volumes[`storage_${v}_volume`].size, v).toBe(20);
      expect(volumes[`storage_${v}_volume`].lifecycle.ignore_changes).toEqual(["availability_zone", "size"]);
    }
    // The server's claim and PV keep the first size; its resizer grows the file system.
    expect((releaseValues(dandi().tf, "storage_dandi_server_release") as Rec).autoResizer).toEqual({ enabled: true });
    const small = synth(minimalYaml().replace("limits: { cpu: 64, memory: 256Gi }", "limits: { cpu: 64, memory: 256Gi }\n    storage: { volumeSize: 8Gi, homeQuota: 1Gi, sharedQuota: 2Gi }"), { name: "small-cap" });
    expect(res(small.tf, "aws_ebs_volume").storage_team_volume.size).toBe(8);
  });

  it("one grower per volume, with its cap and threshold, on its own claim, with its role", () => {
    const jobs = growers(dandi().tf);
    expect(jobs.map((j) => j.metadata.name).sort()).toEqual(["common", "dandi", "linc", "bican", "ember", "workshop"].map((v) => `dandihub-grow-${v}`).sort());
    const dandiJob = jobs.find((j) => j.metadata.name === "dandihub-grow-dandi")!;
    const pod = dandiJob.spec.jobTemplate.spec.template.spec;
    const o = spreadMinute("dandi", 15);
    expect(dandiJob.spec.schedule).toBe(`${o},${o + 15},${o + 30},${o + 45} * * * *`);
    expect(pod.containers[0].command).toEqual(["python3", "-m", "dandihub_jobs.grow"]);
    expect(pod.containers[0].args).toEqual(["--mount", "/data", "--volume-id", "$(VOLUME_ID)", "--cap-gib", "2048", "--history", "/data/_reports/grow-history.json", "--threshold", "0.8"]);
    // The volume's id is a Terraform reference: it comes from the small refs ConfigMap, not the release's values.
    expect(pod.containers[0].env).toContainEqual({ name: "VOLUME_ID", valueFrom: { configMapKeyRef: { name: "dandihub-storage-refs", key: "volume-id.dandi" } } });
    const refs = dandi().tf.resource.kubernetes_config_map_v1["storage-jobs_refs"] as Rec;
    expect(refs.metadata).toMatchObject({ name: "dandihub-storage-refs" });
    expect(refs.data).toMatchObject({ "volume-id.dandi": "${aws_ebs_volume.storage_dandi_volume.id}", "bucket.dandi": "${aws_s3_bucket.storage_dandi-bucket_bucket.bucket}" });
    expect((dandi().tf.resource.helm_release["storage-jobs_jobs_release"] as { values: string[] }).values[0]).not.toMatch(/(?<!\$)\$\{(aws|terraform)_/);
    expect(pod.volumes[0]).toEqual({ name: "data", persistentVolumeClaim: { claimName: claimName("dandi") } });
    expect(pod.serviceAccountName).toBe("dandihub-volume-grower");
    const role = dandi().tf.module["volume-grower_role"] as Rec;
    const statements = role.policy_statements as Rec[];
    // ModifyVolume on exactly this deployment's volumes, by ARN.
    expect(statements[0]).toEqual({ sid: "GrowOwnVolumes", actions: ["ec2:ModifyVolume"], resources: ["common", "dandi", "linc", "bican", "ember", "workshop"].map((v) => `\${aws_ebs_volume.storage_${v}_volume.arn}`) });
    expect(statements[1]).toEqual({ sid: "ReadVolumes", actions: ["ec2:DescribeVolumes", "ec2:DescribeVolumesModifications"], resources: ["*"] });
    expect(role.associations).toMatchObject({ grower: { namespace: "${kubernetes_namespace_v1.hub-namespace.metadata[0].name}", service_account: "dandihub-volume-grower" } });
  });

  it("an alert when a volume reaches its cap, from each volume's cap", () => {
    const rules = (tf: TfJson) => (releaseValues(tf, "monitoring_dandihub_release") as { manifests: Rec[] }).manifests.find((m) => m.kind === "PrometheusRule")!.spec.groups.flatMap((g: Rec) => g.rules) as Rec[];
    const atCap = rules(dandi().tf).find((r) => r.alert === "DandihubVolumeAtCap")!;
    expect(atCap.expr).toContain(`label_replace(vector(${2048 * 2 ** 30}), "volume", "dandi", "", "")`);
    expect(atCap.expr).toContain(`label_replace(vector(${200 * 2 ** 30}), "volume", "common", "", "")`);
    expect(atCap.expr).toMatch(/^\(1 - dandihub_volume_free_bytes \/ dandihub_volume_size_bytes\) > 0\.8 and on \(volume\)/);
  });

  it("with growth off: made at full size, sized by Terraform, no grower and no role", () => {
    const fixed = synth(readFileSync(join(__dirname, "..", "config/dandi.yaml"), "utf8").replace("storage:\n  mode: home-nfs\n", "storage:\n  mode: home-nfs\n  growth: { enabled: false }\n"), { name: "dandi" });
    expect(res(fixed.tf, "aws_ebs_volume").storage_dandi_volume).toMatchObject({ size: 2048, lifecycle: { ignore_changes: ["availability_zone"] } });
    expect(growers(fixed.tf)).toEqual([]);
    expect(fixed.tf.module["volume-grower_role"]).toBeUndefined();
  });

  it("an initial size above the cap is refused", () => {
    const problems = problemsOf(minimalYaml().replace("limits: { cpu: 64, memory: 256Gi }", "limits: { cpu: 64, memory: 256Gi }\n    storage: { volumeSize: 100Gi, initialSize: 200Gi }")).format();
    expect(problems).toContain('groups.team.storage.initialSize = "200Gi": larger than volumeSize (100Gi), the most the volume may grow to');
  });
});

describe("where NFS servers run", () => {
  const cluster = (core: string) => `cluster:\n  admins: ['arn:aws:iam::123456789012:role/dandihub-deploy']\n  endpointPublicAccessCidrs: [203.0.113.0/24]\n  coreNodes: ${core}`;

  it("on the core node in their zone when it can hold them: amd64, one per zone, few enough volumes", () => {
    expect(synth(minimalYaml({ cluster: cluster("{ instanceTypes: [t3a.large] }") }), { name: "amd64-core" }).config.storage.servers).toBe("core");
    // Graviton core nodes: the server images are amd64 only.
    expect(synth(minimalYaml(), { name: "arm64-core" }).config.storage.servers).toBe("dedicated");
    expect(synth(minimalYaml({ cluster: cluster("{ instanceTypes: [t3a.large], desired: 1 }") }), { name: "one-core" }).config.storage.servers).toBe("dedicated");
    const many = minimalYaml({
      cluster: cluster("{ instanceTypes: [t3a.large] }"),
      groups: `groups:\n${Array.from({ length: 20 }, (_, i) => `  g${i + 10}:\n    displayName: G\n    members:\n      github: [example]\n    profiles: [small]\n    limits: { cpu: 64, memory: 256Gi }`).join("\n")}`,
    });
    expect(synth(many, { name: "many-groups" }).config.storage.servers).toBe("dedicated");
  });

  it("servers: core where they cannot run is refused, saying why", () => {
    expect(problemsOf(`${minimalYaml({ cluster: cluster("{ instanceTypes: [t3a.large], desired: 1 }") })}storage:\n  servers: core\n`).format()).toContain(
      `storage.servers = "core": NFS servers cannot run on the core nodes: cluster.coreNodes.desired (1) must be at least network.azs (2), so the volumes' zone has a core node; or set servers: dedicated`,
    );
    expect(problemsOf(`${minimalYaml()}storage:\n  servers: core\n`).format()).toContain("jupyterhub-home-nfs (NFS servers with storage.servers: core) has no arm64 image: use amd64 core types (e.g. t3a.large)");
  });
});

describe("jobs spread over time", () => {
  it("each group's retention job and each volume's grower start at their own minute; a schedule in the file is kept", () => {
    const keys = Array.from({ length: 500 }, (_, i) => `group-${i}`);
    const minutes = new Map<number, number>();
    for (const k of keys) minutes.set(spreadMinute(k, 60), (minutes.get(spreadMinute(k, 60)) ?? 0) + 1);
    // 500 groups over 60 minutes: about 8 a minute, never a pile-up.
    expect(minutes.size).toBeGreaterThan(54);
    expect(Math.max(...minutes.values())).toBeLessThan(20);
    const retention = (tf: TfJson) => (releaseValues(tf, "storage-jobs_jobs_release") as { manifests: Rec[] }).manifests.filter((m) => m.metadata.name.startsWith("dandihub-retention-")).map((m) => m.spec.schedule);
    expect(new Set(retention(dandi().tf)).size).toBeGreaterThan(1);
    const fixed = synth(readFileSync(join(__dirname, "..", "config/dandi.yaml"), "utf8").replace("  retention:\n", '  retention:\n    schedule: "30 5 * * 0"\n'), { name: "dandi" });
    expect(new Set(retention(fixed.tf))).toEqual(new Set(["30 5 * * 0"]));
  });
});

describe("backup vault lock", () => {
  it("off by default; with lock, governance mode at the backups' own retention", () => {
    expect(dandi().tf.resource.aws_backup_vault_lock_configuration).toBeUndefined();
    const locked = synth(readFileSync(join(__dirname, "..", "config/dandi.yaml"), "utf8").replace("  backups:\n    keepDays: 14\n", "  backups:\n    keepDays: 14\n    lock: true\n"), { name: "dandi" });
    expect(Object.values(locked.tf.resource.aws_backup_vault_lock_configuration as Record<string, Rec>)).toEqual([
      expect.objectContaining({ backup_vault_name: "${aws_backup_vault.storage_backup-vault.name}", min_retention_days: 14 }),
    ]);
    expect(JSON.stringify(locked.tf.resource.aws_backup_vault_lock_configuration)).not.toContain("changeable_for_days");
  });
});

describe("S3 access logs of the group buckets (checkov CKV_AWS_18)", () => {
  const byType = (tf: TfJson, type: string) => Object.entries((tf.resource[type] ?? {}) as Record<string, Record<string, any>>);

  it("every group bucket logs to one log bucket of the deployment, a prefix per group", () => {
    const tf = dandi().tf;
    const logging = byType(tf, "aws_s3_bucket_logging");
    const groups = ["dandi", "linc", "bican", "ember", "workshop"];
    expect(logging.map(([, l]) => l.target_prefix).sort()).toEqual(groups.map((g) => `${g}/`).sort());
    const [logAddress, logBucket] = byType(tf, "aws_s3_bucket").find(([, b]) => String(b.bucket_prefix).startsWith("dandi-s3-logs-"))!;
    for (const [, l] of logging) expect(l.target_bucket).toBe(`\${aws_s3_bucket.${logAddress}.id}`);
    // Every bucket holding user data logs; the log bucket itself does not.
    const groupBuckets = byType(tf, "aws_s3_bucket").filter(([a]) => /^storage_.+-bucket_bucket$/.test(a));
    expect(groupBuckets).toHaveLength(groups.length);
    for (const [a] of groupBuckets) expect(logging.some(([, l]) => l.bucket === `\${aws_s3_bucket.${a}.id}`), a).toBe(true);
    expect(logBucket.lifecycle).toEqual({ prevent_destroy: true });
  });

  it("the log bucket takes S3's log delivery for this deployment's buckets only, SSE-S3, kept keepDays", () => {
    const tf = dandi().tf;
    const [logAddress] = byType(tf, "aws_s3_bucket").find(([, b]) => String(b.bucket_prefix).startsWith("dandi-s3-logs-"))!;
    const scope = logAddress.replace(/_bucket$/, "");
    const policy = String(tf.resource.aws_s3_bucket_policy[`${scope}_policy`].policy);
    expect(policy).toContain('"Service" = "logging.s3.amazonaws.com"');
    expect(policy).toContain('"aws:SourceArn" = "arn:aws:s3:::dandi-*"');
    // The account the file names (aws.accountId); read at plan time when it names none.
    expect(policy).toContain('"aws:SourceAccount" = "123456789012"');
    const minimal = synth("config/minimal.yaml").tf;
    const minimalPolicy = Object.values(minimal.resource.aws_s3_bucket_policy as Record<string, { policy: string }>).find((p) => p.policy.includes("logging.s3.amazonaws.com"))!;
    expect(minimalPolicy.policy).toContain('"aws:SourceAccount" = data.aws_caller_identity.account.account_id');
    expect(JSON.stringify(tf.resource.aws_s3_bucket_server_side_encryption_configuration[`${scope}_encryption`])).toContain('"sse_algorithm":"AES256"');
    expect((tf.resource.aws_s3_bucket_lifecycle_configuration[`${scope}_lifecycle`] as { rule: { expiration: unknown }[] }).rule[0].expiration).toEqual([{ days: 365 }]);
  });

  it("storage.accessLogs.enabled: false leaves them out", () => {
    const off = synth(minimalYaml({ storage: "storage:\n  accessLogs:\n    enabled: false" }), { name: "nos3logs" });
    expect(off.tf.resource.aws_s3_bucket_logging).toBeUndefined();
    const on = synth(minimalYaml(), { name: "s3logs" });
    expect(Object.keys(on.tf.resource.aws_s3_bucket_logging)).toHaveLength(1);
  });
});

describe("the user data key (storage.kmsKey)", () => {
  const byType = (tf: TfJson, type: string) => Object.entries((tf.resource[type] ?? {}) as Record<string, Record<string, any>>);

  it("one customer key, rotated and destroy-guarded, encrypts the volumes, the hub database's class and the backup vault; the EBS CSI driver may use it", () => {
    const tf = dandi().tf;
    const [[keyAddress, key]] = byType(tf, "aws_kms_key");
    const arn = `\${aws_kms_key.${keyAddress}.arn}`;
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30, lifecycle: { prevent_destroy: true } });
    expect(byType(tf, "aws_kms_alias").map(([, a]) => a.name)).toEqual(["alias/dandi-user-data"]);
    const volumes = byType(tf, "aws_ebs_volume");
    expect(volumes.length).toBe(6);
    for (const [a, v] of volumes) expect(v.kms_key_id, a).toBe(arn);
    expect(byType(tf, "aws_backup_vault")[0][1].kms_key_arn).toBe(arn);
    const retained = byType(tf, "kubernetes_storage_class_v1").find(([, c]) => c.reclaim_policy === "Retain")![1];
    expect(retained.parameters.kmsKeyId).toBe(arn);
    expect(byType(tf, "kubernetes_storage_class_v1").find(([, c]) => c.reclaim_policy === "Delete")![1].parameters.kmsKeyId).toBeUndefined();
    expect((tf.module["cluster_ebs-csi-role"] as Record<string, unknown>).aws_ebs_csi_kms_arns).toEqual([arn]);
  });

  it("aws-managed: no key, the AWS managed ones; allowDestroy lifts the key's guard with the volumes'", () => {
    const managed = synth(minimalYaml({ storage: "storage:\n  kmsKey: aws-managed" }), { name: "awskeys" });
    expect(managed.tf.resource.aws_kms_key).toBeUndefined();
    for (const [, v] of byType(managed.tf, "aws_ebs_volume")) expect(v.kms_key_id).toBeUndefined();
    expect((managed.tf.module["cluster_ebs-csi-role"] as Record<string, unknown>).aws_ebs_csi_kms_arns).toBeUndefined();
    const teardown = synth(minimalYaml({ storage: "storage:\n  allowDestroy: true" }), { name: "keyteardown" });
    expect(byType(teardown.tf, "aws_kms_key")[0][1].lifecycle).toEqual({ prevent_destroy: false });
  });
});

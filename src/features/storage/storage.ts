import { BackupPlan } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { BackupVaultLockConfiguration } from "@cdktf/provider-aws/lib/backup-vault-lock-configuration";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { EfsAccessPoint } from "@cdktf/provider-aws/lib/efs-access-point";
import { EfsFileSystem } from "@cdktf/provider-aws/lib/efs-file-system";
import { EfsMountTarget } from "@cdktf/provider-aws/lib/efs-mount-target";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { PersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1";
import { PersistentVolumeV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { Construct } from "constructs";
import { DataResource, Fn, type ITerraformDependable } from "../../core/cdktf";
import { CHARTS } from "../../core/charts";
import { HelmChart } from "../../core/helm-chart";
import { BACKUP_TAG, DO_NOT_DISRUPT, GROUP_TAG, NFS_SERVER_ROLE, ON_DEMAND_CORE_NODE_LABELS, STORAGE_NODE_ROLE, STORAGE_TAINT } from "../../core/labels";
import { namespaceMetadata, type PodSecurity } from "../../core/namespaces";
import { USER_IDENTITY } from "../../core/names";
import { privateBucket } from "../../core/private-bucket";
import { formerlyCalled } from "../../core/renames";
import { containerResources } from "../../core/resources";
import { claimName, COMMON_VOLUME, NFS_PORTS, NFS_SERVER_REQUESTS, REPORTS_DIR, SHARED_DIR, storageNamespace } from "./layout";
import type { ResolvedStorage, StorageGroup } from "./resolve";

/** The directory of an EFS file system its access point exposes as the volume's root. */
export const EFS_ROOT = "/dandihub";


/** NFS mount options: soft mounts so a server restart stalls, not hangs, user processes. */
export const NFS_MOUNT_OPTIONS = ["nfsvers=4.1", "rsize=1048576", "wsize=1048576", "timeo=600", "soft", "retrans=2", "noresvport"];

export interface StorageProps {
  /** The deployment's name: prefix of volume, bucket, vault and role names. */
  readonly name: string;
  /** Storage settings (mode, scratch, backups, retention, cleanup). */
  readonly storage: ResolvedStorage;
  /** Each group's volume size, quotas and mounts. */
  readonly groups: readonly StorageGroup[];
  /** The VPC's private subnets' ranges (home-nfs: the nodes, the only clients NFS servers admit). */
  readonly privateSubnetCidrs: readonly string[];
  /** Pod Security of each NFS server's namespace. */
  readonly podSecurity: PodSecurity;
  /** The VPC. */
  readonly vpcId: string;
  /** The VPC's private subnets. */
  readonly privateSubnetIds: string[];
  /** Zones the VPC spans (efs: one mount target each). */
  readonly azs: number;
  /** The zone of zonal volumes and their NFS servers. */
  readonly storageZone: string;
  /** The nodes' security group (efs: mount targets admit NFS from it). */
  readonly nodeSecurityGroupId: string;
  /** Namespace of the hub, where the claims live. */
  readonly hubNamespace: NamespaceV1;
  /** Karpenter's storage pool must exist before NFS servers can be scheduled. */
  readonly dependsOn: ITerraformDependable[];
  /** The account id: aws.accountId, or the caller's read at plan time (one data source, the stack's). */
  readonly accountId: string;
  /** The customer managed key of user data (storage.kmsKey: customer). @default the AWS managed keys */
  readonly kmsKeyArn?: string;
}

/** NFS servers go where their zonal volume can attach: a core node there, or the storage pool's. */
function serverPlacement(servers: "core" | "dedicated", zone: string): { nodeSelector: Record<string, string>; tolerations?: object[] } {
  const inZone = { "topology.kubernetes.io/zone": zone };
  if (servers === "core") return { nodeSelector: { ...ON_DEMAND_CORE_NODE_LABELS, ...inZone } };
  return {
    nodeSelector: { ...STORAGE_NODE_ROLE, ...inZone },
    tolerations: [{ key: STORAGE_TAINT.key, operator: "Equal", value: STORAGE_TAINT.value, effect: STORAGE_TAINT.effect }],
  };
}

/** An EBS volume the grower may grow, up to its cap. */
export interface GrowingVolume {
  readonly volume: string;
  readonly volumeId: string;
  readonly volumeArn: string;
  readonly capGiB: number;
}

/** What a volume holding user data becomes on Kubernetes: a claim in the hub's namespace. */
export interface UserVolume {
  readonly volume: string;
  readonly claim: PersistentVolumeClaimV1;
}

/**
 * Homes, shared directories and scratch space. Each group gets its own volume (billed to it),
 * holding its members' homes and its shared directory, plus an S3 bucket for scratch and home
 * archives; the hub-wide `common` volume holds curated data. Everything that holds user data is
 * tagged for the daily backup and guarded against destroy (storage.allowDestroy lifts the guard).
 */
export class Storage extends Construct {
  readonly volumes: UserVolume[] = [];
  /** Group bucket names (Terraform expressions), by group. */
  readonly buckets: Record<string, string> = {};
  readonly bucketArns: Record<string, string> = {};
  /** Volumes that grow by themselves (home-nfs with storage.growth): for the grower. */
  readonly growing: GrowingVolume[] = [];
  /** NFS server namespaces (home-nfs). */
  readonly namespaces: NamespaceV1[] = [];

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const guard = { preventDestroy: !props.storage.allowDestroy };

    const efsSecurityGroup = props.storage.mode === "efs" ? this.efsSecurityGroup(props) : undefined;
    for (const group of [undefined, ...props.groups]) {
      // Addressed by the group's key (moved from its former keys), named after its volume.
      const scope = group ? formerlyCalled(new Construct(this, group.key), group.formerKeys) : new Construct(this, COMMON_VOLUME);
      const volume = group ? group.storage.volume : COMMON_VOLUME;
      const billedTo = group ? group.key : "platform";
      const claim =
        props.storage.mode === "home-nfs"
          ? this.nfsVolume(props, scope, volume, billedTo, group, guard)
          : this.efsVolume(props, scope, volume, billedTo, guard, efsSecurityGroup!);
      this.volumes.push({ volume, claim });
    }
    const logs = props.storage.accessLogs && props.groups.length ? this.accessLogBucket(props, props.storage.accessLogs.keepDays, guard) : undefined;
    for (const group of props.groups) this.groupBucket(props, group, guard, logs);
    this.backups(props, guard);
  }

  /** `common` is everyone's: billed to the platform, not to a group. */
  private tags(name: string, volume: string, billedTo: string): Record<string, string> {
    return { [GROUP_TAG]: billedTo, ...BACKUP_TAG, Name: `${name}-${volume}` };
  }

  /** home-nfs: our encrypted gp3 volume, served by jupyterhub-home-nfs with XFS project quotas. */
  private nfsVolume(props: StorageProps, scope: Construct, volume: string, billedTo: string, group: StorageGroup | undefined, guard: { preventDestroy: boolean }): PersistentVolumeClaimV1 {
    const sizeGiB = group ? group.storage.initialSizeGiB : props.storage.commonInitialGiB;
    const capGiB = group ? group.storage.volumeSizeGiB : props.storage.commonSizeGiB;
    const grows = props.storage.growth.enabled;
    // Kubernetes resizes only dynamically provisioned claims: a statically bound one keeps the
    // size it was made with, or every apply after a grow fails. The EBS volume grows in place and
    // the chart's resizer grows the file system within minutes. The chart's own claim is sized
    // from this record of the first size (Terraform keeps it; later sizes are ignored), ours
    // ignore later sizes themselves.
    const madeWith = new DataResource(scope, "created-size", { input: { gib: sizeGiB }, lifecycle: { ignoreChanges: ["input"] } });
    const ebs = new EbsVolume(scope, "volume", {
      availabilityZone: props.storageZone,
      size: sizeGiB,
      type: "gp3",
      encrypted: true,
      kmsKeyId: props.kmsKeyArn,
      tags: this.tags(props.name, volume, billedTo),
      // A growing volume's size is the grower's: Terraform would shrink it back (EBS refuses).
      lifecycle: { ...guard, ignoreChanges: grows ? ["availability_zone", "size"] : ["availability_zone"] },
    });
    if (grows) this.growing.push({ volume, volumeId: ebs.id, volumeArn: ebs.arn, capGiB });
    const namespace = storageNamespace(volume);
    const ns = new NamespaceV1(scope, "namespace", {
      metadata: namespaceMetadata(namespace, props.podSecurity, NFS_SERVER_ROLE),
      dependsOn: props.dependsOn,
    });
    this.namespaces.push(ns);
    // Who may mount is decided by the isolation policies (nodes only); the server's own allowlist
    // admits no more than that: the nodes' subnets, not the whole VPC.
    const quotas = group
      ? { hard_quota: group.storage.homeQuotaGiB, quota_overrides: { ...group.storage.quotaOverridesGiB, [SHARED_DIR]: group.storage.sharedQuotaGiB } }
      : { hard_quota: props.storage.commonSizeGiB, quota_overrides: {} };
    const server = new HelmChart(scope, "server", {
      chart: CHARTS.homeNfs,
      releaseName: `home-nfs-${volume}`,
      namespace,
      values: {
        fullnameOverride: "",
        nfsServer: {
          enableClientAllowlist: true,
          allowedClients: [...props.privateSubnetCidrs],
          resources: containerResources(NFS_SERVER_REQUESTS),
        },
        quotaEnforcer: {
          enabled: true,
          // uid/gid: the export's anonymous identity (All_Squash) and the owner of /export.
          config: { QuotaManager: { paths: ["/export"], ...quotas, exclude: [REPORTS_DIR], wait_time: 30, min_projid: 1000, uid: USER_IDENTITY.uid, gid: USER_IDENTITY.gid } },
        },
        eks: { enabled: true, volumeId: ebs.id },
        // Grows the XFS file system to the device (xfs_growfs) when the grower or an apply grew it.
        autoResizer: { enabled: true },
        persistentVolume: { size: `${madeWith.getStringAttribute("output.gib")}Gi` },
        ...serverPlacement(props.storage.servers, props.storageZone),
        annotations: { [DO_NOT_DISRUPT]: "true" },
      },
      dependsOn: [ns, ...props.dependsOn],
    });
    // The PV names the server by the Service's address (kubelet mounts from the node, which
    // cannot resolve cluster DNS). Kubernetes assigns it once and keeps it for the Service's life,
    // whatever groups come and go; Services made with a fixed address keep theirs (an unset
    // cluster_ip is Optional+Computed: no change, no replacement).
    const service = new ServiceV1(scope, "service", {
      metadata: { name: "nfs", namespace },
      spec: {
        selector: { app: "nfs-server" },
        port: NFS_PORTS.map((port) => ({ name: `nfs-${port}`, port, targetPort: String(port) })),
      },
      dependsOn: [ns],
    });
    const pv = new PersistentVolumeV1(scope, "pv", {
      metadata: { name: `dandihub-${claimName(volume)}`, labels: { "dandihub.org/volume": volume } },
      spec: [
        {
          capacity: { storage: `${sizeGiB}Gi` },
          accessModes: ["ReadWriteMany"],
          persistentVolumeReclaimPolicy: "Retain",
          storageClassName: "",
          mountOptions: NFS_MOUNT_OPTIONS,
          persistentVolumeSource: { nfs: { server: service.spec.clusterIp, path: "/" } },
        },
      ],
      dependsOn: [server.release, service],
      // Informational for a static volume: the size it was made with.
      lifecycle: { ignoreChanges: ["spec[0].capacity"] },
    });
    return this.claim(props, scope, volume, `${sizeGiB}Gi`, pv);
  }

  /** efs: an encrypted EFS file system per volume (no hard quotas), mounted through the EFS CSI driver. */
  private efsVolume(props: StorageProps, scope: Construct, volume: string, billedTo: string, guard: { preventDestroy: boolean }, securityGroup: SecurityGroup): PersistentVolumeClaimV1 {
    const fs = new EfsFileSystem(scope, "file-system", {
      creationToken: `${props.name}-${volume}`,
      encrypted: true,
      kmsKeyId: props.kmsKeyArn,
      performanceMode: "generalPurpose",
      throughputMode: "elastic",
      lifecyclePolicy: [{ transitionToIa: "AFTER_30_DAYS" }, { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" }],
      tags: this.tags(props.name, volume, billedTo),
      lifecycle: guard,
    });
    // Every access is made as the user identity (as All_Squash does on home-nfs): homes and the
    // subPath directories kubelet creates belong to jovyan without any chown.
    const accessPoint = new EfsAccessPoint(scope, "access-point", {
      fileSystemId: fs.id,
      posixUser: { uid: USER_IDENTITY.uid, gid: USER_IDENTITY.gid },
      rootDirectory: { path: EFS_ROOT, creationInfo: { ownerUid: USER_IDENTITY.uid, ownerGid: USER_IDENTITY.gid, permissions: "0775" } },
      tags: this.tags(props.name, volume, billedTo),
    });
    const targets = Array.from({ length: props.azs }, (_, i) =>
      new EfsMountTarget(scope, `mount-target-${i}`, {
        fileSystemId: fs.id,
        subnetId: Fn.element(props.privateSubnetIds, i),
        securityGroups: [securityGroup.id],
      }),
    );
    const pv = new PersistentVolumeV1(scope, "pv", {
      metadata: { name: `dandihub-${claimName(volume)}`, labels: { "dandihub.org/volume": volume } },
      spec: [
        {
          capacity: { storage: "1Ti" },
          accessModes: ["ReadWriteMany"],
          persistentVolumeReclaimPolicy: "Retain",
          storageClassName: "",
          persistentVolumeSource: { csi: { driver: "efs.csi.aws.com", volumeHandle: `${fs.id}::${accessPoint.id}` } },
        },
      ],
      dependsOn: [...targets, ...props.dependsOn],
    });
    return this.claim(props, scope, volume, "1024Gi", pv);
  }

  private efsSecurityGroup(props: StorageProps): SecurityGroup {
    const sg = new SecurityGroup(this, "efs-security-group", {
      name: `${props.name}-efs`,
      description: "NFS from the cluster's nodes to the EFS mount targets",
      vpcId: props.vpcId,
    });
    new VpcSecurityGroupIngressRule(this, "efs-from-nodes", {
      securityGroupId: sg.id,
      referencedSecurityGroupId: props.nodeSecurityGroupId,
      ipProtocol: "tcp",
      fromPort: 2049,
      toPort: 2049,
      description: "NFS from nodes",
    });
    return sg;
  }

  private claim(props: StorageProps, scope: Construct, volume: string, size: string, pv: PersistentVolumeV1): PersistentVolumeClaimV1 {
    return new PersistentVolumeClaimV1(scope, "claim", {
      metadata: { name: claimName(volume), namespace: props.hubNamespace.metadata.name, labels: { "dandihub.org/volume": volume } },
      spec: {
        accessModes: ["ReadWriteMany"],
        storageClassName: "",
        volumeName: pv.metadata.name,
        resources: { requests: { storage: size } },
      },
      dependsOn: [pv, props.hubNamespace],
      // A statically bound claim cannot be resized (nor shrunk without replacement): it keeps the
      // size it was made with, whatever the volume grows to.
      lifecycle: { ignoreChanges: ["spec[0].resources"] },
    });
  }

  /**
   * The group's bucket: `scratch/<server>/` for its servers (expires), `home-archives/<user>/`
   * for homes reset by the retention policy (kept, moved to Glacier Instant Retrieval).
   */
  /** One bucket for the group buckets' S3 server access logs (SSE-S3: log delivery cannot use a KMS key). */
  private accessLogBucket(props: StorageProps, keepDays: number, guard: { preventDestroy: boolean }): S3Bucket {
    const scope = new Construct(this, "access-logs");
    const bucket = privateBucket(scope, {
      bucketPrefix: `${props.name}-s3-logs-`,
      tags: { [GROUP_TAG]: "platform", Name: `${props.name}-s3-access-logs` },
      preventDestroy: guard.preventDestroy,
      sseAlgorithm: "AES256",
    });
    new S3BucketLifecycleConfiguration(scope, "lifecycle", {
      bucket: bucket.id,
      rule: [{ id: "expire", status: "Enabled", filter: [{ prefix: "" }], expiration: [{ days: keepDays }] }],
    });
    const account = props.accountId;
    new S3BucketPolicy(scope, "policy", {
      bucket: bucket.id,
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "S3ServerAccessLogs",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${bucket.arn}/*`,
            // Only this deployment's buckets (named <name>-<volume>-...) log here.
            Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": `arn:aws:s3:::${props.name}-*` } },
          },
        ],
      }),
    });
    return bucket;
  }

  private groupBucket(props: StorageProps, group: StorageGroup, guard: { preventDestroy: boolean }, logs: S3Bucket | undefined): void {
    const scope = formerlyCalled(new Construct(this, `${group.key}-bucket`), group.formerKeys.map((k) => `${k}-bucket`));
    // A bucket's name is fixed for its life: it keeps the key it was made under.
    const bucket = privateBucket(scope, {
      bucketPrefix: `${props.name}-${group.storage.volume}-`,
      tags: { [GROUP_TAG]: group.key, Name: `${props.name}-${group.storage.volume}` },
      preventDestroy: guard.preventDestroy,
    });
    new S3BucketVersioningA(scope, "versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
    if (logs) new S3BucketLoggingA(scope, "access-logging", { bucket: bucket.id, targetBucket: logs.id, targetPrefix: `${group.storage.volume}/` });
    const rules: object[] = [
      {
        id: "home-archives",
        status: "Enabled",
        filter: [{ prefix: "home-archives/" }],
        transition: [{ days: 30, storageClass: "GLACIER_IR" }],
      },
    ];
    if (props.storage.scratch.enabled) {
      rules.push({
        id: "scratch-expiry",
        status: "Enabled",
        filter: [{ prefix: "scratch/" }],
        expiration: [{ days: props.storage.scratch.expireAfterDays }],
        noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      });
    }
    new S3BucketLifecycleConfiguration(scope, "lifecycle", { bucket: bucket.id, rule: rules as never });
    this.buckets[group.key] = bucket.bucket;
    this.bucketArns[group.key] = bucket.arn;
  }

  /** AWS Backup: a daily copy of everything tagged dandihub:backup=daily, kept storage.backups.keepDays. */
  private backups(props: StorageProps, guard: { preventDestroy: boolean }): void {
    const { name, storage } = props;
    const vault = new BackupVault(this, "backup-vault", { name: `${name}-user-data`, kmsKeyArn: props.kmsKeyArn, tags: { [GROUP_TAG]: "platform" }, lifecycle: guard });
    // Governance mode (no changeable_for_days): recovery points stay their full keepDays.
    if (storage.backups.lock) new BackupVaultLockConfiguration(this, "backup-vault-lock", { backupVaultName: vault.name, minRetentionDays: storage.backups.keepDays });
    const plan = new BackupPlan(this, "backup-plan", {
      name: `${name}-daily`,
      rule: [
        {
          ruleName: "daily",
          targetVaultName: vault.name,
          schedule: storage.backups.schedule,
          startWindow: 60,
          completionWindow: 24 * 60,
          lifecycle: { deleteAfter: storage.backups.keepDays },
        },
      ],
    });
    const role = new IamRole(this, "backup-role", {
      name: `${name}-backup`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    });
    for (const [id, policy] of [
      ["backup-policy", "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"],
      ["restore-policy", "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"],
    ]) {
      new IamRolePolicyAttachment(this, id, { role: role.name, policyArn: policy });
    }
    new BackupSelection(this, "backup-selection", {
      name: "user-data",
      planId: plan.id,
      iamRoleArn: role.arn,
      selectionTag: Object.entries(BACKUP_TAG).map(([key, value]) => ({ type: "STRINGEQUALS", key, value })),
    });
  }
}

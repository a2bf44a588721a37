import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";
import { Construct } from "constructs";
import type { ITerraformDependable } from "../../core/cdktf";
import { BACKUP_TAG } from "../../core/labels";
import { STORAGE_CLASSES } from "../../core/names";

export interface StorageClassesProps {
  /** The EBS CSI driver must exist first. */
  readonly dependsOn: ITerraformDependable[];
  /** The key of the retained (user data) class's volumes. @default aws/ebs */
  readonly kmsKeyArn?: string;
}

/**
 * Encrypted gp3 classes. User data goes on the Retain class, so deleting a claim, a Helm
 * release or the whole cluster leaves the EBS volume (and its data) in the account.
 */
export class StorageClasses extends Construct {
  readonly classes: StorageClassV1[];

  constructor(scope: Construct, id: string, props: StorageClassesProps) {
    super(scope, id);
    const common = {
      storageProvisioner: "ebs.csi.aws.com",
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      parameters: { type: "gp3", encrypted: "true", fsType: "ext4" },
      dependsOn: props.dependsOn,
    };
    const ephemeral = new StorageClassV1(this, "gp3", {
      ...common,
      metadata: {
        name: STORAGE_CLASSES.ephemeral,
        annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
      },
      reclaimPolicy: "Delete",
    });
    const retained = new StorageClassV1(this, "gp3-retain", {
      ...common,
      // Volumes of this class hold user data (the hub database): in the daily backup.
      parameters: { ...common.parameters, ...(props.kmsKeyArn ? { kmsKeyId: props.kmsKeyArn } : {}), tagSpecification_1: Object.entries(BACKUP_TAG).map(([k, v]) => `${k}=${v}`).join(",") },
      metadata: { name: STORAGE_CLASSES.retained },
      reclaimPolicy: "Retain",
    });
    this.classes = [ephemeral, retained];
  }
}

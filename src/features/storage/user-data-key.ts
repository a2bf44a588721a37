import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";

export interface UserDataKeyProps {
  /** The deployment's name: the key's alias. */
  readonly name: string;
  /** Refuse `destroy` (and replacement) while set: without the key the volumes cannot be read. */
  readonly preventDestroy: boolean;
  /** Tags of everything this creates (the deployment's). */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The customer managed key of user data (storage.kmsKey: customer): the home and shared
 * volumes, the hub database's class, EFS and the backup vault. Rotated yearly; the key policy is
 * the account's default (IAM decides), so the EBS CSI driver and AWS Backup use it through their
 * roles. A scheduled deletion waits 30 days, in which it can be cancelled.
 */
export class UserDataKey extends Construct {
  readonly arn: string;

  constructor(scope: Construct, id: string, props: UserDataKeyProps) {
    super(scope, id);
    const key = new KmsKey(this, "key", {
      description: `${props.name}: user data (homes, shared directories, hub database, backups)`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      tags: { ...props.tags, Name: `${props.name}-user-data` },
      lifecycle: { preventDestroy: props.preventDestroy },
    });
    new KmsAlias(this, "alias", { name: `alias/${props.name}-user-data`, targetKeyId: key.keyId });
    this.arn = key.arn;
  }
}

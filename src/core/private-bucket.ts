import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import type { Construct } from "constructs";

export interface PrivateBucketProps {
  /** Name prefix (AWS adds a unique suffix). */
  readonly bucketPrefix: string;
  /** Tags of everything this creates (the deployment's). */
  readonly tags: Readonly<Record<string, string>>;
  /** Refuse `destroy` (and replacement) while set. */
  readonly preventDestroy: boolean;
  /** `AES256` where AWS services writing to it need SSE-S3. @default "aws:kms" */
  readonly sseAlgorithm?: "aws:kms" | "AES256";
}

/**
 * A bucket nobody outside the account can read: public access blocked, ACLs off (the owner
 * owns every object), encrypted by default. Children: bucket, public-access-block, ownership,
 * encryption (their ids are Terraform addresses).
 */
export function privateBucket(scope: Construct, props: PrivateBucketProps): S3Bucket {
  const bucket = new S3Bucket(scope, "bucket", {
    bucketPrefix: props.bucketPrefix,
    forceDestroy: false,
    tags: { ...props.tags },
    lifecycle: { preventDestroy: props.preventDestroy },
  });
  new S3BucketPublicAccessBlock(scope, "public-access-block", {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, "ownership", { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
  const sse = props.sseAlgorithm ?? "aws:kms";
  new S3BucketServerSideEncryptionConfigurationA(scope, "encryption", {
    bucket: bucket.id,
    rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: sse }, bucketKeyEnabled: sse === "aws:kms" }],
  });
  return bucket;
}

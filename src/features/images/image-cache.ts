import { DataAwsSecretsmanagerSecret } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret";
import { EcrPullThroughCacheRule } from "@cdktf/provider-aws/lib/ecr-pull-through-cache-rule";
import { EcrRepositoryCreationTemplate } from "@cdktf/provider-aws/lib/ecr-repository-creation-template";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { Construct } from "constructs";
import type { ResolvedImageCache } from "./cache";

export interface ImageCacheProps {
  /** The deployment's name: prefix of the nodes' policy. */
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly cache: ResolvedImageCache;
  /** Tags of everything this creates (the deployment's). */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * One pull-through cache rule per upstream registry, the template ECR creates their repositories
 * from (encrypted, a few images each), and the policy that lets user nodes pull through them: a
 * node's first pull of an image creates its repository and imports it from upstream.
 */
export class ImageCache extends Construct {
  /** For the user nodes' role (Karpenter's node role). */
  readonly nodePolicyArn: string;

  constructor(scope: Construct, id: string, props: ImageCacheProps) {
    super(scope, id);
    const { cache } = props;
    for (const rule of cache.rules) {
      const secret = rule.secretName ? new DataAwsSecretsmanagerSecret(this, `${rule.prefix}-credentials`, { name: rule.secretName }) : undefined;
      new EcrPullThroughCacheRule(this, rule.prefix, {
        ecrRepositoryPrefix: rule.prefix,
        upstreamRegistryUrl: rule.upstream,
        ...(secret ? { credentialArn: secret.arn } : {}),
      });
      new EcrRepositoryCreationTemplate(this, `${rule.prefix}-template`, {
        prefix: rule.prefix,
        appliedFor: ["PULL_THROUGH_CACHE"],
        description: `dandihub: images cached from ${rule.upstream}`,
        // The cache refreshes a tag (latest) from upstream: tags must move.
        imageTagMutability: "MUTABLE",
        encryptionConfiguration: [{ encryptionType: "AES256" }],
        lifecyclePolicy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: `keep the newest ${cache.keepImages} images of each repository`,
              selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: cache.keepImages },
              action: { type: "expire" },
            },
          ],
        }),
      });
    }
    const repositories = cache.rules.map((r) => `arn:aws:ecr:${props.region}:${props.accountId}:repository/${r.prefix}/*`);
    this.nodePolicyArn = new IamPolicy(this, "node-pull-policy", {
      namePrefix: `${props.name}-image-cache-`,
      description: "dandihub user nodes: pull images through the ECR pull-through cache",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "PullThroughCache", Effect: "Allow", Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"], Resource: repositories }],
      }),
      tags: { ...props.tags },
    }).arn;
  }
}

import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Construct } from "constructs";
import { PodIdentityModule } from "../../../modules/pod-identity";
import { GROWER_SERVICE_ACCOUNT } from "./jobs";
import type { GrowingVolume } from "./storage";

export interface VolumeGrowerProps {
  /** The deployment's name: prefix of the role. */
  readonly name: string;
  /** Tags of the role (the deployment's). */
  readonly tags: Readonly<Record<string, string>>;
  /** The volumes it may grow: exactly these, no others in the account. */
  readonly volumes: readonly GrowingVolume[];
  /** The cluster name (the EKS module's output) the Pod Identity association refers to. */
  readonly clusterName: string;
  /** The hub's namespace, where the grower jobs run. */
  readonly hubNamespace: NamespaceV1;
}

/**
 * The grower jobs' AWS identity: ModifyVolume on this deployment's volumes by ARN, and the two
 * describe calls EC2 offers only account-wide.
 */
export class VolumeGrower extends Construct {
  constructor(scope: Construct, id: string, props: VolumeGrowerProps) {
    super(scope, id);
    const namespace = props.hubNamespace.metadata.name;
    const sa = new ServiceAccountV1(this, "service-account", {
      metadata: { name: GROWER_SERVICE_ACCOUNT, namespace },
      automountServiceAccountToken: false,
      dependsOn: [props.hubNamespace],
    });
    new PodIdentityModule(
      this,
      "role",
      {
        name: `${props.name}-volume-grower`,
        use_name_prefix: false,
        attach_custom_policy: true,
        policy_statements: [
          { sid: "GrowOwnVolumes", actions: ["ec2:ModifyVolume"], resources: props.volumes.map((v) => v.volumeArn) },
          // EC2 has no resource-level permissions for these two.
          { sid: "ReadVolumes", actions: ["ec2:DescribeVolumes", "ec2:DescribeVolumesModifications"], resources: ["*"] },
        ],
        associations: { grower: { cluster_name: props.clusterName, namespace, service_account: GROWER_SERVICE_ACCOUNT } },
        tags: { ...props.tags },
      },
      { dependsOn: [sa] },
    );
  }
}

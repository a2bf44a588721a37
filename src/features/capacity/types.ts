/**
 * The parts of Karpenter's v1 NodePool and EC2NodeClass that dandihub writes. Checked in tests
 * against the CRD schemas of the pinned Karpenter release (../shared/schemas/karpenter).
 */

export interface ObjectMeta {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
  readonly values?: readonly string[];
}

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export interface NodePool {
  readonly apiVersion: "karpenter.sh/v1";
  readonly kind: "NodePool";
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly template: {
      readonly metadata: { readonly labels: Readonly<Record<string, string>> };
      readonly spec: {
        readonly nodeClassRef: { readonly group: "karpenter.k8s.aws"; readonly kind: "EC2NodeClass"; readonly name: string };
        readonly requirements: readonly NodeSelectorRequirement[];
        readonly taints: readonly Taint[];
        readonly expireAfter: string;
        readonly terminationGracePeriod: string;
      };
    };
    readonly disruption: {
      readonly consolidationPolicy: "WhenEmpty" | "WhenEmptyOrUnderutilized";
      readonly consolidateAfter: string;
      /** How many nodes may be disrupted at once, per reason (Karpenter's default: 10%). */
      readonly budgets?: readonly { readonly nodes: string; readonly reasons?: readonly ("Underutilized" | "Empty" | "Drifted")[] }[];
    };
    readonly limits: Readonly<Record<string, string>>;
    readonly weight?: number;
  };
}

export interface EC2NodeClass {
  readonly apiVersion: "karpenter.k8s.aws/v1";
  readonly kind: "EC2NodeClass";
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly amiSelectorTerms: readonly { readonly alias: string }[];
    readonly role: string;
    readonly subnetSelectorTerms: readonly { readonly tags: Readonly<Record<string, string>> }[];
    readonly securityGroupSelectorTerms: readonly { readonly tags: Readonly<Record<string, string>> }[];
    readonly metadataOptions: {
      readonly httpEndpoint: "enabled" | "disabled";
      readonly httpProtocolIPv6: "enabled" | "disabled";
      readonly httpPutResponseHopLimit: number;
      readonly httpTokens: "required" | "optional";
    };
    readonly blockDeviceMappings: readonly {
      readonly deviceName: string;
      readonly ebs: { readonly volumeSize: string; readonly volumeType: "gp3"; readonly encrypted: true; readonly deleteOnTermination: true };
    }[];
    readonly tags: Readonly<Record<string, string>>;
  };
}

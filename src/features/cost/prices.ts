/**
 * AWS list prices the offline estimate uses (USD, us-east-1, Linux, shared tenancy). Every
 * figure names its source and the date it was valid. Prices change: check
 * aws.amazon.com/pricing before relying on a number, and update `asOf` with the value.
 * `__tests__/cost.test.ts` cross-checks these against the price snapshot in DANDIHUB_SHARED.
 */

export interface Price {
  readonly usd: number;
  /** A key of PRICE_SOURCES. */
  readonly source: keyof typeof PRICE_SOURCES;
  readonly asOf: string;
}

export const PRICE_SOURCES = {
  ec2: "AWS EC2 On-Demand pricing, us-east-1, Linux (aws.amazon.com/ec2/pricing/on-demand/), as published by the AWS Price List API",
  eks: "Amazon EKS pricing: $0.10 per cluster-hour in standard support, $0.60 in extended support (aws.amazon.com/eks/pricing/)",
  vpc: "Amazon VPC pricing, us-east-1: NAT gateway hour and GB processed; public IPv4 $0.005/h since 2024-02-01 (aws.amazon.com/vpc/pricing/)",
  elb: "Elastic Load Balancing pricing, us-east-1: Network Load Balancer hour (aws.amazon.com/elasticloadbalancing/pricing/)",
  ebs: "Amazon EBS pricing, us-east-1: gp3 GB-month (aws.amazon.com/ebs/pricing/)",
  efs: "Amazon EFS pricing, us-east-1: Standard storage GB-month (aws.amazon.com/efs/pricing/)",
  s3: "Amazon S3 pricing, us-east-1: Standard, first 50 TB, GB-month (aws.amazon.com/s3/pricing/)",
  kms: "AWS KMS pricing: $1 per customer managed key per month (aws.amazon.com/kms/pricing/)",
  cloudwatch: "Amazon CloudWatch pricing, us-east-1: Logs ingestion (standard) per GB and storage per GB-month (aws.amazon.com/cloudwatch/pricing/)",
  backup: "AWS Backup / Amazon EBS snapshot pricing, us-east-1: EBS snapshot (standard) per GB-month of changed blocks (aws.amazon.com/backup/pricing/)",
  ecr: "Amazon ECR pricing: storage $0.10 per GB-month; pull-through cache imports are free, data to EC2 in the same region is free (aws.amazon.com/ecr/pricing/)",
  spot: "Assumption, not a price: spot runs 50-70% below on-demand for m/c/r families in most us-east-1 zones (EC2 Spot Instance Advisor); AWS states 'up to 90%'",
} as const;

export const HOURS_PER_MONTH = 730;
export const PRICE_REGION = "us-east-1";

const ec2 = (usd: number): Price => ({ usd, source: "ec2", asOf: "2026-07-20" });

export const PRICES = {
  eksControlPlanePerHour: { usd: 0.1, source: "eks", asOf: "2024-04-01" },
  eksExtendedSupportPerHour: { usd: 0.6, source: "eks", asOf: "2024-04-01" },
  kmsKeyPerMonth: { usd: 1, source: "kms", asOf: "2026" },
  cloudwatchIngestPerGb: { usd: 0.5, source: "cloudwatch", asOf: "2026" },
  cloudwatchStoragePerGbMonth: { usd: 0.03, source: "cloudwatch", asOf: "2026" },
  ebsSnapshotPerGbMonth: { usd: 0.05, source: "backup", asOf: "2026" },
  natGatewayPerHour: { usd: 0.045, source: "vpc", asOf: "2026" },
  natGatewayPerGb: { usd: 0.045, source: "vpc", asOf: "2026" },
  publicIpv4PerHour: { usd: 0.005, source: "vpc", asOf: "2024-02-01" },
  nlbPerHour: { usd: 0.0225, source: "elb", asOf: "2026-05" },
  gp3PerGbMonth: { usd: 0.08, source: "ebs", asOf: "2024" },
  efsStandardPerGbMonth: { usd: 0.3, source: "efs", asOf: "2026-02" },
  s3StandardPerGbMonth: { usd: 0.023, source: "s3", asOf: "2023" },
  ecrStoragePerGbMonth: { usd: 0.1, source: "ecr", asOf: "2026" },
  /** An interface VPC endpoint, per zone (what ECR's API endpoints would cost; the cache does not need them). */
  interfaceEndpointPerZoneHour: { usd: 0.01, source: "vpc", asOf: "2026" },
} as const satisfies Record<string, Price>;

/**
 * On-demand price of the `xlarge` size (4 vCPUs) per family; other sizes scale with vCPUs
 * (exact for these families' list prices). Families absent here are left out of estimates.
 */
export const FAMILY_XLARGE: Readonly<Record<string, Price>> = {
  m5: ec2(0.192), m6i: ec2(0.192), m7i: ec2(0.2016), "m7i-flex": ec2(0.19152), m6a: ec2(0.1728), m7a: ec2(0.23184),
  m6g: ec2(0.154), m7g: ec2(0.1632), m8g: ec2(0.17952),
  c5: ec2(0.17), c6i: ec2(0.17), c7i: ec2(0.1785), c6a: ec2(0.153), c7a: ec2(0.20532), c6g: ec2(0.136), c7g: ec2(0.145),
  r5: ec2(0.252), r6i: ec2(0.252), r7i: ec2(0.2646), r6a: ec2(0.2268), r6g: ec2(0.2016), r7g: ec2(0.2142), r8g: ec2(0.23562),
};

/** Types priced one by one: burstable and GPU families do not scale linearly. */
export const INSTANCE_PRICES: Readonly<Record<string, Price>> = {
  "t3.medium": ec2(0.0416), "t3.large": ec2(0.0832), "t3.xlarge": ec2(0.1664), "t3.2xlarge": ec2(0.3328),
  "t3a.medium": ec2(0.0376), "t3a.large": ec2(0.0752), "t3a.xlarge": ec2(0.1504), "t3a.2xlarge": ec2(0.3008),
  "t4g.nano": ec2(0.0042), "t4g.micro": ec2(0.0084), "t4g.small": ec2(0.0168), "t4g.medium": ec2(0.0336), "t4g.large": ec2(0.0672), "t4g.xlarge": ec2(0.1344), "t4g.2xlarge": ec2(0.2688),
  "g4dn.xlarge": ec2(0.526), "g4dn.2xlarge": ec2(0.752), "g4dn.4xlarge": ec2(1.204), "g4dn.8xlarge": ec2(2.176), "g4dn.16xlarge": ec2(4.352),
  "g5.xlarge": ec2(1.006), "g5.2xlarge": ec2(1.212), "g5.4xlarge": ec2(1.624), "g5.8xlarge": ec2(2.448), "g5.16xlarge": ec2(4.096),
  "g6.xlarge": ec2(0.8048), "g6.2xlarge": ec2(0.9776), "g6.4xlarge": ec2(1.3232), "g6.8xlarge": ec2(2.0144), "g6.16xlarge": ec2(3.3968),
  "g6e.xlarge": ec2(1.861), "g6e.2xlarge": ec2(2.24208),
  "g5g.xlarge": ec2(0.42), "g5g.2xlarge": ec2(0.556),
};

/** On-demand hourly price of an instance type, or undefined when the table has none. */
export function instancePrice(type: string, vcpu: number): Price | undefined {
  const exact = INSTANCE_PRICES[type];
  if (exact) return exact;
  const family = FAMILY_XLARGE[type.split(".")[0]];
  return family ? { ...family, usd: Math.round((family.usd * vcpu) / 4 * 1e6) / 1e6 } : undefined;
}

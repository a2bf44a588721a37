import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { Construct } from "constructs";
import { VpcModule } from "../../../modules/vpc";
import { VpcEndpointsModule } from "../../../modules/vpc-endpoints";
import { Fn } from "../../core/cdktf";
import { NatInstance } from "./nat-instance";
import type { ResolvedNetwork } from "./resolve";

export interface NetworkProps {
  /** The deployment's name: the VPC's and its endpoints' Name. */
  readonly name: string;
  /** The VPC's resolved settings. */
  readonly network: ResolvedNetwork;
  /** Tags of everything this creates (the deployment's). */
  readonly tags: Readonly<Record<string, string>>;
  /** Tag that lets Karpenter discover the node subnets. */
  readonly discoveryTag: Readonly<Record<string, string>>;
}

/**
 * The VPC: private subnets for every node (nothing user-facing gets a public address), public
 * subnets only for NAT and the hub's load balancer, and a free S3 gateway endpoint so image
 * layers from ECR/S3 and data reads do not pay NAT processing.
 */
export class Network extends Construct {
  readonly vpc: VpcModule;
  /** The zone of zonal user-data volumes (the NFS servers' EBS volumes) and their servers. */
  readonly storageZone: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { network } = props;
    const zones = new DataAwsAvailabilityZones(this, "zones", {
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
    this.storageZone = Fn.element(zones.names, 0);
    this.vpc = new VpcModule(this, "vpc", {
      name: props.name,
      cidr: network.cidr,
      azs: Fn.slice(zones.names, 0, network.azs),
      private_subnets: [...network.privateSubnets],
      public_subnets: [...network.publicSubnets],
      enable_nat_gateway: network.nat.kind === "gateway",
      // Also the number of private route tables: one, whose default route the NAT instance is.
      single_nat_gateway: network.singleNatGateway,
      one_nat_gateway_per_az: !network.singleNatGateway,
      enable_dns_hostnames: true,
      enable_dns_support: true,
      map_public_ip_on_launch: false,
      // The default security group allows nothing; everything uses its own groups.
      manage_default_security_group: true,
      default_security_group_ingress: [],
      default_security_group_egress: [],
      ...(network.flowLogs.enabled
        ? {
            enable_flow_log: true,
            create_flow_log_cloudwatch_log_group: true,
            create_flow_log_cloudwatch_iam_role: true,
            flow_log_traffic_type: network.flowLogs.traffic,
            flow_log_max_aggregation_interval: 600,
            flow_log_cloudwatch_log_group_retention_in_days: network.flowLogs.retentionDays,
          }
        : {}),
      public_subnet_tags: { "kubernetes.io/role/elb": "1" },
      private_subnet_tags: { "kubernetes.io/role/internal-elb": "1", ...props.discoveryTag },
      tags: { ...props.tags },
    });
    if (network.nat.kind === "instance") {
      new NatInstance(this, "nat-instance", {
        name: props.name,
        instanceType: network.nat.instanceType,
        arch: network.nat.arch,
        vpcId: this.vpc.vpcId,
        vpcCidr: network.cidr,
        subnetId: Fn.element(this.vpc.publicSubnetIds, 0),
        routeTableId: Fn.element(this.vpc.privateRouteTableIds, 0),
        tags: props.tags,
      });
    }
    new VpcEndpointsModule(this, "endpoints", {
      vpc_id: this.vpc.vpcId,
      create_security_group: false,
      endpoints: {
        s3: {
          service: "s3",
          service_type: "Gateway",
          route_table_ids: this.vpc.privateRouteTableIds,
          tags: { Name: `${props.name}-s3` },
        },
      },
      tags: { ...props.tags },
    });
  }
}

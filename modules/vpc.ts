import type { Construct } from "constructs";
import { PinnedModule, type ModuleOptions } from "./pinned-module";
import { MODULES } from "./versions";

/** Inputs of terraform-aws-modules/vpc/aws that dandihub sets (names as in its variables.tf). */
export interface VpcInputs {
  readonly name: string;
  readonly cidr: string;
  readonly azs: string[];
  readonly private_subnets: string[];
  readonly public_subnets: string[];
  readonly enable_nat_gateway: boolean;
  readonly single_nat_gateway: boolean;
  readonly one_nat_gateway_per_az: boolean;
  readonly enable_dns_hostnames?: boolean;
  readonly enable_dns_support?: boolean;
  readonly map_public_ip_on_launch?: boolean;
  readonly manage_default_security_group?: boolean;
  readonly default_security_group_ingress?: Record<string, string>[];
  readonly default_security_group_egress?: Record<string, string>[];
  readonly enable_flow_log?: boolean;
  readonly create_flow_log_cloudwatch_log_group?: boolean;
  readonly create_flow_log_cloudwatch_iam_role?: boolean;
  readonly flow_log_traffic_type?: "REJECT" | "ALL" | "ACCEPT";
  readonly flow_log_max_aggregation_interval?: 60 | 600;
  readonly flow_log_cloudwatch_log_group_retention_in_days?: number;
  readonly public_subnet_tags?: Record<string, string>;
  readonly private_subnet_tags?: Record<string, string>;
  readonly tags: Record<string, string>;
}

export class VpcModule extends PinnedModule<VpcInputs> {
  constructor(scope: Construct, id: string, inputs: VpcInputs, options?: ModuleOptions) {
    super(scope, id, MODULES.vpc, inputs, options);
  }

  get vpcId(): string {
    return this.getString("vpc_id");
  }

  get privateSubnetIds(): string[] {
    return this.getList("private_subnets");
  }

  get publicSubnetIds(): string[] {
    return this.getList("public_subnets");
  }

  get privateRouteTableIds(): string[] {
    return this.getList("private_route_table_ids");
  }
}

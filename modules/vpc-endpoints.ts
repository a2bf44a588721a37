import type { Construct } from "constructs";
import { PinnedModule, type ModuleOptions } from "./pinned-module";
import { MODULES } from "./versions";

/** One endpoint of the vpc-endpoints submodule (the subset dandihub uses). */
export interface VpcEndpoint {
  readonly service: string;
  readonly service_type: "Gateway" | "Interface";
  readonly route_table_ids?: string[];
  readonly tags?: Record<string, string>;
}

/** Inputs of terraform-aws-modules/vpc/aws//modules/vpc-endpoints. */
export interface VpcEndpointsInputs {
  readonly vpc_id: string;
  readonly endpoints: Record<string, VpcEndpoint>;
  readonly create_security_group?: boolean;
  readonly tags: Record<string, string>;
}

export class VpcEndpointsModule extends PinnedModule<VpcEndpointsInputs> {
  constructor(scope: Construct, id: string, inputs: VpcEndpointsInputs, options?: ModuleOptions) {
    super(scope, id, MODULES.vpcEndpoints, inputs, options);
  }
}

import { readFileSync } from "node:fs";
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { NetworkInterface } from "@cdktf/provider-aws/lib/network-interface";
import { Route } from "@cdktf/provider-aws/lib/route";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Construct } from "constructs";
import { NAT_INSTANCE_AMI } from "../../../modules/versions";
import type { Arch } from "../../core/catalog/instance-types";
import { repoPath } from "../../core/paths";
import { Fn } from "../../core/cdktf";
import { NAT_ROOT_GIB } from "./resolve";

/** The tag on the NAT instances: the only instances the NAT role may attach its interface to. */
export const NAT_TAG = "dandihub:nat";

/** The first-boot script: finds the interface by its tag, so it holds no Terraform reference. */
export function natInstanceScript(deployment: string, vpcCidr: string): string {
  return readFileSync(repoPath("src", "features", "platform", "nat-instance.sh"), "utf8")
    .replaceAll("@NAT_TAG@", NAT_TAG)
    .replaceAll("@DEPLOYMENT@", deployment)
    .replaceAll("@VPC_CIDR@", vpcCidr);
}

export interface NatInstanceProps {
  /** The deployment's name: the instance's and its role's. */
  readonly name: string;
  readonly instanceType: string;
  /** The instance type's architecture, which picks the AMI's. */
  readonly arch: Arch;
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** The public subnet it runs in (the first zone's). */
  readonly subnetId: string;
  /** The private route table whose default route it is (one: a single NAT serves every zone). */
  readonly routeTableId: string;
  /** Tags of everything this creates. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * One NAT instance in an Auto Scaling group of one, which replaces it when EC2 reports it
 * impaired. The route tables point at a network interface Terraform owns, not at an instance, so
 * a replacement takes over by attaching that interface (nat-instance.sh): no route changes and no
 * Terraform run. It egresses through its primary interface's public address, which changes when
 * the instance is replaced (a NAT gateway's does not).
 */
export class NatInstance extends Construct {
  constructor(scope: Construct, id: string, props: NatInstanceProps) {
    super(scope, id);
    const tags = { ...props.tags, Name: `${props.name}-nat`, [NAT_TAG]: props.name };
    const group = new SecurityGroup(this, "security-group", {
      namePrefix: `${props.name}-nat-`,
      description: "dandihub NAT instance: forwards the VPC's traffic to the internet",
      vpcId: props.vpcId,
      ingress: [{ description: "traffic to forward, from the VPC", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: [props.vpcCidr] }],
      egress: [{ description: "forwarded traffic, to the internet", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
      tags,
      lifecycle: { createBeforeDestroy: true },
    });
    const target = new NetworkInterface(this, "interface", {
      description: `${props.name} NAT: the private route tables' default route`,
      subnetId: props.subnetId,
      securityGroups: [group.id],
      sourceDestCheck: false,
      tags,
    });
    new Route(this, "default-route", { routeTableId: props.routeTableId, destinationCidrBlock: "0.0.0.0/0", networkInterfaceId: target.id });

    const role = new IamRole(this, "role", {
      namePrefix: `${props.name}-nat-`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
      tags,
    });
    new IamRolePolicy(this, "take-over", {
      role: role.id,
      name: "take-over-nat-interface",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "TheNatInterface", Effect: "Allow", Action: ["ec2:AttachNetworkInterface", "ec2:DetachNetworkInterface"], Resource: target.arn },
          {
            Sid: "NatInstancesOnly",
            Effect: "Allow",
            Action: ["ec2:AttachNetworkInterface", "ec2:DetachNetworkInterface", "ec2:ModifyInstanceAttribute"],
            Resource: "arn:aws:ec2:*:*:instance/*",
            Condition: { StringEquals: { [`aws:ResourceTag/${NAT_TAG}`]: props.name } },
          },
          // Describe calls cannot be narrowed to a resource.
          { Sid: "FindTheInterface", Effect: "Allow", Action: "ec2:DescribeNetworkInterfaces", Resource: "*" },
        ],
      }),
    });
    const profile = new IamInstanceProfile(this, "profile", { namePrefix: `${props.name}-nat-`, role: role.name, tags });

    const ami = new DataAwsAmi(this, "ami", {
      owners: ["amazon"],
      mostRecent: true,
      // Pinned releases are deprecated by AWS after a while; they stay usable.
      includeDeprecated: true,
      filter: [
        { name: "name", values: [NAT_INSTANCE_AMI.name(props.arch === "arm64" ? "arm64" : "x86_64")] },
        { name: "state", values: ["available"] },
      ],
    });
    const script = natInstanceScript(props.name, props.vpcCidr);
    const template = new LaunchTemplate(this, "launch-template", {
      namePrefix: `${props.name}-nat-`,
      imageId: ami.id,
      instanceType: props.instanceType,
      iamInstanceProfile: { arn: profile.arn },
      networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "true", securityGroups: [group.id], deleteOnTermination: "true" }],
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: NAT_ROOT_GIB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
      // The script reaches the instance metadata itself; pods never run here.
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
      userData: Buffer.from(script).toString("base64"),
      updateDefaultVersion: true,
      tagSpecifications: [
        { resourceType: "instance", tags },
        { resourceType: "volume", tags },
      ],
      tags,
    });
    new AutoscalingGroup(this, "group", {
      namePrefix: `${props.name}-nat-`,
      minSize: 1,
      maxSize: 1,
      desiredCapacity: 1,
      vpcZoneIdentifier: [props.subnetId],
      healthCheckType: "EC2",
      launchTemplate: { id: template.id, version: Fn.tostring(template.latestVersion) },
      // A new launch template (AMI pin, type) replaces the instance: egress pauses for a boot.
      instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 0 } },
      tag: Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
    });
  }
}

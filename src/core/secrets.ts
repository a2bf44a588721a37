import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { Construct } from "constructs";
import type { SecretRef } from "../config/secrets";
import { Fn, TerraformVariable } from "./cdktf";

export interface SecretsProps {
  /** Every secret reference of the deployment, in the file's order (Secrets Manager reads are numbered by it). */
  readonly refs: readonly SecretRef[];
}

/**
 * Turns the deployment file's secret references into Terraform values: a sensitive variable
 * (given at apply time as TF_VAR_<name> or a Terraform Cloud variable) or a Secrets Manager
 * read. The value exists only in Terraform's state and the cluster's Secrets, never in
 * cdktf.out. Consumers hand back the reference their feature resolved (`valueOf(archive.token)`).
 */
export class Secrets extends Construct {
  private readonly values = new Map<string, string>();
  private readonly variables = new Map<string, TerraformVariable>();
  private readonly refs: readonly SecretRef[];

  constructor(scope: Construct, id: string, props: SecretsProps) {
    super(scope, id);
    this.refs = props.refs;
    // Variables exist whether read or not (the operator sets them all); Secrets Manager values
    // are read only when asked for: those synced into the cluster by ESO never enter state.
    props.refs.forEach((ref, i) => ref.source.kind === "variable" && this.values.set(ref.field, this.resolve(ref, i)));
  }

  /** The secret's value (a Terraform expression). */
  valueOf(ref: SecretRef): string {
    let value = this.values.get(ref.field);
    if (value === undefined) {
      const index = this.refs.findIndex((r) => r.field === ref.field);
      if (index < 0) throw new Error(`no secret reference at ${ref.field}`);
      value = this.resolve(this.refs[index], index);
      this.values.set(ref.field, value);
    }
    return value;
  }

  private resolve(ref: SecretRef, index: number): string {
    const source = ref.source;
    if (source.kind === "variable") {
      let variable = this.variables.get(source.name);
      if (!variable) {
        variable = new TerraformVariable(this, source.name, {
          type: "string",
          sensitive: true,
          nullable: false,
          description: `Secret for ${ref.field} in the deployment file. Set TF_VAR_${source.name}; never commit it.`,
        });
        // Variables are addressed by the name the operator sets, not by construct path.
        variable.overrideLogicalId(source.name);
        this.variables.set(source.name, variable);
      }
      return variable.stringValue;
    }
    const version = new DataAwsSecretsmanagerSecretVersion(this, `secrets-manager-${index}`, { secretId: source.secretId });
    return source.key ? Fn.lookup(Fn.jsondecode(version.secretString), source.key) : version.secretString;
  }
}

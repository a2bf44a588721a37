import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { Construct } from "constructs";
import { Fn, TerraformVariable } from "../cdktf";
import { formatPath } from "../config/errors";
import type { HubConfig, SecretUse } from "../config/resolve";

/**
 * Turns the deployment file's secret references into Terraform values: a sensitive variable
 * (given at apply time as TF_VAR_<name> or a Terraform Cloud variable) or a Secrets Manager
 * read. The value exists only in Terraform's state and the cluster's Secrets, never in
 * cdktf.out.
 */
export class Secrets extends Construct {
  private readonly values = new Map<string, string>();
  private readonly variables = new Map<string, TerraformVariable>();

  constructor(scope: Construct, id: string, config: HubConfig) {
    super(scope, id);
    config.secrets.forEach((use, i) => this.values.set(formatPath(use.path), this.resolve(use, i)));
  }

  /** The secret's value (a Terraform expression) for the config field at `path`. */
  valueOf(path: readonly (string | number)[]): string {
    const value = this.values.get(formatPath(path));
    if (value === undefined) throw new Error(`no secret reference at ${formatPath(path)}`);
    return value;
  }

  private resolve(use: SecretUse, index: number): string {
    const ref = use.ref;
    if (ref.variable) {
      let variable = this.variables.get(ref.variable);
      if (!variable) {
        variable = new TerraformVariable(this, ref.variable, {
          type: "string",
          sensitive: true,
          nullable: false,
          description: `Secret for ${formatPath(use.path)} in the deployment file. Set TF_VAR_${ref.variable}; never commit it.`,
        });
        // Variables are addressed by the name the operator sets, not by construct path.
        variable.overrideLogicalId(ref.variable);
        this.variables.set(ref.variable, variable);
      }
      return variable.stringValue;
    }
    const sm = ref.secretsManager!;
    const version = new DataAwsSecretsmanagerSecretVersion(this, `secrets-manager-${index}`, { secretId: sm.secretId });
    return sm.key ? Fn.lookup(Fn.jsondecode(version.secretString), sm.key) : version.secretString;
  }
}

import type { Construct } from "constructs";
import { TerraformHclModule, type ITerraformDependable } from "../src/core/cdktf";
import type { ModulePin } from "./versions";

export interface ModuleOptions {
  readonly dependsOn?: ITerraformDependable[];
}

/** Drops undefined inputs so the module's own defaults apply (Terraform reads null as "unset" too, but the JSON stays minimal). */
function defined<T extends object>(inputs: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined));
}

/**
 * A registry module at an exact pin, its inputs typed by the subclass. Input names are the
 * module's own variable names (snake_case) so they can be checked against the upstream
 * `variables.tf` of that pin.
 */
export abstract class PinnedModule<Inputs extends object> extends TerraformHclModule {
  constructor(scope: Construct, id: string, pin: ModulePin, inputs: Inputs, options: ModuleOptions = {}) {
    super(scope, id, { source: pin.source, version: pin.version, variables: defined(inputs), dependsOn: options.dependsOn });
  }
}

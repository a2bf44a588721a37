/**
 * The one seam between dandihub and the CDKTF runtime.
 *
 * CDKTF was archived upstream on 2025-12-10 (last release 0.21.0); its community fork is
 * CDK Terrain (`cdktn`). Every other file imports from here, so switching runtimes is a
 * change to this file and package.json only.
 */
export {
  App,
  Aspects,
  AssetType,
  CloudBackend,
  Fn,
  LocalBackend,
  NamedCloudWorkspace,
  S3Backend,
  TerraformAsset,
  TerraformElement,
  DataResource,
  TerraformHclModule,
  TerraformIterator,
  TerraformOutput,
  TerraformProvider,
  TerraformResource,
  TerraformDataSource,
  TerraformStack,
  TerraformVariable,
  Token,
  Tokenization,
  Lazy,
} from "cdktf";
export type { IAspect, ITerraformDependable, TerraformMetaArguments } from "cdktf";
// What TerraformStack.toTerraform resolves and merges with (src/core/lean-synth.ts does the same, faster).
export { resolve as resolveTokens } from "cdktf/lib/_tokens";
export { deepMerge, keysToSnakeCase, snakeCase } from "cdktf/lib/util";
export { TerraformDynamicBlock } from "cdktf/lib/terraform-dynamic-block";
// The two kinds of token resolve-plain.ts resolves itself, and where it looks tokens up by key.
export { dependable as dependableToken, ref as referenceToken } from "cdktf/lib/tfExpression";
export { TokenMap } from "cdktf/lib/tokens/private/token-map";
export { StackSynthesizer } from "cdktf/lib/synthesize/synthesizer";
export type { ISynthesisSession } from "cdktf/lib/synthesize/types";

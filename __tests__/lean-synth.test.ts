/**
 * src/core/lean-synth.ts replaces CDKTF's toTerraform and the JSON writer for speed: it must give
 * CDKTF's output exactly, on every deployment and for every kind of token.
 */
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { describe, expect, it } from "vitest";
import { buildApp } from "../src/app";
import { loadDeployment } from "../src/config/load";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { App, dependableToken, Lazy, resolveTokens, TerraformHclModule, TerraformIterator, TerraformOutput, TerraformResource, TerraformStack, Token } from "../src/core/cdktf";
import type { Construct } from "constructs";
import { leanToTerraform, stableJson, writeStableJson } from "../src/core/lean-synth";
import { resolvePlain } from "../src/core/resolve-plain";
import { deploymentFiles } from "../scripts/addresses";
import { ROOT } from "./helpers";

// The serializer CDKTF writes cdk.tf.json with, from CDKTF's own dependencies.
const stableStringify = createRequire(require.resolve("cdktf"))("json-stable-stringify") as (v: unknown, o: { space: number }) => string;

/** A resource that hands out the same attributes object every time: synthesis must not write into it. */
class SharedAttributes extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    readonly attributes: Record<string, unknown>,
    config: Omit<ConstructorParameters<typeof TerraformResource>[2], "terraformResourceType">,
  ) {
    super(scope, id, { terraformResourceType: "null_resource", ...config });
  }
  protected override synthesizeAttributes(): Record<string, unknown> {
    return this.attributes;
  }
}

const FILES = deploymentFiles();

function stackOf(file: string): TerraformStack {
  const config = loadDeployment(join(ROOT, file));
  const app = buildApp([config], mkdtempSync(join(tmpdir(), "dandihub-lean-")));
  return app.node.children.find(TerraformStack.isStack)!;
}

describe("lean synthesis", () => {
  it.each(FILES)("%s: the stack's JSON is CDKTF's own, and written byte for byte as CDKTF writes it", (file) => {
    const stack = stackOf(file);
    const stock = TerraformStack.prototype.toTerraform.call(stack) as Record<string, unknown>;
    const lean = leanToTerraform(stack);
    expect(lean).toStrictEqual(stock);
    expect(stableJson(lean)).toBe(stableStringify(stock, { space: 2 }));
  });

  it("synthesizes the same files as CDKTF's synthesizer (DANDIHUB_LEAN_SYNTH=0)", () => {
    const config = loadDeployment(join(ROOT, "config/dandi.yaml"));
    const synthInto = (lean: boolean) => {
      const before = process.env.DANDIHUB_LEAN_SYNTH;
      process.env.DANDIHUB_LEAN_SYNTH = lean ? "1" : "0";
      try {
        const out = mkdtempSync(join(tmpdir(), "dandihub-lean-"));
        buildApp([config], out).synth();
        return join(out, "stacks", "dandi");
      } finally {
        if (before === undefined) delete process.env.DANDIHUB_LEAN_SYNTH;
        else process.env.DANDIHUB_LEAN_SYNTH = before;
      }
    };
    const [lean, stock] = [synthInto(true), synthInto(false)];
    expect(readFileSync(join(lean, "cdk.tf.json"), "utf8")).toBe(readFileSync(join(stock, "cdk.tf.json"), "utf8"));
    expect(readdirSync(join(lean, "assets")).sort()).toEqual(readdirSync(join(stock, "assets")).sort());
  });

  it("writes a file, a megabyte at a time, with the bytes stableJson gives, and no partial file beside it", () => {
    // Larger than one chunk, with the cases chunk edges could break: empty collections, undefined and functions.
    const value = { big: Array.from({ length: 5000 }, (_, i) => ({ ["k" + i]: "x".repeat(500), e: {}, l: [], u: undefined, n: [undefined, () => 1] })), fn: () => 1 };
    const dir = mkdtempSync(join(tmpdir(), "dandihub-lean-"));
    writeStableJson(join(dir, "cdk.tf.json"), value);
    const text = readFileSync(join(dir, "cdk.tf.json"), "utf8");
    expect(text.length).toBeGreaterThan(2 ** 21);
    expect(text).toBe(stableStringify(value, { space: 2 }));
    expect(text).toBe(stableJson(value));
    expect(readdirSync(dir)).toEqual(["cdk.tf.json"]);
    // A write that fails part way (JSON cannot hold a BigInt) leaves no partial file either.
    const failing = join(mkdtempSync(join(tmpdir(), "dandihub-lean-")), "cdk.tf.json");
    expect(() => writeStableJson(failing, { big: value.big, after: 1n })).toThrow(/BigInt/);
    expect(readdirSync(join(failing, ".."))).toEqual([]);
  });

  it("keeps the settings CDKTF's synthesizer read: with SYNTH_HCL_OUTPUT, CDKTF writes HCL and no JSON is written", () => {
    const config = loadDeployment(join(ROOT, "config/minimal.yaml"));
    const out = mkdtempSync(join(tmpdir(), "dandihub-lean-"));
    process.env.SYNTH_HCL_OUTPUT = "true";
    try {
      buildApp([config], out).synth();
    } finally {
      delete process.env.SYNTH_HCL_OUTPUT;
    }
    expect(readdirSync(join(out, "stacks", "minimal")).sort()).toEqual(["assets", "cdk.tf", "metadata.json"]);
  });

  it("gives CDKTF's JSON for resources with every meta-argument, dynamic blocks, overrides, provisioners, moves and imports", () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "dandihub-lean-")) });
    const stack = new TerraformStack(app, "meta");
    new AwsProvider(stack, "aws", { region: "us-east-2" });
    const west = new AwsProvider(stack, "west", { region: "us-west-2", alias: "west" });
    const plain = new S3Bucket(stack, "plain", { bucketPrefix: "p-", tags: { camelCase: "kept", Team: "x" } });
    new S3Bucket(stack, "meta_arguments", {
      bucketPrefix: "m-",
      dependsOn: [plain],
      count: 2,
      provider: west,
      lifecycle: {
        preventDestroy: true,
        createBeforeDestroy: true,
        ignoreChanges: ["tags", "bucket_prefix"],
        replaceTriggeredBy: [plain, "aws_s3_bucket.plain.id"],
        precondition: [{ condition: "${true}", errorMessage: "never" }],
        postcondition: [{ condition: "${true}", errorMessage: "never" }],
      },
    });
    new S3Bucket(stack, "ignore_all", { bucketPrefix: "a-", lifecycle: { ignoreChanges: "all" } });
    const names = TerraformIterator.fromList(["a", "b"]);
    new S3Bucket(stack, "for_each", { forEach: names, bucket: names.value, connection: { type: "ssh", host: "h", user: "u" } });
    const rules = TerraformIterator.fromList(Token.asAny([{ id: "r1" }, { id: "r2" }]));
    new S3BucketLifecycleConfiguration(stack, "dynamic", {
      bucket: plain.id,
      rule: rules.dynamic({ id: rules.getString("id"), status: "Enabled", filter: [{ prefix: "tmp/" }] }),
    });
    new S3Bucket(stack, "overridden", { bucketPrefix: "o-" }).addOverride("lifecycle.prevent_destroy", true);
    new S3Bucket(stack, "provisioned", { bucketPrefix: "v-", provisioners: [{ type: "local-exec", command: "echo", workingDir: "/tmp" }] });
    new S3Bucket(stack, "imported", { bucketPrefix: "i-" }).importFrom("existing-bucket", west);
    new S3Bucket(stack, "move_target", { bucketPrefix: "t-" }).addMoveTarget("target");
    new S3Bucket(stack, "moved", { bucketPrefix: "t-" }).moveTo("target");
    new S3Bucket(stack, "moved_from", { bucketPrefix: "f-" }).moveFromId("aws_s3_bucket.old");
    const shared = new SharedAttributes(stack, "shared", { triggers: { a: "1" } }, { dependsOn: [plain] });
    // Attributes named like meta-arguments, which CDKTF merges them into (or removes).
    new SharedAttributes(stack, "like_meta", { count: 3, lifecycle: { custom: true }, depends_on: ["x"] }, { lifecycle: { preventDestroy: true }, dependsOn: [plain] });
    // Twice: a first synthesis must leave the resources as they were.
    const lean = leanToTerraform(stack);
    const stock = TerraformStack.prototype.toTerraform.call(stack) as Record<string, unknown>;
    expect(lean).toStrictEqual(stock);
    expect(leanToTerraform(stack)).toStrictEqual(stock);
    expect(shared.attributes).toEqual({ triggers: { a: "1" } });
    const buckets = (stock.resource as Record<string, Record<string, Record<string, unknown>>>).aws_s3_bucket;
    // The cases above reached every branch: meta-arguments in Terraform's names, dynamic blocks replaced.
    expect(buckets.meta_arguments).toMatchObject({ depends_on: ["aws_s3_bucket.plain"], count: 2, provider: "aws.west", lifecycle: { prevent_destroy: true, replace_triggered_by: ["${aws_s3_bucket.plain}", "aws_s3_bucket.plain.id"] } });
    expect(buckets.plain.tags).toEqual({ camelCase: "kept", Team: "x" });
    expect(buckets.for_each).toMatchObject({ for_each: "${toset([\"a\", \"b\"])}", connection: { type: "ssh" } });
    expect((stock.resource as Record<string, Record<string, Record<string, unknown>>>).aws_s3_bucket_lifecycle_configuration.dynamic).toHaveProperty("dynamic.rule.content.status", "Enabled");
    expect(buckets.provisioned).toHaveProperty("provisioner");
    expect(stock).toHaveProperty("import");
    expect(stock).toHaveProperty("moved");
  });

  describe("resolvePlain hands every token to CDKTF and resolves like it", () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "dandihub-lean-")) });
    const stack = new TerraformStack(app, "tokens");
    new AwsProvider(stack, "aws", { region: "us-east-2" });
    const bucket = new S3Bucket(stack, "b", { bucketPrefix: "x-" });
    const account = new DataAwsCallerIdentity(stack, "account");
    const module = new TerraformHclModule(stack, "m", { source: "terraform-aws-modules/vpc/aws", version: "6.0.0" });
    // A reference from another stack resolves to that stack's remote state once CDKTF's prepare
    // pass (which HubStack skips: it references no other stack) has seen it.
    const other = new TerraformStack(app, "other");
    const fromOther = new S3Bucket(other, "o", { bucketPrefix: "o-" });
    const crossStack = { id: fromOther.id, text: `arn-${fromOther.arn}`, dependsOn: [dependableToken(fromOther)] };
    resolveTokens(stack, crossStack, true);
    const cases: Record<string, unknown> = {
      "plain data, undefined left out": { a: 1, b: undefined, c: [1, undefined, "x"], d: { e: null, f: false } },
      "a string token": { id: bucket.id, text: `arn-${bucket.arn}-end` },
      "a list token": { list: Token.asList(bucket.arn), lists: [Token.asList(bucket.id), ["a", bucket.id]] },
      "a number token": { n: Token.asNumber(bucket.id), inText: `${Token.asNumber(bucket.arn)}` },
      "a map token": { tags: bucket.tagsAll, nested: { ...Token.asStringMap(bucket.tagsAll) } },
      "a lazy value": { lazy: Lazy.stringValue({ produce: () => bucket.bucket }), any: Lazy.anyValue({ produce: () => ({ x: [bucket.id, undefined] }) }) },
      "text that only looks numeric": { version: "1e5", sha: "3e4f9ab", big: 1e300 },
      "tokens in text with braces (a chart's values)": { values: JSON.stringify({ a: bucket.id, b: { c: [bucket.arn, `${bucket.id}/x`] }, d: "}{" }) },
      "a token inside a Terraform expression": { upper: `\${upper(${bucket.id})}`, closed: `\${x} ${bucket.id}`, escaped: `$\${lit} ${bucket.arn}`, open: `{ \${ ${bucket.id}` },
      "a number token in text": { text: `n=${Token.asNumber(bucket.id)} id=${bucket.arn}` },
      "tokens in text that resolve to other things": {
        object: `x-${Lazy.anyValue({ produce: () => ({ a: 1 }) })}`,
        nothing: `x-${Lazy.anyValue({ produce: () => undefined })}-y`,
        lazy: `a-${Lazy.stringValue({ produce: () => bucket.id })}-b`,
        twice: `${bucket.id}${bucket.id}-${bucket.arn}`,
      },
      "the same reference and dependency through different tokens": {
        ids: [bucket.id, bucket.id, `${bucket.id}`],
        dependsOn: [dependableToken(bucket), dependableToken(bucket)],
        inText: [`${dependableToken(bucket)} and ${dependableToken(bucket)}`],
      },
      "dependencies on a data source and a module, and their references": {
        dependsOn: [dependableToken(account), dependableToken(module)],
        refs: [account.accountId, module.get("out"), `${dependableToken(module)}: ${account.arn}`],
      },
      "references across stacks": crossStack,
    };
    it.each(Object.keys(cases))("%s", (name) => {
      expect(resolvePlain(stack, cases[name])).toStrictEqual(resolveTokens(stack, cases[name]));
    });
    it("resolves alike tokens as CDKTF does when one memo serves them all, in any order", () => {
      const all = Object.values(cases);
      const memo = new Map<unknown, unknown>();
      for (const value of [...all, ...all.reverse()]) expect(resolvePlain(stack, value, memo)).toStrictEqual(resolveTokens(stack, value));
    });
    it("fails where CDKTF fails: a list token among other elements", () => {
      const mixed = { list: [bucket.id, ...Token.asList(bucket.arn)] };
      expect(() => resolveTokens(stack, mixed)).toThrow(/Cannot add elements to list token/);
      expect(() => resolvePlain(stack, mixed)).toThrow(/Cannot add elements to list token/);
    });
    it("resolves references to Terraform expressions", () => {
      expect(resolvePlain(stack, { id: bucket.id })).toEqual({ id: "${aws_s3_bucket.b.id}" });
    });
    it("keeps outputs by construct path in the stack's metadata", () => {
      new TerraformOutput(stack, "bucket_id", { value: bucket.id });
      const lean = leanToTerraform(stack);
      expect(lean).toStrictEqual(TerraformStack.prototype.toTerraform.call(stack));
      expect((lean["//"] as { outputs: Record<string, unknown> }).outputs).toEqual({ tokens: { bucket_id: "bucket_id" } });
    });
  });
});

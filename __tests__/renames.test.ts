/** renameMoves: the moved blocks that keep state when a construct (a group) changes its id. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { App, TerraformStack } from "../src/core/cdktf";
import { formerlyCalled, renameMoves } from "../src/core/renames";

function stack(): TerraformStack {
  const s = new TerraformStack(new App({ outdir: mkdtempSync(join(tmpdir(), "dandihub-renames-")) }), "s");
  new AwsProvider(s, "aws", { region: "us-east-2" });
  return s;
}

describe("renameMoves", () => {
  it("chains every former id, oldest first, for each resource below the renamed construct, and nothing for data sources", () => {
    const s = stack();
    const storage = new Construct(s, "storage");
    const group = formerlyCalled(new Construct(storage, "lab"), ["old", "older-than-lab"]);
    new S3Bucket(group, "bucket", {});
    new S3Bucket(new Construct(group, "logs"), "bucket", {});
    new DataAwsCallerIdentity(group, "who");
    new S3Bucket(formerlyCalled(new Construct(s, "same"), ["same"]), "bucket", {});
    expect(renameMoves(s)).toEqual([
      { from: "aws_s3_bucket.storage_old_bucket", to: "aws_s3_bucket.storage_older-than-lab_bucket" },
      { from: "aws_s3_bucket.storage_older-than-lab_bucket", to: "aws_s3_bucket.storage_lab_bucket" },
      { from: "aws_s3_bucket.storage_old_logs_bucket", to: "aws_s3_bucket.storage_older-than-lab_logs_bucket" },
      { from: "aws_s3_bucket.storage_older-than-lab_logs_bucket", to: "aws_s3_bucket.storage_lab_logs_bucket" },
    ]);
  });

  it("refuses a resource below two renamed constructs, and allows renamed constructs nested with no resource in both", () => {
    const s = stack();
    const outer = formerlyCalled(new Construct(s, "outer"), ["was-outer"]);
    new S3Bucket(outer, "bucket", {});
    const inner = formerlyCalled(new Construct(outer, "inner"), ["was-inner"]);
    expect(renameMoves(s)).toHaveLength(1);
    new S3Bucket(inner, "bucket", {});
    expect(() => renameMoves(s)).toThrow(/s\/outer\/inner\/bucket: nested renamed constructs are not supported/);
  });
});

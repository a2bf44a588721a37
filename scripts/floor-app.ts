/**
 * The floor app: the smallest CDKTF app on dandihub's runtime (one AWS provider, one bucket, deep
 * imports, the same seam). `npm run bench` times it next to a real synth, so the ratio says what
 * dandihub itself costs on top of CDKTF.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { App, TerraformStack } from "../src/core/cdktf";

const app = new App({ outdir: process.env.DANDIHUB_BENCH_OUT ?? "cdktf.out.floor", skipValidation: true });
const stack = new TerraformStack(app, "floor");
new AwsProvider(stack, "aws", { region: "us-east-2" });
new S3Bucket(stack, "bucket", { bucketPrefix: "floor-" });
app.synth();

/**
 * npm run addon-versions -- [minor ...]: for each Kubernetes minor (default: every one in
 * modules/versions.ts), what EKS offers for each add-on next to the pin. Needs the AWS CLI and
 * credentials; changes nothing. help/versions.md.
 */
import { execFileSync } from "node:child_process";
import { EKS_ADDON_VERSIONS } from "../modules/versions";
import { compareAddonVersions, formatAddonReport } from "../src/features/platform/addon-versions";

const minors = process.argv.slice(2).filter((a) => !a.startsWith("-"));
try {
  for (const minor of minors.length ? minors : Object.keys(EKS_ADDON_VERSIONS)) {
    const rows = compareAddonVersions(minor, (addon, v) =>
      JSON.parse(execFileSync("aws", ["eks", "describe-addon-versions", "--addon-name", addon, "--kubernetes-version", v, "--output", "json"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })),
    );
    process.stdout.write(`${formatAddonReport(minor, rows)}\n`);
  }
} catch (err) {
  const e = err as { stderr?: string; message: string };
  process.stderr.write(`addon-versions: ${(e.stderr || e.message).trim()}\n`);
  process.exitCode = 1;
}

/** No secret value reaches cdktf.out: secrets enter as sensitive variables or Secrets Manager reads. */
import { describe, expect, it } from "vitest";
import { buildApp } from "../src/app";
import { loadDeployment } from "../src/config/load";
import { escapeTemplate, unescapeTemplate } from "../src/core/helm-values";
import { minimalYaml, releaseValues, synth, VARIANTS } from "./helpers";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Shapes of real credentials; none may appear in synthesized output. */
const SECRET_PATTERNS: [string, RegExp][] = [
  ["AWS access key", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ["GitHub token", /\bgh[pousr]_[A-Za-z0-9]{30,}\b/],
  ["private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ["client secret in values", /client_secret\\?":\s*\\?"[^$\\]/],
];

describe("secrets", () => {
  it("secret references become sensitive variables without defaults", () => {
    const v = synth("config/dandi.yaml").tf.variable!;
    expect(v.github_client_secret).toEqual(expect.objectContaining({ sensitive: true, type: "string", nullable: false }));
    expect(v.github_client_secret.default).toBeUndefined();
  });

  it("a Secrets Manager reference is read at apply time", () => {
    const s = synth(minimalYaml().replace("variable: github_client_secret", "secretsManager: {secretId: dandihub/github, key: client_secret}"), { name: "sm" });
    expect(s.tf.variable).toBeUndefined();
    expect(s.tf.data!.aws_secretsmanager_secret_version["secrets_secrets-manager-0"]).toEqual(expect.objectContaining({ secret_id: "dandihub/github" }));
    expect(s.tf.resource.kubernetes_secret_v1["jupyterhub_auth-secret"].data).toEqual({
      "github-client-secret": "${jsondecode(data.aws_secretsmanager_secret_version.secrets_secrets-manager-0.secret_string).client_secret}",
    });
  });

  it("values in the environment at synth time never reach the output", () => {
    const sentinel = "sentinel-Zx81-never-synthesized";
    process.env.TF_VAR_github_client_secret = sentinel;
    process.env.GITHUB_CLIENT_SECRET = sentinel;
    try {
      const outdir = mkdtempSync(join(tmpdir(), "dandihub-secret-"));
      buildApp([loadDeployment("config/dandi.yaml")], outdir).synth();
      expect(readFileSync(join(outdir, "stacks/dandi/cdk.tf.json"), "utf8")).not.toContain(sentinel);
    } finally {
      delete process.env.TF_VAR_github_client_secret;
      delete process.env.GITHUB_CLIENT_SECRET;
    }
  });

  for (const [variant, get] of Object.entries(VARIANTS)) {
    it(`${variant}: nothing shaped like a credential in cdk.tf.json`, () => {
      for (const [label, re] of SECRET_PATTERNS) expect(get().text, label).not.toMatch(re);
    });
  }

  it("the credential scan can fail", () => {
    expect('{"client_secret":"hunter2"}').toMatch(SECRET_PATTERNS[3][1]);
    expect("AKIAIOSFODNN7EXAMPLE").toMatch(SECRET_PATTERNS[0][1]);
  });
});

describe("Terraform template escaping", () => {
  it("a literal ${ or %{ in the deployment file reaches Helm unchanged, not interpolated by Terraform", () => {
    const s = synth(
      minimalYaml().replace("limits: { cpu: 64, memory: 256Gi }", "limits: { cpu: 64, memory: 256Gi }\n    env: { TEMPLATE: '${HOME}/%{x}' }"),
      { name: "escapes" },
    );
    const raw = s.tf.resource.helm_release.jupyterhub_chart_release.values as string[];
    expect(raw[0]).toContain("$${HOME}/%%{x}");
    const settings = JSON.parse((releaseValues(s.tf, "jupyterhub_chart_release") as any).hub.extraFiles["dandihub-settings"].stringData);
    expect(settings.groups.team.env.TEMPLATE).toBe("${HOME}/%{x}");
  });

  it("escapeTemplate doubles the markers and unescapeTemplate undoes it", () => {
    expect(escapeTemplate("a ${b} %{c} $d")).toBe("a $${b} %%{c} $d");
    expect(unescapeTemplate(escapeTemplate("a ${b} %{c}"))).toBe("a ${b} %{c}");
  });
});

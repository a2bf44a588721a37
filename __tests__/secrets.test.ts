/** No secret value reaches cdktf.out: secrets enter as sensitive variables or Secrets Manager reads. */
import { describe, expect, it } from "vitest";
import { buildApp } from "../src/app";
import { loadDeployment } from "../src/config/load";
import { escapeTemplate, unescapeTemplate } from "../src/core/helm-values";
import { minimalYaml, releaseValues, synth, VARIANTS } from "./helpers";
import { secretArnPatterns } from "../src/features/platform/external-secrets";
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

  it("a Secrets Manager reference never enters Terraform's state: ESO syncs it into the cluster, allowed that secret only", () => {
    const s = synth(minimalYaml().replace("variable: github_client_secret", "secretsManager: {secretId: dandihub/github, key: client_secret}"), { name: "sm" });
    expect(s.tf.variable).toBeUndefined();
    // No data source reads the value, and the Terraform-made Secret does not hold it.
    expect(s.tf.data?.aws_secretsmanager_secret_version).toBeUndefined();
    expect(s.tf.resource.kubernetes_secret_v1["jupyterhub_auth-secret"].data).toEqual({});
    const synced = (releaseValues(s.tf, "external-secrets_synced_release") as { manifests: Record<string, any>[] }).manifests;
    const store = synced.find((m) => m.kind === "SecretStore")!;
    expect(store.spec).toEqual({ provider: { aws: { service: "SecretsManager", region: "us-east-1" } } });
    expect(synced.find((m) => m.kind === "ExternalSecret")!.spec).toEqual({
      refreshInterval: "1h",
      secretStoreRef: { kind: "SecretStore", name: store.metadata.name },
      target: { name: "dandihub-auth-external", creationPolicy: "Owner" },
      data: [{ secretKey: "github-client-secret", remoteRef: { key: "dandihub/github", property: "client_secret" } }],
    });
    const hub = releaseValues(s.tf, "jupyterhub_chart_release") as Record<string, any>;
    expect(hub.hub.extraEnv.GITHUB_CLIENT_SECRET).toEqual({ valueFrom: { secretKeyRef: { name: "dandihub-auth-external", key: "github-client-secret" } } });
    const role = s.tf.module["external-secrets_role"] as Record<string, any>;
    expect(role.policy_statements).toEqual([
      { sid: "ReadNamedSecrets", actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], resources: [expect.stringMatching(/^arn:aws:secretsmanager:us-east-1:\$\{data\.aws_caller_identity\.[^}]+\}:secret:dandihub\/github-\?\?\?\?\?\?$/)] },
    ]);
    expect(role.associations).toEqual({ controller: expect.objectContaining({ namespace: "kube-system", service_account: "external-secrets" }) });
    // The hub starts after the synced Secret exists.
    expect(s.tf.resource.helm_release.jupyterhub_chart_release.depends_on).toContain("helm_release.external-secrets_synced_release");
  });

  it("a secret's ARNs: a name with the random suffix; an ARN as given and as a partial one", () => {
    expect(secretArnPatterns("dandihub-tokens", "us-east-2", "123456789012")).toEqual(["arn:aws:secretsmanager:us-east-2:123456789012:secret:dandihub-tokens-??????"]);
    const arn = "arn:aws:secretsmanager:us-east-2:123456789012:secret:x-AbC123";
    expect(secretArnPatterns(arn, "us-east-2", "1")).toEqual([arn, `${arn}-??????`]);
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

/**
 * The generated Zero to JupyterHub values, merged over the chart's defaults the way Helm merges
 * them, validate against the chart's own values schema (z2jh 4.4.0), and say what we mean.
 */
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { CHARTS } from "../src/charts";
import { describeShared, readShared, releaseValues, synth, VARIANTS } from "./helpers";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Helm's merge of user values over chart defaults: maps merge, lists and scalars replace, null deletes. */
export function helmMerge(defaults: Json, values: Json): Json {
  if (values === null) return null;
  if (typeof defaults !== "object" || defaults === null || Array.isArray(defaults)) return values;
  if (typeof values !== "object" || Array.isArray(values)) return values;
  const out: { [k: string]: Json } = { ...defaults };
  for (const [k, v] of Object.entries(values)) {
    if (v === null) delete out[k];
    else out[k] = k in out ? helmMerge(out[k], v) : v;
  }
  return out;
}

describe("helm merge", () => {
  it("merges maps, replaces lists and scalars, deletes on null", () => {
    expect(helmMerge({ a: { b: 1, c: [1, 2] }, d: 1, e: 2 }, { a: { c: [3] }, d: null, f: 3 })).toEqual({ a: { b: 1, c: [3] }, e: 2, f: 3 });
  });
});

describeShared("z2jh values", () => {
  const validator = () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    return ajv.compile(readShared("schemas/z2jh/values.schema.json"));
  };
  const merged = (values: Json) => helmMerge(readShared<Json>("schemas/z2jh/values.defaults.json"), values);

  it("the chart pinned is the chart the schema came from", () => {
    expect(CHARTS.jupyterhub.version).toBe("4.4.0");
  });

  for (const [variant, get] of Object.entries(VARIANTS)) {
    it(`${variant}: merged values validate against the chart schema`, () => {
      const validate = validator();
      const ok = validate(merged(releaseValues(get().tf, "jupyterhub_chart_release") as Json));
      expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 1)).toEqual([]);
      expect(ok).toBe(true);
    });
  }

  it("the validator rejects a wrong value (this test can fail)", () => {
    const validate = validator();
    const bad = merged({ ...(releaseValues(synth("config/minimal.yaml").tf, "jupyterhub_chart_release") as object), cull: { enabled: true, timeout: "1h" } } as Json);
    expect(validate(bad)).toBe(false);
    expect(validate(merged({ notAKey: true }))).toBe(false);
  });
});

describe("what the hub values say", () => {
  const dandi = () => releaseValues(synth("config/dandi.yaml").tf, "jupyterhub_chart_release") as Record<string, any>;

  it("GitHub login with the client secret read from a Kubernetes Secret, not the values", () => {
    const v = dandi();
    expect(v.hub.config.JupyterHub.authenticator_class).toBe("github");
    expect(v.hub.config.GitHubOAuthenticator).toMatchObject({
      client_id: "Ov23liDandiHubExample",
      oauth_callback_url: "https://hub.dandiarchive.org/hub/oauth_callback",
      allowed_organizations: ["dandi"],
      scope: ["read:org"],
    });
    expect(v.hub.config.GitHubOAuthenticator.client_secret).toBeUndefined();
    expect(v.hub.extraEnv.GITHUB_CLIENT_SECRET).toEqual({ valueFrom: { secretKeyRef: { name: "dandihub-auth", key: "github-client-secret" } } });
    expect(v.hub.config.Authenticator.admin_users).toEqual(["satra", "yarikoptic"]);
    const secret = synth("config/dandi.yaml").tf.resource.kubernetes_secret_v1["jupyterhub_auth-secret"];
    expect(secret.data).toEqual({ "github-client-secret": "${var.github_client_secret}" });
  });

  it("idle culling, start timeout and default URL from the file", () => {
    const v = dandi();
    expect(v.cull).toEqual({ enabled: true, users: false, timeout: 3600, every: 600, maxAge: 0 });
    expect(v.singleuser.startTimeout).toBe(2400);
    expect(v.singleuser.defaultUrl).toBe("/lab");
  });

  it("core/user separation: user pods only on Karpenter user nodes, never on core nodes", () => {
    const v = dandi();
    expect(v.scheduling.corePods.nodeAffinity.matchNodePurpose).toBe("require");
    expect(v.scheduling.userPods.nodeAffinity.matchNodePurpose).toBe("require");
    expect(v.scheduling.userScheduler.enabled).toBe(true);
    expect(v.scheduling.userPlaceholder.enabled).toBe(false);
    expect(v.singleuser.extraAnnotations).toEqual({ "karpenter.sh/do-not-disrupt": "true" });
  });

  it("profiles: sizes in KubeSpawner units, each on its pool, image menus, GPU tolerations and limits", () => {
    const v = dandi();
    const profiles = v.singleuser.profileList as Record<string, any>[];
    expect(profiles.map((p) => p.slug)).toEqual(["tiny", "base", "medium", "large", "gpu-t4"]);
    expect(profiles.filter((p) => p.default).map((p) => p.slug)).toEqual(["base"]);
    expect(profiles[0].kubespawner_override).toMatchObject({ cpu_guarantee: 0.25, cpu_limit: 2, mem_guarantee: "512M", mem_limit: "2G", image: "dandiarchive/dandihub:latest", node_selector: { "dandihub.org/pool": "cpu-spot" } });
    expect(Object.keys(profiles[1].profile_options.image.choices)).toEqual(["dandi", "dandi-allensdk", "dandi-openscope", "dandi-matlab"]);
    expect(profiles[1].profile_options.image.choices.dandi.default).toBe(true);
    const gpu = profiles[4].kubespawner_override;
    expect(gpu.node_selector).toEqual({ "dandihub.org/pool": "gpu-t4-spot" });
    expect(gpu.extra_resource_limits).toEqual({ "nvidia.com/gpu": "1" });
    expect(gpu.tolerations).toEqual([
      { key: "hub.jupyter.org/dedicated", operator: "Equal", value: "user", effect: "NoSchedule" },
      { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
    ]);
    expect(gpu.node_affinity_required[0].matchExpressions[0]).toEqual({ key: "node.kubernetes.io/instance-type", operator: "In", values: ["g4dn.2xlarge"] });
  });

  it("pre-pulls the CPU images users start from, not the GPU or opted-out ones", () => {
    const v = dandi();
    expect(v.prePuller.continuous.enabled).toBe(true);
    expect(Object.keys(v.prePuller.extraImages)).toEqual(["dandi", "dandi-allensdk", "dandi-openscope"]);
  });

  it("NLB with TLS: ACM offload at the load balancer, or Let's Encrypt in the proxy", () => {
    const le = dandi();
    expect(le.proxy.https).toEqual({ enabled: true, type: "letsencrypt", hosts: ["hub.dandiarchive.org"], letsencrypt: { contactEmail: "help@dandiarchive.org" } });
    expect(le.proxy.service.annotations["service.beta.kubernetes.io/aws-load-balancer-type"]).toBe("external");
    expect(le.proxy.service.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"]).toBeUndefined();
    const acm = releaseValues(VARIANTS["acm-admins-3az"]().tf, "jupyterhub_chart_release") as Record<string, any>;
    expect(acm.proxy.https).toEqual({ enabled: true, type: "offload", hosts: ["hub.example.org"] });
    expect(acm.proxy.service.annotations).toMatchObject({
      "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:aws:acm:us-east-1:111122223333:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https",
      "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    });
    expect(acm.cull.maxAge).toBe(7 * 86400);
  });

  it("the metadata server stays blocked by enforced NetworkPolicy, not a privileged iptables container", () => {
    const v = dandi();
    expect(v.singleuser.cloudMetadata.blockWithIptables).toBe(false);
    expect(v.singleuser.networkPolicy.enabled).toBe(true);
    expect(v.singleuser.networkPolicy.egressAllowRules?.cloudMetadataServer).not.toBe(true);
  });

  it("dummy login for development only lets everyone in, with no secret", () => {
    const v = releaseValues(VARIANTS["dev-dummy-cloud"]().tf, "jupyterhub_chart_release") as Record<string, any>;
    expect(v.hub.config.JupyterHub.authenticator_class).toBe("dummy");
    expect(v.hub.config.Authenticator.allow_all).toBe(true);
    expect(v.hub.extraEnv).toEqual({});
    expect(v.proxy.https).toEqual({ enabled: false });
  });
});

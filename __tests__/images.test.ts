/** Users' own images, built images, pull secrets and pre-pulling, in the synthesized output. */
import { describe, expect, it } from "vitest";
import { imageReferencePattern } from "../src/features/images/custom-images";
import { registryOf } from "../src/features/images/cache";
import { hubSettings, minimalYaml, problemsOf, releaseValues, synth, VARIANTS, type TfJson } from "./helpers";
import { askHub } from "./hub-python";

const ECR = "123456789012.dkr.ecr.us-east-2.amazonaws.com/variant-e-builds/";
const built = () => VARIANTS["images-build"]();
const hubValues = (tf: TfJson) => releaseValues(tf, "jupyterhub_chart_release") as Record<string, any>;
type Manifest = { kind: string; metadata: { name: string }; spec?: any; [k: string]: any };
const manifestsOf = (tf: TfJson, release: string) => (releaseValues(tf, release) as { manifests: Manifest[] }).manifests;

describe("which image references are allowed", () => {
  const re = new RegExp(imageReferencePattern(["quay.io/", "ghcr.io/dandi/", "docker.io/"]));
  it.each([
    "quay.io/jupyter/base-notebook:2025-06-02",
    "ghcr.io/dandi/dandihub:v1.2",
    "ghcr.io/dandi/tools/matlab@sha256:" + "a".repeat(64),
    "python:3.12-slim",
    "docker.io/library/python:3.12",
    "dandiarchive/dandihub:latest-gpu",
  ])("accepts %s", (ref) => expect(re.test(ref)).toBe(true));
  it.each([
    ["no tag or digest (an implicit :latest)", "quay.io/jupyter/base-notebook"],
    ["another org of an allowed registry", "ghcr.io/someone/miner:1"],
    ["a registry not listed", "evil.example.com/jupyter/base-notebook:1"],
    ["a registry with a port", "registry:5000/x:1"],
    ["localhost", "localhost/x:1"],
    ["upper case", "quay.io/Jupyter/base:1"],
    ["a look-alike host", "quay.io.evil.com/x:1"],
    ["shell metacharacters", "quay.io/x:1;rm -rf /"],
  ])("refuses %s", (_why, ref) => expect(re.test(ref)).toBe(false));

  it("a repository prefix under docker.io also matches its short form", () => {
    const hubOnly = new RegExp(imageReferencePattern(["docker.io/dandiarchive/"]));
    expect(hubOnly.test("dandiarchive/dandihub:1")).toBe(true);
    expect(hubOnly.test("docker.io/dandiarchive/dandihub:1")).toBe(true);
    expect(hubOnly.test("python:3.12")).toBe(false);
  });
});

describe("own and built images per group, as the hub enforces them", () => {
  const settings = () => hubSettings(hubValues(built().tf));
  /** Asks the hub's Python about many (groups, image, profile) choices in one run. */
  const chooseAll = (cases: [string[], string, string?][]) =>
    askHub(
      settings(),
      `[attempt(selection, s, "u", g, {"profile": p or "small", "image": "unlisted_choice", "image--unlisted-choice": i}) for g, i, p in ${JSON.stringify(cases.map(([g, i, p]) => [g, i, p ?? null])).replace(/null/g, "None")}]`,
    ) as (string | number)[];

  it("groups with own images may use the allowed registries and this hub's builds", () => {
    const images: [string, string | number][] = [
      ["quay.io/jupyter/scipy-notebook:2025-06-02", "ok"],
      ["python:3.12", "ok"],
      [`${ECR}github-dandi-example-abc:1f2e3d`, "ok"],
      ["evil.example.com/miner:1", 400],
      ["quay.io/jupyter/scipy-notebook", 400],
    ];
    for (const group of ["builders", "owners"]) {
      expect(chooseAll(images.map(([i]) => [[group], i]))).toEqual(images.map(([, want]) => want));
    }
  });

  it("a group that may only build may only start built images", () => {
    expect(chooseAll([[["buildonly"], `${ECR}github-x-y-abc:1`], [["buildonly"], "quay.io/jupyter/scipy-notebook:2025-06-02"]])).toEqual(["ok", 400]);
  });

  it("other groups, and profiles that opt out, get no free-form image at all", () => {
    expect(chooseAll([[["plain"], "quay.io/jupyter/scipy-notebook:2025-06-02"], [["builders"], "quay.io/jupyter/scipy-notebook:2025-06-02", "fixed"]])).toEqual([403, 403]);
    // Their one image is no choice at all: no menu, the image set on the profile.
    const small = askHub(settings(), "[p for p in profiles_for(s, ['plain']) if p['slug'] == 'small'][0]") as any;
    expect(small.profile_options).toBeUndefined();
    // The example sets aws.accountId: the menu's quay.io images come through the image cache.
    expect(small.kubespawner_override.image).toBe("123456789012.dkr.ecr.us-east-2.amazonaws.com/quay/jupyter/base-notebook:2025-06-02");
  });

  it("the build UI is shown to building groups only", () => {
    const ui = (g: string) => askHub(settings(), `[bool(p['profile_options']['image'].get('dynamic_image_building')) for p in profiles_for(s, ['${g}']) if p['slug'] == 'small']`);
    expect(ui("builders")).toEqual([true]);
    expect(ui("buildonly")).toEqual([true]);
    expect(ui("owners")).toEqual([false]);
  });

  it("the GPU profile offers own images with the GPU placement kept", () => {
    const t4 = askHub(settings(), "[p for p in profiles_for(s, ['builders']) if p['slug'] == 't4'][0]") as any;
    expect(t4.profile_options.image.unlisted_choice.validation_regex).toContain("quay\\.io/");
    expect(t4.kubespawner_override.extra_resource_limits).toEqual({ "nvidia.com/gpu": "1" });
  });
});

describe("private registries", () => {
  it("a dockerconfigjson Secret built from a sensitive variable, used by every chart pod", () => {
    const { tf, text } = built();
    const secret = tf.resource.kubernetes_secret_v1["images_pull-secret-0"] as any;
    expect(secret.type).toBe("kubernetes.io/dockerconfigjson");
    expect(secret.data[".dockerconfigjson"]).toContain("var.ghcr_token");
    expect(tf.variable!.ghcr_token).toMatchObject({ sensitive: true, type: "string" });
    expect(hubValues(tf).imagePullSecrets).toEqual(["dandihub-pull-0"]);
    // The hub starts only after the Secret exists.
    expect(tf.resource.helm_release.jupyterhub_chart_release.depends_on).toContain("kubernetes_secret_v1.images_pull-secret-0");
    expect(text).not.toMatch(/"password"\s*:\s*"[^$]/);
  });
});

describe("image building", () => {
  it("runs the builder as a hub service only building groups may use, on a fancy-profiles hub image", () => {
    const v = hubValues(built().tf);
    expect(v.hub.image).toEqual({ name: "registry.example.org/dandihub-hub", tag: "4.4.0-fancy" });
    expect(v.hub.services.binder).toMatchObject({ url: "http://binderhub.jupyterhub.svc", display: false, oauth_no_confirm: true });
    expect(v.hub.loadRoles["dandihub-image-builders"]).toEqual({
      description: expect.any(String),
      scopes: ["access:services!service=binder"],
      groups: ["builders", "buildonly"],
    });
    expect(hubSettings(v).fancyProfiles).toBe(true);
    // The builder calls the hub API through z2jh's hub NetworkPolicy.
    expect(v.hub.networkPolicy.ingress[0].from[0].podSelector.matchLabels).toEqual({ "app.kubernetes.io/name": "binderhub-service", "app.kubernetes.io/component": "binderhub" });
  });

  it("pushes to this deployment's ECR under its prefix, building only on the builder pool", () => {
    const { tf } = built();
    const b = releaseValues(tf, "images_builder_release") as any;
    expect(b.config.BinderHub.image_prefix).toBe(ECR);
    expect(b.config.AWSElasticContainerRegistry).toEqual({ aws_region: "us-east-2", url: "https://123456789012.dkr.ecr.us-east-2.amazonaws.com" });
    expect(b.config.KubernetesBuildExecutor.node_selector).toEqual({ "dandihub.org/node-role": "builder" });
    expect(b.dockerApi.nodeSelector).toEqual({ "dandihub.org/node-role": "builder" });
    expect(b.extraEnv.find((e: any) => e.name === "JUPYTERHUB_API_TOKEN").valueFrom.secretKeyRef).toEqual({ name: "hub", key: "hub.services.binder.apiToken" });
    // Keys of the pinned binderhub-service chart's values schema (it forbids any other).
    const allowed = ["enabled", "nameOverride", "fullnameOverride", "global", "custom", "networkPolicy", "buildPodsDockerConfig", "buildPodsRegistryCredentials", "config", "extraConfig", "extraCredentials", "extraEnv", "extraVolumes", "extraVolumeMounts", "replicas", "image", "resources", "securityContext", "podSecurityContext", "podAnnotations", "nodeSelector", "affinity", "tolerations", "rbac", "serviceAccount", "service", "ingress", "dockerApi"];
    for (const key of Object.keys(b)) expect(allowed).toContain(key);
  });

  it("the builder pool exists only when some group builds, and user servers never land on it", () => {
    const manifests = manifestsOf(built().tf, "karpenter_pools_release");
    const builder = manifests.find((m) => m.kind === "NodePool" && m.metadata.name === "builder")!;
    expect(builder.spec.template.metadata.labels).toEqual({ "dandihub.org/node-role": "builder" });
    expect(builder.spec.template.spec.taints).toContainEqual(expect.objectContaining({ key: "hub.jupyter.org/dedicated", value: "user" }));
    for (const m of manifests.filter((x) => x.kind === "NodePool" && x.metadata.name !== "builder")) {
      expect(m.spec.template.metadata.labels["dandihub.org/node-role"]).not.toBe("builder");
    }
    expect(manifestsOf(synth("config/minimal.yaml").tf, "karpenter_pools_release").some((m) => m.metadata.name === "builder")).toBe(false);
  });

  it("IAM: the builder may push only under the prefix; only the registry login is account-wide", () => {
    const { tf } = built();
    const statements = (mod: string) => (tf.module[mod] as any).policy_statements as { actions: string[]; resources: string[] }[];
    for (const s of [...statements("images_builder-role"), ...statements("images_ecr-maintenance-role")]) {
      if (s.resources.includes("*")) expect(s.actions).toEqual(["ecr:GetAuthorizationToken"]);
      else if (s.actions.includes("ecr:PutImage") || s.actions.includes("ecr:PutLifecyclePolicy")) expect(s.resources).toEqual([`arn:aws:ecr:us-east-2:123456789012:repository/variant-e-builds/*`]);
      else expect(s.actions).toEqual(["ecr:DescribeRepositories"]);
      for (const a of s.actions) expect(a).not.toMatch(/^ecr:(Delete|BatchDelete|SetRepositoryPolicy)|^iam:|\*$/);
    }
    expect((tf.module["images_builder-role"] as any).associations.builder.service_account).toBe("binderhub");
  });

  it("a nightly job keeps built repositories expiring, scanned and tagged", () => {
    const manifests = manifestsOf(built().tf, "images_manifests_release");
    const job = manifests.find((m) => m.kind === "CronJob" && m.metadata.name === "dandihub-ecr-maintenance")!;
    const c = job.spec.jobTemplate.spec.template.spec.containers[0];
    expect(c.command).toEqual(["python3", "-m", "dandihub_jobs.ecr_maintenance"]);
    expect(c.args).toEqual(["--prefix", "variant-e-builds/", "--keep-days", "14", "--tag", "dandihub:deployment=variant-e"]);
    expect(job.spec.jobTemplate.spec.template.spec.serviceAccountName).toBe("dandihub-ecr-maintenance");
    const code = job.spec.jobTemplate.spec.template.spec.volumes.find((v: any) => v.name === "code");
    expect(code.configMap.items.map((i: any) => i.key)).toContain("ecr_maintenance.py");
    expect(manifests.find((m) => m.kind === "Secret")!.metadata.name).toBe("binder-push-secret");
  });

  it("without building: stock hub image, no builder, no service, no role", () => {
    const { tf } = synth("config/dandi.yaml");
    const v = hubValues(tf);
    expect(v.hub.image).toBeUndefined();
    expect(v.hub.services.binder).toBeUndefined();
    expect(v.hub.loadRoles["dandihub-image-builders"]).toBeUndefined();
    expect(tf.resource.helm_release.images_builder_release).toBeUndefined();
    expect(tf.module["images_builder-role"]).toBeUndefined();
  });
});

describe("pre-pulling", () => {
  it("GPU images only on GPU nodes, CPU images through z2jh's puller", () => {
    const { tf } = built();
    const ds = manifestsOf(tf, "images_manifests_release").find((m) => m.kind === "DaemonSet")!;
    expect(ds.spec.template.spec.initContainers.map((c: any) => c.image)).toEqual(["123456789012.dkr.ecr.us-east-2.amazonaws.com/quay/jupyter/pytorch-notebook:cuda12-2025-06-02"]);
    expect(ds.spec.template.spec.nodeSelector).toEqual({ "karpenter.k8s.aws/instance-gpu-manufacturer": "nvidia" });
    expect(ds.spec.template.spec.imagePullSecrets).toEqual([{ name: "dandihub-pull-0" }]);
    expect(Object.values(hubValues(tf).prePuller.extraImages)).toEqual([{ name: "123456789012.dkr.ecr.us-east-2.amazonaws.com/quay/jupyter/base-notebook", tag: "2025-06-02" }]);
  });
});

describe("configuration checks", () => {
  it("own images need an allowlist, building needs its settings, prefixes end in /", () => {
    const grant = (g: string) => minimalYaml().replace("limits: { cpu: 64, memory: 256Gi }", `limits: { cpu: 64, memory: 256Gi }\n    customImages: ${g}`);
    expect(problemsOf(grant("{ own: true }")).format()).toContain("groups.team.customImages.own");
    expect(problemsOf(grant("{ build: true }")).format()).toContain("groups.team.customImages.build");
    const bad = problemsOf(minimalYaml() + "customImages:\n  allowedRegistries: [quay.io]\n");
    expect(bad.problems[0].path).toEqual(["customImages", "allowedRegistries", 0]);
    expect(bad.format()).toContain("ending in /");
    // A group's own list is enough without the hub-wide one; without own it means nothing.
    expect(() => problemsOf(grant("{ own: true, allowedRegistries: [quay.io/] }"))).toThrow("expected a ConfigError");
    expect(problemsOf(grant("{ allowedRegistries: [quay.io/] }")).format()).toMatch(/groups\.team\.customImages\.allowedRegistries = \[.*\]: applies to own images/);
  });

  it("a group may narrow or extend the registries: each group's rule in the settings, the hub holds a server to its group's", () => {
    const groups =
      "groups:\n" +
      "  team:\n    displayName: Team\n    members:\n      github: [example]\n    profiles: [small]\n    limits: { cpu: 64, memory: 256Gi }\n    customImages: { own: true }\n" +
      "  narrow:\n    displayName: Narrow\n    members:\n      github: [example]\n    profiles: [small]\n    limits: { cpu: 64, memory: 256Gi }\n    customImages: { own: true, allowedRegistries: [ghcr.io/narrow/] }\n" +
      "  same:\n    displayName: Same\n    members:\n      github: [example]\n    profiles: [small]\n    limits: { cpu: 64, memory: 256Gi }\n    customImages: { own: true }";
    const s = synth(minimalYaml({ groups }) + "customImages:\n  allowedRegistries: [quay.io/, docker.io/]\n", { name: "pergroupregistries" });
    const small = (hubSettings(hubValues(s.tf)).profiles as Record<string, any>[]).find((p) => p.slug === "small")!;
    const variants = small.profile_options.image.unlisted_choice.variants as { groups: string[]; validation_regex: string }[];
    expect(variants.map((v) => v.groups)).toEqual([["team", "same"], ["narrow"]]);
    expect(variants[0].validation_regex).toBe(imageReferencePattern(["quay.io/", "docker.io/"]));
    expect(variants[1].validation_regex).toBe(imageReferencePattern(["ghcr.io/narrow/"]));
    // What the hub does with them, in the hub's own Python.
    const settings = hubSettings(hubValues(s.tf));
    const pick = (group: string, ref: string) =>
      askHub(settings, `selection(s, 'u', ['team', 'narrow'], {'profile': 'small', 'group': '${group}', 'image': 'unlisted_choice', 'image--unlisted-choice': '${ref}'})[1]`);
    expect(pick("narrow", "ghcr.io/narrow/tools:1")).toBe("narrow");
    expect(pick("team", "quay.io/org/image:1")).toBe("team");
    expect(() => pick("narrow", "quay.io/org/image:1")).toThrow(/is not allowed for group 'narrow'/);
  });
});

describe("the image cache (ECR pull-through)", () => {
  const dandi = () => synth("config/dandi.yaml");
  const HOST = "123456789012.dkr.ecr.us-east-2.amazonaws.com";
  const byType = (tf: TfJson, type: string) => Object.values((tf.resource[type] ?? {}) as Record<string, Record<string, any>>);

  it("reads a reference's registry as a container runtime does", () => {
    expect(registryOf("python")).toEqual({ host: "docker.io", path: "library/python" });
    expect(registryOf("dandiarchive/dandihub")).toEqual({ host: "docker.io", path: "dandiarchive/dandihub" });
    expect(registryOf("docker.io/library/python")).toEqual({ host: "docker.io", path: "library/python" });
    expect(registryOf("quay.io/jupyter/base-notebook")).toEqual({ host: "quay.io", path: "jupyter/base-notebook" });
    expect(registryOf("registry:5000/x")).toEqual({ host: "registry:5000", path: "x" });
  });

  it("caches Docker Hub, signed in with a Secrets Manager secret named in the file; only the registries the menu uses", () => {
    const tf = dandi().tf;
    expect(byType(tf, "aws_ecr_pull_through_cache_rule")).toEqual([
      expect.objectContaining({ ecr_repository_prefix: "docker-hub", upstream_registry_url: "registry-1.docker.io", credential_arn: expect.stringMatching(/^\$\{data\.aws_secretsmanager_secret\.[^.]+\.arn\}$/) }),
    ]);
    expect(Object.values(tf.data!.aws_secretsmanager_secret as Record<string, Record<string, unknown>>)).toEqual([expect.objectContaining({ name: "ecr-pullthroughcache/docker-hub" })]);
    const [template] = byType(tf, "aws_ecr_repository_creation_template");
    expect(template).toMatchObject({ prefix: "docker-hub", applied_for: ["PULL_THROUGH_CACHE"], image_tag_mutability: "MUTABLE", encryption_configuration: [{ encryption_type: "AES256" }] });
    expect(JSON.parse(template.lifecycle_policy).rules[0]).toMatchObject({ selection: { countType: "imageCountMoreThan", countNumber: 3 }, action: { type: "expire" } });
  });

  it("every node pulls the menu's images through it: the profiles, the chart's default image and the GPU pre-puller", () => {
    const values = hubValues(dandi().tf);
    expect(values.singleuser.image.name).toBe(`${HOST}/docker-hub/dandiarchive/dandihub`);
    // "{value}": the free-form image users type (customImages), not the menu's.
    const refs = JSON.stringify(hubSettings(values)).match(/"image":"[^"{]+"/g)!;
    expect(refs.length).toBeGreaterThan(3);
    for (const r of refs) expect(r).toMatch(new RegExp(`^"image":"${HOST}/docker-hub/dandiarchive/dandihub:`));
    const puller = JSON.stringify(manifestsOf(dandi().tf, "images_manifests_release"));
    expect(puller).toContain(`${HOST}/docker-hub/dandiarchive/dandihub:latest-gpu`);
    expect(puller).not.toMatch(/"image":"dandiarchive\//);
  });

  it("the user nodes' role may import upstream images into those repositories only", () => {
    const tf = dandi().tf;
    const [policy] = byType(tf, "aws_iam_policy").filter((p) => String(p.name_prefix).includes("image-cache"));
    expect(JSON.parse(policy.policy).Statement).toEqual([
      { Sid: "PullThroughCache", Effect: "Allow", Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"], Resource: [`arn:aws:ecr:us-east-2:123456789012:repository/docker-hub/*`] },
    ]);
    expect((tf.module.karpenter_iam as Record<string, any>).node_iam_role_additional_policies).toMatchObject({ "image-cache": expect.stringMatching(/^\$\{aws_iam_policy\..+\.arn\}$/) });
  });

  it("without an account id, or switched off, images come from their registries; quay.io needs no secret, Docker Hub without one stays direct", () => {
    const images = "images:\n  base:\n    name: quay.io/jupyter/base-notebook\n    tag: '2025-06-02'\n  hubbed:\n    name: jupyter/scipy-notebook\n    tag: '2025-06-02'";
    const withAccount = (extra: string) => minimalYaml({ images, aws: `aws:\n  region: us-east-2\n  accountId: "123456789012"${extra}` });
    const quay = synth(withAccount(""), { name: "cachequay" });
    expect(byType(quay.tf, "aws_ecr_pull_through_cache_rule").map((r) => r.ecr_repository_prefix)).toEqual(["quay"]);
    expect(quay.config.images.map((i) => i.ref)).toEqual([`${HOST}/quay/jupyter/base-notebook:2025-06-02`, "jupyter/scipy-notebook:2025-06-02"]);
    expect(quay.config.images.map((i) => i.upstreamRef)).toEqual(["quay.io/jupyter/base-notebook:2025-06-02", "jupyter/scipy-notebook:2025-06-02"]);
    const off = synth(withAccount("\nimageCache:\n  enabled: false"), { name: "cacheoff" });
    expect(off.tf.resource.aws_ecr_pull_through_cache_rule).toBeUndefined();
    expect(off.config.images[0].ref).toBe("quay.io/jupyter/base-notebook:2025-06-02");
    const none = synth(minimalYaml({ images }), { name: "cachenoaccount" });
    expect(none.tf.resource.aws_ecr_pull_through_cache_rule).toBeUndefined();
    expect(problemsOf(minimalYaml({ images }) + "imageCache:\n  enabled: true\n").format()).toMatch(/imageCache\.enabled = true: the cache needs aws\.accountId/);
    expect(problemsOf(withAccount("\nimageCache:\n  dockerHubSecret: docker-hub")).format()).toMatch(/imageCache\.dockerHubSecret = "docker-hub": expected the name of a Secrets Manager secret that starts with ecr-pullthroughcache\//);
  });
});

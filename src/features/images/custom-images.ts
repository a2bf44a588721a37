/**
 * Users' own images and images built here: which references are allowed (a regular expression
 * the hub checks on every spawn), and the image option each profile offers.
 */
import { mapLiteralParts } from "../../core/util/tokens";
import type { ResolvedCustomImages } from "./resolve";

/** One path component of an image name (distribution's grammar, lowercase). */
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const TAG = ":[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
const DIGEST = "@sha256:[a-f0-9]{64}";

/** Escapes a literal for a regular expression; CDKTF tokens (an account id) pass through. */
function escapeRegex(text: string): string {
  return mapLiteralParts(text, (literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\${c}`));
}

/** The alternatives a prefix stands for; Docker Hub references may omit `docker.io/`. */
function prefixAlternatives(prefix: string): string[] {
  if (prefix === "docker.io/") {
    // Short form: nothing before the first slash has a dot or colon (that would be a registry).
    // `localhost/` is a registry to Docker too.
    return ["docker\\.io/", "(?!localhost/)(?![^/]*[.:][^/]*/)"];
  }
  if (prefix.startsWith("docker.io/")) return [escapeRegex(prefix), escapeRegex(prefix.slice("docker.io/".length))];
  return [escapeRegex(prefix)];
}

/**
 * Anchored pattern of the image references allowed under `prefixes`: a name below one of them,
 * with a tag, a digest, or both (no implicit `:latest`).
 */
export function imageReferencePattern(prefixes: readonly string[]): string {
  const alternatives = prefixes.flatMap(prefixAlternatives).join("|");
  return `^(?:${alternatives})${COMPONENT}(?:/${COMPONENT})*(?:${TAG}(?:${DIGEST})?|${DIGEST})$`;
}

/** What users are told when a reference is refused. */
export function allowedMessage(prefixes: readonly string[], builds: boolean): string {
  if (!prefixes.length) return "Only images built here can be used: build one from a Git repository with the build option.";
  const built = builds ? " or one built here" : "";
  return `Use an image from ${prefixes.join(", ")}${built}, with a tag or digest, e.g. ${prefixes[0]}org/image:2025.01`;
}

export interface CustomImageContext {
  /** `<account>.dkr.ecr.<region>.amazonaws.com/` of this deployment (a Terraform expression). */
  readonly ecrRegistry: string;
}

/** A group as the image choices see it: what it grants and may use. */
export interface ImageGroup {
  readonly key: string;
  readonly profiles: readonly string[];
  readonly customImages: { readonly own: boolean; readonly build: boolean; readonly allowedRegistries: readonly string[] };
}

/** A profile as the image choices see it. */
export interface ImageProfile {
  readonly key: string;
  /** Offers own/built images to groups granted them. */
  readonly customImages: boolean;
}

export interface UnlistedVariant {
  readonly groups: readonly string[];
  readonly validation_regex: string;
  readonly validation_message: string;
}

/**
 * The free-form image choice of a profile, or undefined when no group granting the profile may
 * use one. Its regular expression depends on the user's groups (chosen by the hub): groups with
 * `own` may use the allowed registries and built images, groups with only `build` built images.
 */
export function unlistedChoice(images: ResolvedCustomImages, groups: readonly ImageGroup[], profile: ImageProfile, ctx: CustomImageContext) {
  if (!profile.customImages) return undefined;
  const granting = groups.filter((g) => g.profiles.includes(profile.key) && (g.customImages.own || g.customImages.build));
  const builtPrefix = `${ctx.ecrRegistry}${images.building?.repositoryPrefix ?? ""}`;
  // One variant per distinct rule: its own registries (none for build-only groups), built images if it builds.
  const variants: (UnlistedVariant & { groups: string[] })[] = [];
  const byRule = new Map<string, UnlistedVariant & { groups: string[] }>();
  // Images built here are open to every group offered own or built images with this profile.
  const builds = images.building !== undefined && granting.some((g) => g.customImages.build);
  for (const g of granting) {
    const allowed = g.customImages.own ? g.customImages.allowedRegistries : [];
    const rule = JSON.stringify([allowed, builds]);
    const known = byRule.get(rule);
    if (known) {
      known.groups.push(g.key);
      continue;
    }
    const prefixes = builds ? [...allowed, builtPrefix] : [...allowed];
    if (!prefixes.length) continue;
    const variant = { groups: [g.key], validation_regex: imageReferencePattern(prefixes), validation_message: allowedMessage(allowed, builds) };
    byRule.set(rule, variant);
    variants.push(variant);
  }
  if (!variants.length) return undefined;
  const allowed = [...new Set(granting.flatMap((g) => (g.customImages.own ? g.customImages.allowedRegistries : [])))];
  return {
    enabled: true,
    display_name: "Your own image",
    display_name_in_choices: "Specify an existing image",
    description_in_choices: `An image from ${allowed.join(", ") || "a registry this hub allows"}`,
    kubespawner_override: { image: "{value}" },
    variants,
  };
}

/** Groups that see the build-an-image choice of a profile. */
export function buildGroups(images: ResolvedCustomImages, groups: readonly ImageGroup[], profile: ImageProfile): string[] {
  if (!profile.customImages || !images.building) return [];
  return groups.filter((g) => g.profiles.includes(profile.key) && g.customImages.build).map((g) => g.key);
}

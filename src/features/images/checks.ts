/** Cross-field rules of images: profiles name images that exist, own/built images have what they need. */
import { closest } from "../../core/util/closest";
import type { ConfigProblem } from "../../config/errors";
import { secretRefProblems } from "../../config/rules";
import type { Deployment } from "../../config/schema";

export function checkImages(d: Deployment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const imageNames = Object.keys(d.images);
  for (const [name, p] of Object.entries(d.profiles)) {
    p.images.forEach((img, i) => {
      const image = d.images[img];
      if (!image) {
        const guess = closest(img, imageNames);
        problems.push({ path: ["profiles", name, "images", i], message: `no image of that name${guess ? ` (did you mean ${guess}?)` : ""}; defined: ${imageNames.join(", ") || "none"}` });
      } else if (image.gpu && !p.gpu) {
        problems.push({ path: ["profiles", name, "images", i], message: "is a GPU image; offer it only in profiles with a gpu" });
      }
    });
  }
  for (const [name, g] of Object.entries(d.groups)) {
    const registries = g.customImages.allowedRegistries ?? d.customImages.allowedRegistries;
    if (g.customImages.own && !registries.length) {
      problems.push({ path: ["groups", name, "customImages", "own"], message: "list where own images may come from in customImages.allowedRegistries or this group's customImages.allowedRegistries (e.g. quay.io/)" });
    }
    if (g.customImages.allowedRegistries && !g.customImages.own) {
      problems.push({ path: ["groups", name, "customImages", "allowedRegistries"], message: "applies to own images: set own: true, or remove it" });
    }
    if (g.customImages.build && !d.customImages.build) {
      problems.push({ path: ["groups", name, "customImages", "build"], message: "building needs customImages.build (its hubImage with jupyterhub-fancy-profiles)" });
    }
  }
  const wide = d.customImages.allowedRegistries.findIndex((r) => !r.includes("/") || r === "/");
  if (wide >= 0) problems.push({ path: ["customImages", "allowedRegistries", wide], message: "must end in /" });
  d.customImages.pullSecrets.forEach((p, i) => problems.push(...secretRefProblems(["customImages", "pullSecrets", i, "password"], p.password)));
  if (d.imageCache.enabled && !d.aws.accountId) {
    problems.push({ path: ["imageCache", "enabled"], message: "the cache needs aws.accountId: the nodes' image references name this account's ECR, fixed at synth" });
  }
  return problems;
}

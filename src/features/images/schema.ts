/** The image menu, users' own images and image building. */
import { z } from "zod";
import { Name, Quantity, SecretRef } from "../../config/scalars";

export const Image = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]+([._\/-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, {
      message: "an image repository such as dandiarchive/dandihub or quay.io/org/image",
    })
    .describe("Image repository (registry host optional)."),
  tag: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { message: "an image tag" })
    .describe("Image tag. A tag that is re-pushed (latest, latest-gpu, main) needs a digest in production (policy DH015)."),
  digest: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/, { message: "a content digest, sha256: and 64 hex digits (npm run pin-images writes them)" })
    .optional()
    .describe("The image's content digest: servers run exactly this, whatever the tag points at later. `npm run pin-images -- <file>` looks up and writes the digests of re-pushed tags."),
  displayName: z.string().min(1).max(80, { message: "at most 80 characters: a label, shown in menus" }).optional().describe("Label in the server options menu."),
  gpu: z.boolean().default(false).describe("Image carries CUDA; pre-pulled only on GPU nodes."),
  prePull: z.boolean().default(true).describe("Pre-pull on user nodes so spawns do not wait on a pull."),
  nodeDisk: Quantity.optional().describe(
    "What the image takes on a node's disk once pulled: its compressed layers plus the unpacked copy (`crictl imagefsinfo` before and after a pull, or about 3x the compressed size). When every image of a pool says it, the pool's root volumes are sized from them (userNodes.diskSize).",
  ),
});

const CacheSecret = z.string().regex(/^ecr-pullthroughcache\/[A-Za-z0-9/_+=.@-]+$/, {
  message: "the name of a Secrets Manager secret that starts with ecr-pullthroughcache/ (ECR reads only those), holding {\"username\": ..., \"accessToken\": ...}",
});

export const ImageCache = z.strictObject({
  enabled: z
    .boolean()
    .optional()
    .describe("Pull the menu's images through ECR pull-through cache rules in this region (needs aws.accountId, which fixes the cached references at synth). @default true when aws.accountId is set"),
  dockerHubSecret: CacheSecret.optional().describe(
    "Secrets Manager secret with a Docker Hub username and access token (ECR caches Docker Hub only signed in). Without it, Docker Hub images are pulled from Docker Hub, through NAT.",
  ),
  githubSecret: CacheSecret.optional().describe("Secrets Manager secret with a GitHub username and a token that reads packages, for ghcr.io images. Without it, they are pulled from ghcr.io."),
  keepImages: z.int().min(1).max(100).default(3).describe("Images kept per cached repository; older ones expire from ECR and are fetched again if pulled."),
});

const RegistryPrefix = z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?\/([a-z0-9._-]+\/)*$/, {
  message: "a registry or repository prefix ending in /, such as quay.io/ or ghcr.io/my-org/",
});

export const CustomImages = z.strictObject({
  allowedRegistries: z
    .array(RegistryPrefix)
    .default([])
    .describe(
      "Where users' own images may come from: registry or repository prefixes (quay.io/, ghcr.io/dandi/, docker.io/dandiarchive/). " +
        "Images built here (groups with build) are always allowed. A reference needs a tag or digest.",
    ),
  build: z
    .strictObject({
      hubImage: z
        .strictObject({ name: z.string().min(1), tag: z.string().min(1) })
        .describe("A hub image with jupyterhub-fancy-profiles (the build UI); the stock z2jh hub image does not have it."),
      keepDays: z.int().min(1).default(30).describe("Built images not pushed for this long are deleted from ECR."),
    })
    .optional()
    .describe("Building images from Git repositories (repo2docker through binderhub-service), for groups with customImages.build."),
  pullSecrets: z
    .array(
      z.strictObject({
        server: z.string().regex(/^[a-z0-9.-]+(:[0-9]+)?$/, { message: "a registry host such as ghcr.io" }),
        username: z.string().min(1),
        password: SecretRef.describe("Registry password or token."),
      }),
    )
    .default([])
    .describe("Credentials for pulling images from private registries (the secrets stay out of the synthesized output)."),
});

/** A profile's images and whether it offers own or built images (fields of `profiles.<name>`). */
export const profileFields = {
  images: z
    .array(Name)
    .min(1)
    .describe("Names from `images`; the first is preselected, the others form a menu."),
  customImages: z
    .boolean()
    .default(true)
    .describe("Offer your-own-image and build-an-image choices here, to groups granted them (groups.*.customImages)."),
};

/** Whether a group's members may use own or built images (a field of `groups.<name>`). */
export const groupFields = {
  customImages: z
    .strictObject({
      own: z.boolean().default(false).describe("Members may start any image from customImages.allowedRegistries (or this group's allowedRegistries)."),
      allowedRegistries: z
        .array(RegistryPrefix)
        .optional()
        .describe(
          "This group's own-image registries, instead of customImages.allowedRegistries: list fewer to narrow, others to extend. A member in several groups is held to the list of the group the server counts against. @default customImages.allowedRegistries",
        ),
      build: z.boolean().default(false).describe("Members may build an image from a Git repository and start it."),
    })
    .prefault({}),
};

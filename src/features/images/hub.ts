/**
 * What images add to the hub: pull secrets every pod may use, the pre-puller of the menu's CPU
 * images, and with image building the hub image with jupyterhub-fancy-profiles, the builder as a
 * hub service users of building groups may use, and its access to the hub API.
 */
import { chartImage } from "../../core/util/image-ref";
import type { HubContribution } from "../../core/hub-contribution";
import { GROUP_LABEL } from "../../core/labels";
import { HUB_SERVICES } from "../../core/names";
import { BUILDER_POD_LABELS, BUILDER_URL } from "./manifests";
import type { ResolvedCustomImages, ResolvedImage } from "./resolve";

/** The z2jh role that lets building groups use the image builder. */
export const IMAGE_BUILDERS_ROLE = "dandihub-image-builders";


export interface ImagesHubInput {
  readonly images: readonly ResolvedImage[];
  readonly customImages: ResolvedCustomImages;
  readonly hubUrl: string;
  /** Names of the pull secrets (the Images construct made them). */
  readonly pullSecretNames: readonly string[];
}

export function imagesHubContribution({ images, customImages, hubUrl, pullSecretNames }: ImagesHubInput): HubContribution {
  const building = customImages.building;
  const prePulled = images.filter((i) => i.prePull && !i.gpu);
  return {
    values: {
      // Pull secrets (by name) every pod of the chart uses: private registries of users' images.
      imagePullSecrets: [...pullSecretNames],
      // The build UI needs a hub image with jupyterhub-fancy-profiles; the stock one lacks it.
      ...(building ? { hub: { image: { name: building.hubImage.name, tag: building.hubImage.tag } } } : {}),
      prePuller: {
        // User nodes also carry their group's taint; the puller serves every group.
        extraTolerations: [{ key: GROUP_LABEL, operator: "Exists", effect: "NoSchedule" }],
        // The hook would block every helm upgrade on pulls to all user nodes.
        hook: { enabled: false },
        continuous: { enabled: true },
        pullProfileListImages: false,
        extraImages: Object.fromEntries(prePulled.map((i) => [i.key, chartImage(i.ref)])),
      },
    },
    // The spawn page with the build-an-image UI.
    settings: { fancyProfiles: building !== undefined },
    ...(building
      ? {
          services: {
            [HUB_SERVICES.builder]: {
              display: false,
              url: BUILDER_URL,
              // Users reach it from the spawn page; asking them to authorize it again adds nothing.
              oauth_no_confirm: true,
              oauth_redirect_uri: `${hubUrl}/services/${HUB_SERVICES.builder}/oauth_callback`,
            },
          },
          roles: {
            [IMAGE_BUILDERS_ROLE]: {
              description: "Groups that build images: may use the image builder service",
              scopes: [`access:services!service=${HUB_SERVICES.builder}`],
              groups: [...building.groups],
            },
          },
          apiClients: [{ name: HUB_SERVICES.builder, podLabels: BUILDER_POD_LABELS }],
        }
      : {}),
  };
}


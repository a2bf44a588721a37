import re
import unittest

from dandihub_hub.profiles import NotOffered, profiles_for, selection

from .fixtures import settings

# Shaped like the synthesized one (src/features/images/custom-images.ts): quay.io/ and ghcr.io/dandi/ for
# groups with own images; only this hub's builds for groups that may only build.
COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
TAIL = f"{COMPONENT}(?:/{COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}}(?:@sha256:[a-f0-9]{{64}})?|@sha256:[a-f0-9]{{64}})$"
OWN = rf"^(?:quay\.io/|ghcr\.io/dandi/|123456789012\.dkr\.ecr\.us-east-2\.amazonaws\.com/hub-builds/){TAIL}"
BUILD = rf"^(?:123456789012\.dkr\.ecr\.us-east-2\.amazonaws\.com/hub-builds/){TAIL}"


def with_custom_images():
    s = settings()
    base = s["profiles"][1]
    base["profile_options"]["image"]["unlisted_choice"] = {
        "enabled": True,
        "display_name": "Your own image",
        "kubespawner_override": {"image": "{value}"},
        "variants": [
            {"groups": ["dandi"], "validation_regex": OWN, "validation_message": "Use an image from quay.io/, ghcr.io/dandi/ or built here"},
            {"groups": ["bican"], "validation_regex": BUILD, "validation_message": "Use an image built here"},
        ],
    }
    base["profile_options"]["image"]["dynamic_image_building"] = {"enabled": True, "allowed_groups": ["dandi", "bican"]}
    return s


def base_for(groups):
    return next(p for p in profiles_for(with_custom_images(), groups) if p["slug"] == "base")


class Offered(unittest.TestCase):
    def test_own_image_group_gets_its_regex_and_the_build_ui(self):
        image = base_for(["dandi"])["profile_options"]["image"]
        self.assertEqual(image["unlisted_choice"]["validation_regex"], OWN)
        self.assertNotIn("variants", image["unlisted_choice"])
        self.assertEqual(image["dynamic_image_building"], {"enabled": True})

    def test_build_only_group_gets_the_narrow_regex(self):
        image = base_for(["bican"])["profile_options"]["image"]
        self.assertEqual(image["unlisted_choice"]["validation_regex"], BUILD)

    def test_users_in_both_get_either_rule_in_the_form(self):
        # KubeSpawner checks the form's value with re.match before the hub knows the group.
        unlisted = base_for(["bican", "dandi"])["profile_options"]["image"]["unlisted_choice"]
        self.assertEqual(unlisted["validation_regex"], f"(?:{OWN})|(?:{BUILD})")
        for ref in ["quay.io/org/image:1", "123456789012.dkr.ecr.us-east-2.amazonaws.com/hub-builds/x:1"]:
            self.assertTrue(re.match(unlisted["validation_regex"], ref), ref)
        self.assertFalse(re.match(unlisted["validation_regex"], "docker.io/evil/miner:1"))
        self.assertIn("Or: ", unlisted["validation_message"])

    def test_other_groups_get_neither(self):
        s = with_custom_images()
        s["groups"]["workshop"]["profiles"]["base"] = {"pool": "workshop-cpu-on-demand", "capacity": "on-demand"}
        base = next(p for p in profiles_for(s, ["workshop"]) if p["slug"] == "base")
        image = base.get("profile_options", {}).get("image", {})
        self.assertNotIn("unlisted_choice", image)
        self.assertNotIn("dynamic_image_building", image)


class Validated(unittest.TestCase):
    def select(self, groups, value):
        return selection(with_custom_images(), "u", groups, {"profile": "base", "image": "unlisted_choice", "image--unlisted-choice": value})

    def test_accepts_allowed_references(self):
        for ref in [
            "quay.io/org/image:2025.01",
            "quay.io/org/sub/image:v1.2.3",
            "ghcr.io/dandi/dandihub:latest-matlab",
            "quay.io/org/image@sha256:" + "a" * 64,
            "quay.io/org/image:1@sha256:" + "b" * 64,
            "123456789012.dkr.ecr.us-east-2.amazonaws.com/hub-builds/github-com-dandi-example-abc123:3f9c2e1",
        ]:
            profile, _ = self.select(["dandi"], ref)
            self.assertEqual(profile["slug"], "base", ref)

    def test_rejects_other_registries_missing_tags_and_tricks(self):
        for ref in [
            "docker.io/evil/miner:latest",
            "evil/miner:latest",
            "ghcr.io/other/image:1",
            "quay.io/org/image",
            "quay.io/org/image:",
            "quay.io.evil.com/org/image:1",
            "quay.io/../x:1",
            "QUAY.IO/org/image:1",
            "quay.io/org/image:1 ; rm -rf /",
            "quay.io/org/image:1\n",
            "",
        ]:
            with self.assertRaises(NotOffered, msg=ref) as e:
                self.select(["dandi"], ref)
            self.assertEqual(e.exception.status, 400)
            self.assertIn("quay.io/", e.exception.message)

    def test_build_only_users_may_start_only_built_images(self):
        with self.assertRaises(NotOffered):
            self.select(["bican"], "quay.io/org/image:1")
        self.select(["bican"], "123456789012.dkr.ecr.us-east-2.amazonaws.com/hub-builds/x:1")

    def test_a_user_in_two_groups_is_held_to_the_group_the_server_counts_against(self):
        quay = "quay.io/org/image:1"
        built = "123456789012.dkr.ecr.us-east-2.amazonaws.com/hub-builds/x:1"
        options = lambda group, ref: {"profile": "base", "group": group, "image": "unlisted_choice", "image--unlisted-choice": ref}
        s = with_custom_images()
        self.assertEqual(selection(s, "u", ["dandi", "bican"], options("dandi", quay))[1], "dandi")
        self.assertEqual(selection(s, "u", ["dandi", "bican"], options("bican", built))[1], "bican")
        with self.assertRaises(NotOffered) as e:
            selection(s, "u", ["dandi", "bican"], options("bican", quay))
        self.assertEqual(e.exception.status, 400)
        self.assertIn("for group 'bican'", e.exception.message)

    def test_per_group_registries(self):
        # groups.<g>.customImages.allowedRegistries: dandi quay.io/ only, bican ghcr.io/bican/ only.
        s = with_custom_images()
        variants = s["profiles"][1]["profile_options"]["image"]["unlisted_choice"]["variants"]
        variants[0]["validation_regex"] = rf"^(?:quay\.io/){TAIL}"
        variants[1]["validation_regex"] = rf"^(?:ghcr\.io/bican/){TAIL}"
        pick = lambda group, ref: selection(s, "u", ["dandi", "bican"], {"profile": "base", "group": group, "image": "unlisted_choice", "image--unlisted-choice": ref})
        pick("dandi", "quay.io/org/image:1")
        pick("bican", "ghcr.io/bican/tools:2")
        for group, ref in [("dandi", "ghcr.io/bican/tools:2"), ("bican", "quay.io/org/image:1")]:
            with self.assertRaises(NotOffered, msg=(group, ref)):
                pick(group, ref)

    def test_a_group_without_own_images_cannot_carry_one(self):
        s = with_custom_images()
        s["groups"]["workshop"]["profiles"]["base"] = {"pool": "workshop-cpu-on-demand", "capacity": "on-demand"}
        with self.assertRaises(NotOffered) as e:
            selection(s, "u", ["dandi", "workshop"], {"profile": "base", "group": "workshop", "image": "unlisted_choice", "image--unlisted-choice": "quay.io/org/image:1"})
        self.assertIn("does not offer a free-form 'image'", e.exception.message)

    def test_users_without_custom_images_cannot_submit_one_through_the_api(self):
        s = with_custom_images()
        with self.assertRaises(NotOffered) as e:
            selection(s, "u", ["ember"], {"profile": "tiny", "image--unlisted-choice": "quay.io/org/image:1"})
        self.assertEqual(e.exception.status, 403)


if __name__ == "__main__":
    unittest.main()

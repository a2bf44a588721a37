import unittest

from dandihub_hub.profiles import GROUP_OPTION, NotOffered, profiles_for, selection

from .fixtures import settings


def slugs(profiles):
    return [p["slug"] for p in profiles]


class Filtering(unittest.TestCase):
    def test_one_group(self):
        self.assertEqual(slugs(profiles_for(settings(), ["ember"])), ["tiny"])

    def test_several_groups_see_the_union_in_menu_order(self):
        self.assertEqual(slugs(profiles_for(settings(), ["bican", "ember"])), ["tiny", "base"])
        self.assertEqual(slugs(profiles_for(settings(), ["dandi", "bican"])), ["tiny", "base", "gpu"])

    def test_no_groups_no_profiles(self):
        self.assertEqual(profiles_for(settings(), []), [])
        self.assertEqual(profiles_for(settings(), ["not-a-group"]), [])

    def test_gpu_only_for_groups_granted_it(self):
        self.assertNotIn("gpu", slugs(profiles_for(settings(), ["bican", "ember", "workshop"])))

    def test_group_choice_appears_only_when_several_groups_grant_the_profile(self):
        tiny = profiles_for(settings(), ["dandi", "ember"])[0]
        self.assertEqual(list(tiny["profile_options"][GROUP_OPTION]["choices"]), ["dandi", "ember"])
        self.assertTrue(tiny["profile_options"][GROUP_OPTION]["choices"]["dandi"]["default"])
        base = profiles_for(settings(), ["dandi", "ember"])[1]
        self.assertNotIn(GROUP_OPTION, base["profile_options"])

    def test_choices_limited_by_group(self):
        base_dandi = next(p for p in profiles_for(settings(), ["dandi"]) if p["slug"] == "base")
        self.assertEqual(list(base_dandi["profile_options"]["image"]["choices"]), ["dandi", "matlab"])
        base_bican = next(p for p in profiles_for(settings(), ["bican"]) if p["slug"] == "base")
        # One choice left is no choice: it is folded into the profile, not shown as a menu.
        self.assertNotIn("profile_options", base_bican)
        dandi_image = base_dandi["profile_options"]["image"]["choices"]["dandi"]["kubespawner_override"]["image"]
        self.assertEqual(base_bican["kubespawner_override"]["image"], dandi_image)
        self.assertEqual(base_bican["kubespawner_override"]["cpu_guarantee"], base_dandi["kubespawner_override"]["cpu_guarantee"])
        self.assertNotIn("allowed_groups", str(base_dandi))

    def test_unlisted_choice_limited_by_group(self):
        s = settings()
        s["profiles"][1]["profile_options"]["image"]["unlisted_choice"] = {
            "enabled": True, "display_name": "Own image", "validation_regex": "^quay.io/.+$", "allowed_groups": ["bican"],
            "kubespawner_override": {"image": "{value}"},
        }
        bican = next(p for p in profiles_for(s, ["bican"]) if p["slug"] == "base")
        dandi = next(p for p in profiles_for(s, ["dandi"]) if p["slug"] == "base")
        self.assertIn("unlisted_choice", bican["profile_options"]["image"])
        self.assertNotIn("allowed_groups", bican["profile_options"]["image"]["unlisted_choice"])
        self.assertNotIn("unlisted_choice", dandi["profile_options"]["image"])

    def test_a_default_is_always_marked(self):
        offered = profiles_for(settings(), ["ember"])
        self.assertTrue(offered[0]["default"])

    def test_settings_are_not_mutated(self):
        s = settings()
        before = repr(s)
        profiles_for(s, ["dandi", "bican", "ember"])
        self.assertEqual(repr(s), before)


class SpotNotice(unittest.TestCase):
    def profile(self, slug, groups):
        return next(p for p in profiles_for(settings(), groups) if p["slug"] == slug)

    def test_spot_only_profiles_say_so(self):
        self.assertIn("2 minutes", self.profile("gpu", ["dandi"])["description"])
        self.assertNotIn("2 minutes", self.profile("base", ["bican"])["description"])

    def test_mixed_capacity_is_shown_on_the_group_choice(self):
        base = self.profile("base", ["dandi", "bican"])
        self.assertNotIn("2 minutes", base["description"])
        names = {k: c["display_name"] for k, c in base["profile_options"][GROUP_OPTION]["choices"].items()}
        self.assertEqual(names, {"dandi": "DANDI (spot)", "bican": "BICAN (on-demand)"})
        # Same capacity in every group: no suffix.
        tiny = self.profile("tiny", ["dandi", "ember"])
        self.assertNotIn("(spot)", str(tiny["profile_options"][GROUP_OPTION]["choices"]))
        self.assertIn("2 minutes", tiny["description"])


class Selection(unittest.TestCase):
    def test_api_submitted_profile_not_offered(self):
        with self.assertRaises(NotOffered) as e:
            selection(settings(), "bob", ["bican"], {"profile": "gpu"})
        self.assertEqual(e.exception.status, 403)
        self.assertIn("'gpu' is not offered", e.exception.message)

    def test_api_submitted_choice_not_offered(self):
        with self.assertRaises(NotOffered) as e:
            selection(settings(), "bob", ["bican"], {"profile": "base", "image": "matlab"})
        self.assertEqual(e.exception.status, 403)
        self.assertIn("'image' is not offered", e.exception.message)
        with self.assertRaises(NotOffered) as e:
            selection(settings(), "ann", ["dandi"], {"profile": "base", "image": "nope"})
        self.assertIn("'nope' is not a choice", e.exception.message)

    def test_api_submitted_option_not_offered(self):
        with self.assertRaises(NotOffered):
            selection(settings(), "bob", ["dandi"], {"profile": "tiny", "image": "dandi"})

    def test_group_not_granting_the_profile(self):
        with self.assertRaises(NotOffered) as e:
            selection(settings(), "bob", ["dandi", "bican"], {"profile": "gpu", "group": "bican"})
        self.assertIn("does not grant", e.exception.message)

    def test_group_the_user_is_not_in(self):
        with self.assertRaises(NotOffered):
            selection(settings(), "bob", ["ember"], {"profile": "tiny", "group": "dandi"})

    def test_no_groups_at_all(self):
        with self.assertRaises(NotOffered) as e:
            selection(settings(), "bob", [], {})
        self.assertIn("not in any group", e.exception.message)
        self.assertIn("help@example.org", e.exception.message)

    def test_defaults(self):
        profile, group = selection(settings(), "bob", ["dandi", "bican"], {})
        self.assertEqual((profile["slug"], group), ("base", "dandi"))
        profile, group = selection(settings(), "bob", ["dandi", "ember"], {"profile": "tiny", "group": "ember"})
        self.assertEqual((profile["slug"], group), ("tiny", "ember"))


if __name__ == "__main__":
    unittest.main()

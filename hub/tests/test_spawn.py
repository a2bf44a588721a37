import unittest

from dandihub_hub.spawn import make_pre_spawn_hook, make_profile_list

from .fixtures import HTTPError, Spawner, User, settings


class PreSpawnHook(unittest.TestCase):
    def spawn(self, groups, options=None):
        spawner = Spawner(User("bob", groups), options)
        make_pre_spawn_hook(settings(), HTTPError)(spawner)
        return spawner

    def test_group_label_node_selector_and_toleration(self):
        s = self.spawn(["bican"], {"profile": "base"})
        self.assertEqual(s.node_selector, {"dandihub.org/group": "bican", "dandihub.org/pool": "bican-cpu-on-demand"})
        self.assertIn({"key": "dandihub.org/group", "operator": "Equal", "value": "bican", "effect": "NoSchedule"}, s.tolerations)
        self.assertIn({"key": "hub.jupyter.org/dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"}, s.tolerations)
        self.assertEqual(s.extra_labels["dandihub.org/group"], "bican")
        self.assertEqual(s.extra_labels["team"], "bican")
        self.assertEqual(s.extra_labels["hub.jupyter.org/network-access-hub"], "true")

    def test_env_of_the_chosen_group(self):
        s = self.spawn(["dandi", "ember"], {"profile": "tiny", "group": "dandi"})
        self.assertEqual(s.environment["DANDIHUB_GROUP"], "dandi")
        self.assertEqual(s.environment["DANDIHUB_CAPACITY"], "spot")
        self.assertEqual(s.environment["DANDI_API_URL"], "https://api.dandiarchive.org")
        self.assertEqual(s.environment["EXISTING"], "1")
        s = self.spawn(["dandi", "ember"], {"profile": "tiny", "group": "ember"})
        self.assertNotIn("DANDI_API_URL", s.environment)
        self.assertEqual(s.node_selector["dandihub.org/pool"], "ember-cpu-spot")

    def test_mounts_of_every_group_the_user_is_in(self):
        s = self.spawn(["dandi", "ember"], {"profile": "tiny", "group": "ember"})
        self.assertEqual([v["name"] for v in s.volumes], ["home", "group-dandi-shared"])
        self.assertIn({"name": "group-dandi-shared", "mountPath": "/shared/dandi", "readOnly": False}, s.volume_mounts)

    def test_running_twice_adds_nothing_twice(self):
        spawner = Spawner(User("bob", ["dandi"]), {"profile": "tiny"})
        hook = make_pre_spawn_hook(settings(), HTTPError)
        hook(spawner)
        hook(spawner)
        self.assertEqual(len(spawner.volumes), 2)
        self.assertEqual(len(spawner.tolerations), 2)

    def test_refused_spawn_is_an_http_error_and_logged(self):
        spawner = Spawner(User("bob", ["ember"]), {"profile": "gpu"})
        with self.assertRaises(HTTPError) as e:
            make_pre_spawn_hook(settings(), HTTPError)(spawner)
        self.assertEqual(e.exception.status, 403)
        self.assertTrue(any("refused spawn" in line for _, line in spawner.log.lines))

    def test_default_profile_still_gets_a_group(self):
        s = self.spawn(["workshop"], {})
        self.assertEqual(s.node_selector["dandihub.org/pool"], "workshop-cpu-on-demand")


class ProfileList(unittest.TestCase):
    def test_offers_the_filtered_list(self):
        spawner = Spawner(User("bob", ["ember"]))
        self.assertEqual([p["slug"] for p in make_profile_list(settings(), HTTPError)(spawner)], ["tiny"])

    def test_nothing_to_offer_is_a_clear_403(self):
        spawner = Spawner(User("bob", []))
        with self.assertRaises(HTTPError) as e:
            make_profile_list(settings(), HTTPError)(spawner)
        self.assertEqual(e.exception.status, 403)
        self.assertIn("not in any group", e.exception.message)


if __name__ == "__main__":
    unittest.main()

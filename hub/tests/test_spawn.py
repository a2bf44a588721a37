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

    def test_extra_mounts_of_every_group_the_user_is_in(self):
        s = self.spawn(["dandi", "ember"], {"profile": "tiny", "group": "ember"})
        self.assertIn({"name": "group-dandi-shared", "nfs": {"server": "fs-1.efs", "path": "/dandi"}}, s.volumes)
        self.assertIn({"name": "group-dandi-shared", "mountPath": "/data/dandi", "readOnly": False}, s.volume_mounts)

    def test_running_twice_adds_nothing_twice(self):
        spawner = Spawner(User("bob", ["dandi"]), {"profile": "tiny"})
        hook = make_pre_spawn_hook(settings(), HTTPError)
        hook(spawner)
        first = (list(spawner.volumes), list(spawner.volume_mounts), list(spawner.init_containers))
        hook(spawner)
        self.assertEqual((spawner.volumes, spawner.volume_mounts, spawner.init_containers), first)
        self.assertEqual(len(spawner.tolerations), 2)


class Storage(unittest.TestCase):
    def spawn(self, groups, options, admin=False, name="bob"):
        spawner = Spawner(User(name, groups, admin=admin), options)
        make_pre_spawn_hook(settings(), HTTPError)(spawner)
        return spawner

    def mounts(self, spawner):
        return {m["mountPath"]: m for m in spawner.volume_mounts}

    def claims(self, spawner):
        return {v["name"]: v.get("persistentVolumeClaim", {}).get("claimName") for v in spawner.volumes}

    def test_home_is_only_the_users_subpath_of_the_chosen_groups_volume(self):
        s = self.spawn(["dandi", "ember"], {"profile": "tiny", "group": "ember"})
        home = self.mounts(s)["/home/jovyan"]
        self.assertEqual(home, {"name": "home", "mountPath": "/home/jovyan", "subPath": "{username}"})
        self.assertEqual(self.claims(s)["home"], "home-ember")

    def test_no_mount_of_a_whole_group_volume_for_a_regular_user(self):
        s = self.spawn(["dandi", "ember"], {"profile": "tiny", "group": "ember"})
        group_volumes = {"home", "volume-dandi"}
        for m in s.volume_mounts:
            if m["name"] in group_volumes:
                self.assertIn(m["subPath"], ("{username}", "_shared"), m)

    def test_other_homes_and_shared_dirs_of_every_group(self):
        m = self.mounts(self.spawn(["dandi", "ember"], {"profile": "tiny", "group": "ember"}))
        self.assertEqual(m["/mnt/homes/dandi"], {"name": "volume-dandi", "mountPath": "/mnt/homes/dandi", "subPath": "{username}"})
        self.assertEqual(m["/shared/dandi"]["subPath"], "_shared")
        self.assertEqual(m["/shared/ember"], {"name": "home", "mountPath": "/shared/ember", "subPath": "_shared"})
        self.assertNotIn("/shared/bican", m)

    def test_common_directory_read_only_for_users_writable_for_admins(self):
        self.assertTrue(self.mounts(self.spawn(["ember"], {}))["/shared/hub"]["readOnly"])
        self.assertFalse(self.mounts(self.spawn(["ember"], {}, admin=True))["/shared/hub"]["readOnly"])

    def test_admins_see_every_group_volume_read_only(self):
        s = self.spawn(["ember"], {}, admin=True)
        m = self.mounts(s)
        for g in ("dandi", "bican", "ember", "workshop"):
            self.assertTrue(m[f"/mnt/all-homes/{g}"]["readOnly"])
            self.assertNotIn("subPath", m[f"/mnt/all-homes/{g}"])
        self.assertEqual(self.claims(s)["volume-bican"], "home-bican")
        self.assertFalse(any(p.startswith("/mnt/all-homes") for p in self.mounts(self.spawn(["ember"], {}))))

    def test_ownership_fix_runs_with_chown_only_and_covers_writable_subpaths(self):
        s = self.spawn(["dandi", "ember"], {"profile": "tiny", "group": "ember"})
        [init] = s.init_containers
        self.assertEqual(init["securityContext"]["capabilities"], {"drop": ["ALL"], "add": ["CHOWN", "FOWNER"]})
        self.assertFalse(init["securityContext"]["allowPrivilegeEscalation"])
        fixed = {(m["name"], m["subPath"]) for m in init["volumeMounts"]}
        self.assertEqual(fixed, {("home", "{username}"), ("home", "_shared"), ("volume-dandi", "{username}"), ("volume-dandi", "_shared")})
        self.assertEqual(init["image"], "busybox:test")

    def test_quota_scratch_and_identity_in_the_environment(self):
        s = self.spawn(["bican"], {}, name="alice")
        self.assertEqual(s.environment["DANDIHUB_HOME_QUOTA"], "50Gi")
        self.assertEqual(s.environment["DANDIHUB_SHARED_QUOTA"], "100Gi")
        self.assertEqual(s.environment["SCRATCH_BUCKET"], "s3://hub-bican-bucket/scratch/jupyter-alice")
        self.assertEqual(s.service_account, "user-bican")
        s = self.spawn(["bican"], {}, name="bob")
        self.assertEqual(s.environment["DANDIHUB_HOME_QUOTA"], "10Gi")

    def test_efs_mode_has_no_quota_variables(self):
        st = settings()
        st["storage"]["mode"] = "efs"
        spawner = Spawner(User("bob", ["bican"]), {})
        make_pre_spawn_hook(st, HTTPError)(spawner)
        self.assertNotIn("DANDIHUB_HOME_QUOTA", spawner.environment)
        self.assertIn("SCRATCH_BUCKET", spawner.environment)

    def test_refused_spawn_is_an_http_error_and_logged(self):
        spawner = Spawner(User("bob", ["ember"]), {"profile": "gpu"})
        with self.assertRaises(HTTPError) as e:
            make_pre_spawn_hook(settings(), HTTPError)(spawner)
        self.assertEqual(e.exception.status, 403)
        self.assertTrue(any("refused spawn" in line for _, line in spawner.log.lines))

    def test_a_later_server_for_another_group_keeps_nothing_of_the_first(self):
        spawner = Spawner(User("bob", ["dandi", "ember"]), {"profile": "tiny", "group": "dandi"})
        hook = make_pre_spawn_hook(settings(), HTTPError)
        hook(spawner)
        spawner.user_options = {"profile": "tiny", "group": "ember"}
        hook(spawner)
        group_tolerations = [t for t in spawner.tolerations if t["key"] == "dandihub.org/group"]
        self.assertEqual(group_tolerations, [{"key": "dandihub.org/group", "operator": "Equal", "value": "ember", "effect": "NoSchedule"}])
        self.assertEqual(spawner.node_selector["dandihub.org/pool"], "ember-cpu-spot")
        self.assertEqual({v["name"]: v.get("persistentVolumeClaim", {}).get("claimName") for v in spawner.volumes}["home"], "home-ember")

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

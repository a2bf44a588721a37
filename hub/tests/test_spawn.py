import unittest

from dandihub_hub.spawn import make_post_stop_hook, make_pre_spawn_hook, make_profile_list, make_spawner_class

from .fixtures import HTTPError, Spawner, User, settings, spawn

GROUP_TOLERATION = {"key": "dandihub.org/group", "operator": "Equal", "value": "{}", "effect": "NoSchedule"}
USER_TOLERATION = {"key": "hub.jupyter.org/dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"}
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}


def group_toleration(group):
    return dict(GROUP_TOLERATION, value=group)


def new_spawner(groups, options=None, name="bob", admin=False, s=None):
    """A DandiHubSpawner over the KubeSpawner stand-in, wired as hub_config wires the real one."""
    s = s or settings()
    cls = make_spawner_class(Spawner, s, HTTPError)
    return cls(
        User(name, groups, admin=admin),
        options,
        profile_list=make_profile_list(s, HTTPError),
        pre_spawn_hook=make_pre_spawn_hook(s, HTTPError),
        post_stop_hook=make_post_stop_hook(s),
    )


def started(groups, options=None, **kw):
    spawner = new_spawner(groups, options, **kw)
    spawn(spawner)
    return spawner


class HookOrder(unittest.TestCase):
    """Placement must survive the profile, which KubeSpawner applies inside start()."""

    def test_gpu_profile_keeps_the_group_toleration_its_pool_needs(self):
        s = started(["dandi"], {"profile": "gpu"})
        self.assertEqual(s.pod["node_selector"], {"dandihub.org/group": "dandi", "dandihub.org/pool": "dandi-gpu-t4-spot"})
        self.assertIn(group_toleration("dandi"), s.pod["tolerations"])
        self.assertIn(GPU_TOLERATION, s.pod["tolerations"])
        self.assertIn(USER_TOLERATION, s.pod["tolerations"])
        self.assertEqual(s.pod["extra_resource_limits"], {"nvidia.com/gpu": "1"})

    def test_every_profile_lands_schedulable_on_its_pool(self):
        # Whatever a profile replaces, the pod tolerates its pool's group taint.
        for groups, options, group in [(["dandi"], {"profile": "tiny"}, "dandi"), (["dandi"], {"profile": "base", "image": "matlab"}, "dandi"), (["bican"], {}, "bican"), (["dandi", "ember"], {"profile": "tiny", "group": "ember"}, "ember")]:
            pod = started(groups, options).pod
            self.assertEqual(pod["node_selector"]["dandihub.org/group"], group)
            self.assertIn(group_toleration(group), pod["tolerations"], options)

    def test_placement_is_not_done_by_the_pre_spawn_hook(self):
        spawner = new_spawner(["dandi"], {"profile": "gpu"})
        spawner.pre_spawn_hook(spawner)
        self.assertEqual(spawner.node_selector, {})
        self.assertEqual(spawner.pod, None)

    def test_the_spawn_event_names_the_image_the_pod_runs(self):
        s = started(["dandi"], {"profile": "base", "image": "matlab"})
        self.assertEqual(s.pod["image"], "matlab:1")
        spawn_events = [line for _, line in s.log.lines if '"event": "spawn"' in line]
        self.assertEqual(len(spawn_events), 1)
        self.assertIn('"image": "matlab:1"', spawn_events[0])


class Placement(unittest.TestCase):
    def test_group_label_node_selector_and_toleration(self):
        s = started(["bican"], {"profile": "base"})
        self.assertEqual(s.pod["node_selector"], {"dandihub.org/group": "bican", "dandihub.org/pool": "bican-cpu-on-demand"})
        self.assertIn(group_toleration("bican"), s.pod["tolerations"])
        self.assertIn(USER_TOLERATION, s.pod["tolerations"])
        self.assertEqual(s.pod["extra_labels"]["dandihub.org/group"], "bican")
        self.assertEqual(s.pod["extra_labels"]["team"], "bican")
        self.assertEqual(s.pod["extra_labels"]["hub.jupyter.org/network-access-hub"], "true")

    def test_env_of_the_chosen_group(self):
        env = started(["dandi", "ember"], {"profile": "tiny", "group": "dandi"}).pod["environment"]
        self.assertEqual(env["DANDIHUB_GROUP"], "dandi")
        self.assertEqual(env["DANDIHUB_CAPACITY"], "spot")
        self.assertEqual(env["DANDI_API_URL"], "https://api.dandiarchive.org")
        self.assertEqual(env["EXISTING"], "1")
        s = started(["dandi", "ember"], {"profile": "tiny", "group": "ember"})
        self.assertNotIn("DANDI_API_URL", s.pod["environment"])
        self.assertEqual(s.pod["node_selector"]["dandihub.org/pool"], "ember-cpu-spot")

    def test_extra_mounts_of_every_group_the_user_is_in(self):
        pod = started(["dandi", "ember"], {"profile": "tiny", "group": "ember"}).pod
        self.assertIn({"name": "group-dandi-shared", "nfs": {"server": "fs-1.efs", "path": "/dandi"}}, pod["volumes"])
        self.assertIn({"name": "group-dandi-shared", "mountPath": "/data/dandi", "readOnly": False}, pod["volume_mounts"])

    def test_placing_twice_adds_nothing_twice(self):
        spawner = new_spawner(["dandi"], {"profile": "tiny"})
        spawn(spawner)
        first = (list(spawner.volumes), list(spawner.volume_mounts))
        spawn(spawner)
        self.assertEqual((spawner.volumes, spawner.volume_mounts), first)
        self.assertEqual([t for t in spawner.tolerations if t["key"] == "dandihub.org/group"], [group_toleration("dandi")])

    def test_a_later_server_for_another_group_keeps_nothing_of_the_first(self):
        spawner = new_spawner(["dandi", "ember"], {"profile": "tiny", "group": "dandi"})
        spawn(spawner)
        spawner.user_options = {"profile": "tiny", "group": "ember"}
        spawn(spawner)
        self.assertEqual([t for t in spawner.pod["tolerations"] if t["key"] == "dandihub.org/group"], [group_toleration("ember")])
        self.assertEqual(spawner.pod["node_selector"]["dandihub.org/pool"], "ember-cpu-spot")
        self.assertEqual({v["name"]: v.get("persistentVolumeClaim", {}).get("claimName") for v in spawner.pod["volumes"]}["home"], "home-ember")

    def test_default_profile_still_gets_a_group(self):
        self.assertEqual(started(["workshop"]).pod["node_selector"]["dandihub.org/pool"], "workshop-cpu-on-demand")

    def test_no_init_container_homes_need_no_ownership_change(self):
        # All_Squash exports: every file is owned by the anonymous uid/gid, which is jovyan's.
        self.assertEqual(started(["dandi", "ember"], {"profile": "tiny", "group": "ember"}).pod["init_containers"], [])


class Storage(unittest.TestCase):
    def mounts(self, spawner):
        return {m["mountPath"]: m for m in spawner.pod["volume_mounts"]}

    def claims(self, spawner):
        return {v["name"]: v.get("persistentVolumeClaim", {}).get("claimName") for v in spawner.pod["volumes"]}

    def test_home_is_only_the_users_subpath_of_the_chosen_groups_volume(self):
        s = started(["dandi", "ember"], {"profile": "tiny", "group": "ember"})
        self.assertEqual(self.mounts(s)["/home/jovyan"], {"name": "home", "mountPath": "/home/jovyan", "subPath": "{username}"})
        self.assertEqual(self.claims(s)["home"], "home-ember")

    def test_no_mount_of_a_whole_group_volume_for_a_regular_user(self):
        s = started(["dandi", "ember"], {"profile": "tiny", "group": "ember"})
        for m in s.pod["volume_mounts"]:
            if m["name"] in {"home", "volume-dandi"}:
                self.assertIn(m["subPath"], ("{username}", "_shared"), m)

    def test_other_homes_and_shared_dirs_of_every_group(self):
        m = self.mounts(started(["dandi", "ember"], {"profile": "tiny", "group": "ember"}))
        self.assertEqual(m["/mnt/homes/dandi"], {"name": "volume-dandi", "mountPath": "/mnt/homes/dandi", "subPath": "{username}"})
        self.assertEqual(m["/shared/dandi"]["subPath"], "_shared")
        self.assertEqual(m["/shared/ember"], {"name": "home", "mountPath": "/shared/ember", "subPath": "_shared"})
        self.assertNotIn("/shared/bican", m)

    def test_common_directory_read_only_for_users_writable_for_admins(self):
        self.assertTrue(self.mounts(started(["ember"]))["/shared/hub"]["readOnly"])
        self.assertFalse(self.mounts(started(["ember"], admin=True))["/shared/hub"]["readOnly"])

    def test_admins_see_every_group_volume_read_only(self):
        s = started(["ember"], admin=True)
        m = self.mounts(s)
        for g in ("dandi", "bican", "ember", "workshop"):
            self.assertTrue(m[f"/mnt/all-homes/{g}"]["readOnly"])
            self.assertNotIn("subPath", m[f"/mnt/all-homes/{g}"])
        self.assertEqual(self.claims(s)["volume-bican"], "home-bican")
        self.assertFalse(any(p.startswith("/mnt/all-homes") for p in self.mounts(started(["ember"]))))

    def test_quota_scratch_and_identity_in_the_environment(self):
        s = started(["bican"], name="alice")
        self.assertEqual(s.pod["environment"]["DANDIHUB_HOME_QUOTA"], "50Gi")
        self.assertEqual(s.pod["environment"]["DANDIHUB_SHARED_QUOTA"], "100Gi")
        # KubeSpawner 7 turns a dict value into an EnvVar with valueFrom, and puts a variable
        # before the ones whose $(...) name it (objects.make_pod's dependency sort).
        self.assertEqual(s.pod["environment"]["SCRATCH_BUCKET_NAME"], {"valueFrom": {"configMapKeyRef": {"name": "dandihub-storage-refs", "key": "bucket.bican"}}})
        self.assertEqual(s.pod["environment"]["SCRATCH_BUCKET"], "s3://$(SCRATCH_BUCKET_NAME)/scratch/jupyter-alice")
        self.assertEqual(s.pod["service_account"], "user-bican")
        self.assertEqual(started(["bican"], name="bob").pod["environment"]["DANDIHUB_HOME_QUOTA"], "10Gi")

    def test_efs_mode_has_no_quota_variables(self):
        st = settings()
        st["storage"]["mode"] = "efs"
        env = started(["bican"], s=st).pod["environment"]
        self.assertNotIn("DANDIHUB_HOME_QUOTA", env)
        self.assertIn("SCRATCH_BUCKET", env)


class Refusals(unittest.TestCase):
    def test_refused_spawn_is_an_http_error_before_anything_is_created(self):
        spawner = new_spawner(["ember"], {"profile": "gpu"})
        with self.assertRaises(HTTPError) as e:
            spawn(spawner)
        self.assertEqual(e.exception.status, 403)
        self.assertIsNone(spawner.pod)
        self.assertTrue(any("refused spawn" in line for _, line in spawner.log.lines))


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

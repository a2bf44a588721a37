import sys
import types
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dask_gateway"))

import dandihub_dask as D  # noqa: E402

SETTINGS = {
    "groupOrder": ["dandi", "linc", "workshop"],
    "groups": {
        "dandi": {
            "maxCores": 64, "maxMemoryGiB": 256, "maxWorkers": 20,
            "nodeSelector": {"dandihub.org/group": "dandi", "dandihub.org/pool": "dandi-cpu-spot"},
            "tolerations": [{"key": "dandihub.org/group", "operator": "Equal", "value": "dandi", "effect": "NoSchedule"}],
            "labels": {"dandihub.org/group": "dandi"},
        },
        "linc": {
            "maxCores": 8, "maxMemoryGiB": 64, "maxWorkers": 50,
            "nodeSelector": {"dandihub.org/group": "linc", "dandihub.org/pool": "linc-cpu-on-demand"},
            "tolerations": [], "labels": {"dandihub.org/group": "linc"},
        },
    },
    "worker": {"cores": 2, "memoryGiB": 8, "maxCores": 8, "maxMemoryGiB": 32},
    "idleTimeoutSeconds": 1800,
    "podSecurityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}, "runAsUser": 1000, "runAsGroup": 100},
    "containerSecurityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}},
}


class Opt:
    def __init__(self, kind, name, default, **kw):
        self.kind, self.name, self.default, self.kw = kind, name, default, kw


def fake_options_module():
    class Options:
        def __init__(self, *fields, handler):
            self.fields, self.handler = fields, handler

    return types.SimpleNamespace(
        Options=Options,
        Select=lambda name, choices, default, label: Opt("select", name, default, choices=choices, label=label),
        Float=lambda name, default, min, max, label: Opt("float", name, default, min=min, max=max, label=label),
    )


def user(name, groups):
    return types.SimpleNamespace(name=name, groups=groups)


class ClusterOptions(unittest.TestCase):
    def options_for(self, u):
        return D.make_cluster_options(SETTINGS, import_module=lambda _: fake_options_module())(u)

    def test_form_offers_only_the_users_granted_groups_in_file_order(self):
        form = self.options_for(user("ann", ["workshop", "linc", "dandi"]))
        group = form.fields[0]
        self.assertEqual((group.name, group.kw["choices"], group.default), ("group", ["dandi", "linc"], "dandi"))
        self.assertEqual(form.fields[2].kw["max"], 32)

    def test_users_in_no_granted_group_get_no_form(self):
        with self.assertRaises(D.NotAllowed):
            self.options_for(user("bob", ["workshop"]))

    def test_handler_places_the_cluster_on_the_groups_nodes_with_its_limits(self):
        form = self.options_for(user("ann", ["dandi"]))
        cfg = form.handler(types.SimpleNamespace(group="dandi", worker_cores=4, worker_memory=16), user("ann", ["dandi"]))
        self.assertEqual(cfg["worker_extra_pod_config"]["nodeSelector"], {"dandihub.org/group": "dandi", "dandihub.org/pool": "dandi-cpu-spot"})
        self.assertEqual(cfg["worker_extra_pod_config"]["tolerations"][0]["value"], "dandi")
        self.assertEqual(cfg["worker_extra_pod_labels"], {"dandihub.org/group": "dandi"})
        self.assertEqual((cfg["cluster_max_cores"], cfg["cluster_max_memory"]), (64, "256G"))
        # 64/4 = 16 workers by cores, 256/16 = 16 by memory, under the cap of 20.
        self.assertEqual(cfg["cluster_max_workers"], 16)
        self.assertEqual(cfg["idle_timeout"], 1800)

    def test_schedulers_and_workers_run_restricted_as_the_user_identity(self):
        cfg = D.cluster_config(SETTINGS, "dandi", 2, 8, ["dandi"])
        for role in ("worker", "scheduler"):
            pod = cfg[f"{role}_extra_pod_config"]["securityContext"]
            container = cfg[f"{role}_extra_container_config"]["securityContext"]
            self.assertEqual((pod["runAsUser"], pod["runAsNonRoot"], pod["seccompProfile"]), (1000, True, {"type": "RuntimeDefault"}))
            self.assertEqual((container["allowPrivilegeEscalation"], container["capabilities"]), (False, {"drop": ["ALL"]}))
        # Copies: one cluster's config never aliases the settings (the gateway merges into them).
        cfg["worker_extra_pod_config"]["securityContext"]["runAsUser"] = 0
        self.assertEqual(SETTINGS["podSecurityContext"]["runAsUser"], 1000)

    def test_the_smallest_limit_wins(self):
        cfg = D.cluster_config(SETTINGS, "linc", 2, 8, ["linc"])
        self.assertEqual(cfg["cluster_max_workers"], 4)  # 8 cores / 2

    def test_a_forged_group_choice_is_refused(self):
        form = self.options_for(user("ann", ["linc"]))
        with self.assertRaises(D.NotAllowed):
            form.handler(types.SimpleNamespace(group="dandi", worker_cores=2, worker_memory=8), user("ann", ["linc"]))

    def test_worker_sizes_above_the_maximum_are_refused(self):
        with self.assertRaises(D.NotAllowed):
            D.cluster_config(SETTINGS, "dandi", 16, 8, ["dandi"])


if __name__ == "__main__":
    unittest.main()

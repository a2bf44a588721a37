import asyncio
import unittest

from dandihub_hub.spawn import make_spawner_class
from dandihub_hub.stuck import STUCK_MARGIN_SECONDS, SpawnStuck, stuck_message

from .fixtures import HTTPError, Spawner, User, settings


def event(reason, message, source="default-scheduler"):
    """A Kubernetes Event as KubeSpawner's event reflector holds it (v1 Event, as a dict)."""
    return {
        "metadata": {"uid": f"uid-{reason}", "name": "jupyter-bob.17f", "namespace": "jupyterhub"},
        "involvedObject": {"kind": "Pod", "name": "jupyter-bob", "namespace": "jupyterhub"},
        "reason": reason,
        "message": message,
        "type": "Warning" if reason in ("FailedScheduling", "Failed", "BackOff") else "Normal",
        "source": {"component": source},
    }


SCHEDULER = event("FailedScheduling", "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.")
NOMINATED = event("Nominated", "Pod should schedule on: nodeclaim/dandi-cpu-spot-x7k2p", "karpenter")
AT_LIMIT = event("FailedScheduling", 'Failed to schedule pod, incompatible with nodepool "dandi-cpu-spot", daemonset overhead={"cpu":"435m","memory":"1Gi","pods":"6"}, all available instance types exceed limits for nodepool: "dandi-cpu-spot"', "karpenter")
PULLING = event("Pulling", 'Pulling image "123456789012.dkr.ecr.us-east-2.amazonaws.com/docker-hub/dandiarchive/dandihub:latest"', "kubelet")
PULL_FAILED = event("Failed", 'Failed to pull image "quay.io/org/typo:1": rpc error: code = NotFound desc = failed to pull and unpack image: not found', "kubelet")


class Message(unittest.TestCase):
    def test_the_group_at_its_limits(self):
        self.assertIn("all the room its limits allow", stuck_message([SCHEDULER, AT_LIMIT], 900))

    def test_an_image_that_cannot_be_pulled_is_named(self):
        m = stuck_message([NOMINATED, PULLING, PULL_FAILED], 900)
        self.assertIn("cannot be pulled", m)
        self.assertIn("quay.io/org/typo:1", m)

    def test_still_pulling_on_a_new_node(self):
        self.assertIn("still downloading", stuck_message([NOMINATED, PULLING], 900))
        self.assertNotIn("still downloading", stuck_message([NOMINATED, PULLING, event("Pulled", "Successfully pulled image", "kubelet")], 900))

    def test_no_node_came_up(self):
        self.assertIn("No node came up", stuck_message([SCHEDULER, NOMINATED], 900))

    def test_nothing_known_and_who_to_ask(self):
        self.assertEqual(stuck_message([], 900, "help@dandiarchive.org"), "The server did not start within 900 seconds. If it keeps happening, contact help@dandiarchive.org.")


class SlowSpawner(Spawner):
    """KubeSpawner's start() returns a future that runs until the pod is up; this one never is."""

    start_timeout = STUCK_MARGIN_SECONDS + 0.05

    def start(self):
        async def never():
            await asyncio.sleep(3600)

        return asyncio.ensure_future(never())


class Guarded(unittest.TestCase):
    def test_fails_before_jupyterhubs_timeout_with_the_reason(self):
        cls = make_spawner_class(SlowSpawner, settings(contact="help@example.org"), HTTPError)
        spawner = cls(User("bob", ["dandi"]))
        spawner.events = [NOMINATED, PULLING]

        async def run():
            # JupyterHub waits start_timeout; the spawner's own answer comes first.
            return await asyncio.wait_for(spawner.start(), spawner.start_timeout)

        with self.assertRaises(SpawnStuck) as e:
            asyncio.run(run())
        self.assertIn("still downloading", e.exception.jupyterhub_message)
        self.assertIn("help@example.org", e.exception.jupyterhub_message)
        self.assertTrue(any("spawn-stuck" in line for _, line in spawner.log.lines))

    def test_a_start_that_finishes_is_untouched(self):
        class Quick(Spawner):
            start_timeout = 60

            def start(self):
                async def up():
                    return "http://10.1.2.3:8888"

                return asyncio.ensure_future(up())

        spawner = make_spawner_class(Quick, settings(), HTTPError)(User("bob", ["dandi"]))

        async def run():
            return await spawner.start()

        self.assertEqual(asyncio.run(run()), "http://10.1.2.3:8888")


if __name__ == "__main__":
    unittest.main()

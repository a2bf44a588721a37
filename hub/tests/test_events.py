import json
import unittest

from dandihub_hub.events import PREFIX, event_line

from .fixtures import HTTPError, spawn
from .test_spawn import new_spawner


def events(log):
    return [json.loads(line[len(PREFIX) + 1 :]) for _, line in log.lines if line.startswith(PREFIX)]


def stop(spawner):
    spawner.post_stop_hook(spawner)


class Events(unittest.TestCase):
    def test_line_is_prefixed_sorted_json(self):
        line = event_line("spawn", clock=lambda: 12.3456, user="bob", group="dandi")
        self.assertEqual(line, 'dandihub-event {"event": "spawn", "group": "dandi", "time": 12.346, "user": "bob"}')

    def test_spawn_and_stop_say_who_what_and_for_which_group(self):
        spawner = new_spawner(["dandi", "ember"], {"profile": "tiny", "group": "ember"})
        spawn(spawner)
        self.assertEqual(spawner.extra_labels["dandihub.org/profile"], "tiny")
        stop(spawner)
        started, stopped = events(spawner.log)
        self.assertEqual(
            {k: started[k] for k in ("event", "user", "profile", "group", "pool", "capacity", "image")},
            {"event": "spawn", "user": "bob", "profile": "tiny", "group": "ember", "pool": "ember-cpu-spot", "capacity": "spot", "image": "quay.io/jupyterhub/k8s-singleuser-sample:4.4.0"},
        )
        self.assertEqual({k: stopped[k] for k in ("event", "user", "group", "profile")}, {"event": "stop", "user": "bob", "group": "ember", "profile": "tiny"})

    def test_refused_spawn_logs_a_refusal_and_no_stop(self):
        # JupyterHub stops (post_stop_hook) a server whose spawn failed, refused ones included.
        spawner = new_spawner(["bican"], {"profile": "gpu"})
        with self.assertRaises(HTTPError):
            spawn(spawner)
        [refused] = events(spawner.log)
        self.assertEqual({k: refused[k] for k in ("event", "user", "profile", "status")}, {"event": "spawn-refused", "user": "bob", "profile": "gpu", "status": 403})

    def test_a_refusal_after_a_server_ran_does_not_log_the_old_servers_stop_again(self):
        spawner = new_spawner(["bican"], {"profile": "base"})
        spawn(spawner)
        stop(spawner)
        spawner.user_options = {"profile": "gpu"}
        with self.assertRaises(HTTPError):
            spawn(spawner)
        self.assertEqual([e["event"] for e in events(spawner.log)], ["spawn", "stop", "spawn-refused"])


if __name__ == "__main__":
    unittest.main()

import json
import unittest

from dandihub_hub.events import PREFIX, event_line
from dandihub_hub.spawn import make_post_stop_hook, make_pre_spawn_hook

from .fixtures import HTTPError, Spawner, User, settings


def events(log):
    return [json.loads(line[len(PREFIX) + 1 :]) for _, line in log.lines if line.startswith(PREFIX)]


class Events(unittest.TestCase):
    def test_line_is_prefixed_sorted_json(self):
        line = event_line("spawn", clock=lambda: 12.3456, user="bob", group="dandi")
        self.assertEqual(line, 'dandihub-event {"event": "spawn", "group": "dandi", "time": 12.346, "user": "bob"}')

    def test_spawn_and_stop_say_who_what_and_for_which_group(self):
        spawner = Spawner(User("bob", ["dandi", "ember"]), {"profile": "tiny", "group": "ember"})
        make_pre_spawn_hook(settings(), HTTPError)(spawner)
        self.assertEqual(spawner.extra_labels["dandihub.org/profile"], "tiny")
        make_post_stop_hook(settings())(spawner)
        spawn, stop = events(spawner.log)
        self.assertEqual(
            {k: spawn[k] for k in ("event", "user", "profile", "group", "pool", "capacity")},
            {"event": "spawn", "user": "bob", "profile": "tiny", "group": "ember", "pool": "ember-cpu-spot", "capacity": "spot"},
        )
        self.assertEqual({k: stop[k] for k in ("event", "user", "group", "profile")}, {"event": "stop", "user": "bob", "group": "ember", "profile": "tiny"})

    def test_refused_spawn_logs_no_spawn_event(self):
        spawner = Spawner(User("bob", ["bican"]), {"profile": "gpu"})
        with self.assertRaises(HTTPError):
            make_pre_spawn_hook(settings(), HTTPError)(spawner)
        self.assertEqual(events(spawner.log), [])


if __name__ == "__main__":
    unittest.main()

import io
import json
import os
import tempfile
import threading
import types
import unittest
import urllib.request
from http.server import ThreadingHTTPServer

from dandihub_jobs import exporter as X


def write(path, size):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"x" * size)


def fs(blocks=1000, avail=250, frsize=4096):
    return lambda _path: types.SimpleNamespace(f_blocks=blocks, f_bavail=avail, f_frsize=frsize)


class Storage(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        write(os.path.join(self.root, "alice", "a.bin"), 100)
        write(os.path.join(self.root, "alice", "deep", "b.bin"), 50)
        write(os.path.join(self.root, "bob", "c.bin"), 7)
        write(os.path.join(self.root, "_shared", "data.bin"), 1000)
        write(os.path.join(self.root, "_reports", "r.tsv"), 5)
        os.symlink("/etc", os.path.join(self.root, "alice", "etc-link"))
        os.symlink(os.path.join(self.root, "bob"), os.path.join(self.root, "linked-home"))
        self.volume = {"volume": "dandi", "path": self.root, "homeQuotaBytes": 10, "sharedQuotaBytes": 20, "overrides": {"alice": 30}}

    def test_homes_and_shared_against_their_quotas(self):
        m = X.measure_volume(self.volume, statvfs=fs())
        sizes = {(l["directory"], l["kind"]): v for l, v in m["sizes"]}
        # alice: 150 bytes of files plus the link itself (never followed); reports and links skipped.
        self.assertEqual(set(sizes), {("alice", "home"), ("bob", "home"), ("_shared", "shared")})
        self.assertEqual(sizes[("bob", "home")], 7)
        self.assertEqual(sizes[("_shared", "shared")], 1000)
        self.assertGreaterEqual(sizes[("alice", "home")], 150)
        self.assertLess(sizes[("alice", "home")], 150 + 100)
        quotas = {l["directory"]: v for l, v in m["quotas"]}
        self.assertEqual(quotas, {"alice": 30, "bob": 10, "_shared": 20})
        self.assertEqual(m["fs_size"], [({"volume": "dandi"}, 1000 * 4096)])
        self.assertEqual(m["fs_free"], [({"volume": "dandi"}, 250 * 4096)])

    def test_a_volume_measured_as_a_whole(self):
        m = X.measure_volume({"volume": "common", "path": self.root, "directories": False}, statvfs=fs())
        self.assertEqual((m["sizes"], m["quotas"]), ([], []))
        self.assertEqual(m["fs_free"], [({"volume": "common"}, 250 * 4096)])

    def test_efs_mode_has_no_quotas(self):
        m = X.measure_volume({"volume": "dandi", "path": self.root}, statvfs=fs())
        self.assertEqual(m["quotas"], [])
        self.assertEqual(len(m["sizes"]), 3)


class Membership(unittest.TestCase):
    def test_one_series_per_user_and_group(self):
        groups = [{"name": "linc", "users": ["carol"]}, {"name": "dandi", "users": ["bob", "alice"]}, {"name": "empty", "users": []}]
        self.assertEqual(
            X.memberships(groups),
            [({"username": "alice", "group": "dandi"}, 1), ({"username": "bob", "group": "dandi"}, 1), ({"username": "carol", "group": "linc"}, 1)],
        )

    def test_follows_pages_of_groups(self):
        pages = {0: {"items": [{"name": "dandi", "users": ["a"]}], "_pagination": {"next": {"offset": 1}}}, 1: {"items": [{"name": "linc", "users": ["a"]}], "_pagination": {"next": None}}}
        seen = []

        def fetch(url, token):
            seen.append((url, token))
            return pages[int(url.split("offset=")[1].split("&")[0])]

        state = X.State()
        state.update_members("http://hub/hub/api/", "tok", fetch)
        self.assertEqual(state.members, [({"username": "a", "group": "dandi"}, 1), ({"username": "a", "group": "linc"}, 1)])
        self.assertTrue(seen[0][0].startswith("http://hub/hub/api/groups?"))
        self.assertEqual(seen[0][1], "tok")


class Serving(unittest.TestCase):
    def test_a_failing_source_keeps_old_values_and_is_logged(self):
        state = X.State()
        state.members = [({"username": "a", "group": "dandi"}, 1)]
        log = io.StringIO()
        config = {"volumes": [{"volume": "v", "path": tempfile.mkdtemp()}], "hubApi": "http://127.0.0.1:9/hub/api"}
        X.refresh(state, config, "tok", log=log)
        self.assertIn("storage", state.success)
        self.assertNotIn("hub", state.success)
        self.assertEqual(json.loads(log.getvalue().splitlines()[0])["source"], "hub")
        self.assertIn('dandihub_user_group_info{group="dandi",username="a"} 1', state.render())

    def test_serves_metrics_over_http(self):
        state = X.State()
        state.members = [({"username": 'o"dd\\name', "group": "dandi"}, 1)]
        prices = [{"instanceType": "m6i.xlarge", "capacityType": "spot", "usd": 0.0768}]
        server = ThreadingHTTPServer(("127.0.0.1", 0), X.make_handler(state, prices))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/metrics", timeout=5) as r:
                body = r.read().decode()
                self.assertIn("text/plain", r.headers["Content-Type"])
        finally:
            server.shutdown()
        self.assertIn("# TYPE dandihub_user_group_info gauge", body)
        self.assertIn('username="o\\"dd\\\\name"', body)
        self.assertIn('dandihub_instance_hourly_price_usd{capacity_type="spot",instance_type="m6i.xlarge"} 0.0768', body)


if __name__ == "__main__":
    unittest.main()

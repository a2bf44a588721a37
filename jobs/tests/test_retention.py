import io
import os
import tarfile
import tempfile
import unittest

from dandihub_jobs import retention as R


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


DAY = 86400
NOW = 1_800_000_000.0


def make_home(root, user, files):
    home = os.path.join(root, user)
    os.makedirs(home, exist_ok=True)
    for name, content in files.items():
        path = os.path.join(home, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content)
    return home


class FakeArchiver:
    def __init__(self, fail=False, short=False):
        self.stored = {}
        self.fail = fail
        self.short = short

    def uploader(self, user):
        def upload(fileobj):
            data = fileobj.read()
            if self.fail:
                raise OSError("S3 unavailable")
            self.stored[user] = data
            return len(data) - (1 if self.short else 0)

        return upload


class Retention(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = os.path.join(self.tmp.name, "homes")
        self.reports = os.path.join(self.root, "_reports")
        make_home(self.root, "active", {"a.txt": b"1"})
        make_home(self.root, "idle", {"b.txt": b"22"})
        make_home(self.root, "gone", {"c.txt": b"333", "sub dir/d e.txt": b"4444"})
        os.symlink("/etc/hostname", os.path.join(self.root, "gone", "link"))
        make_home(self.root, "stranger", {"x": b"x"})
        make_home(self.root, "never", {"y": b"y"})
        make_home(self.root, "_shared", {"big.bin": b"0" * 100})
        self.activity = {"active": NOW - 2 * DAY, "idle": NOW - 35 * DAY, "gone": NOW - 50 * DAY, "never": None}

    def tearDown(self):
        self.tmp.cleanup()

    def test_plan(self):
        got = {u: a for u, a, _ in R.plan(self.root, self.activity, NOW, 30 * DAY, 45 * DAY)}
        self.assertEqual(got, {"active": "keep", "idle": "warn", "gone": "reset", "stranger": "unknown", "never": "unknown"})

    def test_dry_run_touches_nothing(self):
        report, _, errors = R.run(self.root, "dandi", self.activity, 30 * DAY, 45 * DAY, self.reports, dry_run=True, at=NOW)
        self.assertEqual(errors, 0)
        self.assertFalse(os.path.exists(os.path.join(self.root, "idle", R.NOTICE)))
        self.assertTrue(os.path.exists(os.path.join(self.root, "gone", "c.txt")))
        text = read(report)
        self.assertIn("would-warn", text)
        self.assertIn("would-reset", text)

    def test_apply_warns_archives_then_resets(self):
        archiver = FakeArchiver()
        _, _, errors = R.run(self.root, "dandi", self.activity, 30 * DAY, 45 * DAY, self.reports, dry_run=False, archiver=archiver, at=NOW)
        self.assertEqual(errors, 0)
        notice = read(os.path.join(self.root, "idle", R.NOTICE))
        self.assertIn("on or after", notice)
        self.assertEqual(os.listdir(os.path.join(self.root, "gone")), [])
        self.assertTrue(os.path.isdir(os.path.join(self.root, "gone")))
        with tarfile.open(fileobj=io.BytesIO(archiver.stored["gone"]), mode="r:gz") as tar:
            names = set(tar.getnames())
            self.assertIn("gone/sub dir/d e.txt", names)
            self.assertTrue(tar.getmember("gone/link").issym())
        for kept in ("active/a.txt", "stranger/x", "never/y", "_shared/big.bin"):
            self.assertTrue(os.path.exists(os.path.join(self.root, kept)), kept)
        self.assertEqual(set(archiver.stored), {"gone"})

    def test_no_reset_without_a_confirmed_archive(self):
        for archiver in (FakeArchiver(fail=True), FakeArchiver(short=True)):
            _, _, errors = R.run(self.root, "dandi", self.activity, 30 * DAY, 45 * DAY, self.reports, dry_run=False, archiver=archiver, at=NOW)
            self.assertEqual(errors, 1)
            self.assertTrue(os.path.exists(os.path.join(self.root, "gone", "c.txt")))

    def test_usage_audit(self):
        R.run(self.root, "dandi", self.activity, 30 * DAY, 45 * DAY, self.reports, dry_run=True, at=NOW)
        prom = read(os.path.join(self.reports, "usage.prom"))
        self.assertIn('dandihub_directory_size_bytes{directory="gone",volume="dandi"} 20', prom)  # 3 + 4 bytes, and the link itself (13)
        self.assertIn('dandihub_directory_size_bytes{directory="_shared",volume="dandi"} 100', prom)

    def test_hub_activity_follows_pages(self):
        pages = {
            0: {"items": [{"name": "Alice", "last_activity": "2026-11-01T10:00:00Z"}], "_pagination": {"next": {"offset": 200}}},
            200: {"items": [{"name": "bob", "last_activity": None}], "_pagination": {"next": None}},
        }
        seen = []

        def fetch(url, token):
            seen.append((url, token))
            return pages[int(url.split("offset=")[1].split("&")[0])]

        got = R.hub_activity("http://hub/hub/api/", "tok", fetch)
        self.assertEqual(set(got), {"alice", "bob"})
        self.assertIsNone(got["bob"])
        self.assertEqual(seen[0], ("http://hub/hub/api/users?state=&offset=0&limit=200", "tok"))

    def test_cli_refuses_reset_before_warn(self):
        with self.assertRaises(SystemExit):
            R.main(["--homes", self.root, "--volume", "v", "--bucket", "b", "--hub-api", "x", "--warn-after", "10", "--reset-after", "5", "--report-dir", self.reports])


if __name__ == "__main__":
    unittest.main()

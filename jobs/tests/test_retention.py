import io
import os
import shutil
import tarfile
import tempfile
import unittest
from unittest import mock

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


class Symlinks(unittest.TestCase):
    """A user owns their home and may plant links in it, also while the job runs: the job never
    writes, reads, archives or deletes through one, and nothing outside the home changes."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = os.path.join(self.tmp.name, "homes")
        self.reports = os.path.join(self.root, "_reports")
        # Another user's home on the same volume: what an attacker would point links at.
        self.victim = make_home(self.root, "victim", {"secret.txt": b"do not touch", "deep/data.bin": b"12345"})
        self.activity = {"victim": NOW, "idle": NOW - 35 * DAY, "gone": NOW - 50 * DAY}

    def tearDown(self):
        self.tmp.cleanup()

    def run_job(self, **kw):
        return R.run(self.root, "dandi", self.activity, 30 * DAY, 45 * DAY, self.reports, dry_run=False, at=NOW, **kw)

    def victim_intact(self):
        self.assertEqual(read(os.path.join(self.victim, "secret.txt")), "do not touch")
        self.assertEqual(read(os.path.join(self.victim, "deep", "data.bin")), "12345")

    def test_a_notice_planted_as_a_link_is_replaced_not_written_through(self):
        home = make_home(self.root, "idle", {})
        os.symlink(os.path.join(self.victim, "secret.txt"), os.path.join(home, R.NOTICE))
        _, _, errors = self.run_job()
        self.assertEqual(errors, 0)
        self.victim_intact()
        notice = os.path.join(home, R.NOTICE)
        self.assertFalse(os.path.islink(notice))
        self.assertIn("on or after", read(notice))
        self.assertEqual(sorted(os.listdir(home)), [R.NOTICE])  # no temporary file left

    def test_links_in_a_home_are_archived_and_removed_as_links(self):
        home = make_home(self.root, "gone", {"mine.txt": b"abc"})
        os.symlink(self.victim, os.path.join(home, "to-victim"))
        os.symlink(os.path.join(self.victim, "secret.txt"), os.path.join(home, "secret-link"))
        archiver = FakeArchiver()
        _, _, errors = self.run_job(archiver=archiver)
        self.assertEqual(errors, 0)
        self.victim_intact()
        self.assertEqual(os.listdir(home), [])
        with tarfile.open(fileobj=io.BytesIO(archiver.stored["gone"]), mode="r:gz") as tar:
            self.assertEqual(sorted(tar.getnames()), ["gone", "gone/mine.txt", "gone/secret-link", "gone/to-victim"])
            self.assertTrue(tar.getmember("gone/to-victim").issym())
            self.assertEqual(tar.getmember("gone/to-victim").linkname, self.victim)
            self.assertEqual(tar.extractfile("gone/mine.txt").read(), b"abc")

    def test_a_directory_swapped_for_a_link_while_archiving_is_not_followed(self):
        home = make_home(self.root, "gone", {"sub/own.txt": b"own", "top.txt": b"top"})
        real_scan = R.scan
        scans = []

        def scan_then_swap(*args, **kw):
            entries = list(real_scan(*args, **kw))
            scans.append(len(entries))
            if len(scans) == 2:  # the archive's walk (the first one sized the home)
                shutil.rmtree(os.path.join(home, "sub"))
                os.symlink(self.victim, os.path.join(home, "sub"))
            return iter(entries)

        archiver = FakeArchiver()
        with mock.patch.object(R, "scan", scan_then_swap):
            self.run_job(archiver=archiver)
        self.victim_intact()
        with tarfile.open(fileobj=io.BytesIO(archiver.stored["gone"]), mode="r:gz") as tar:
            contents = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
        self.assertEqual(contents, {"gone/top.txt": b"top"})
        self.assertEqual(os.listdir(home), [])

    def test_a_home_swapped_for_a_link_is_left_alone(self):
        os.symlink(self.victim, os.path.join(self.root, "gone"))
        archiver = FakeArchiver()
        _, decisions, _ = self.run_job(archiver=archiver)
        self.assertNotIn("gone", [u for u, _, _ in decisions])  # a link is not a home
        self.victim_intact()
        self.assertEqual(archiver.stored, {})

    def test_a_home_swapped_for_a_link_after_planning_is_refused(self):
        make_home(self.root, "gone", {"x": b"x"})
        real_plan = R.plan

        def plan_then_swap(*args):
            decisions = real_plan(*args)
            shutil.rmtree(os.path.join(self.root, "gone"))
            os.symlink(self.victim, os.path.join(self.root, "gone"))
            return decisions

        archiver = FakeArchiver()
        R.plan = plan_then_swap
        try:
            _, _, errors = self.run_job(archiver=archiver)
        finally:
            R.plan = real_plan
        self.assertEqual(errors, 1)
        self.victim_intact()
        self.assertEqual(archiver.stored, {})

    def test_sizes_count_links_not_their_targets(self):
        home = make_home(self.root, "idle", {"f": b"1234"})
        os.symlink(self.victim, os.path.join(home, "l"))
        self.run_job()
        prom = read(os.path.join(self.reports, "usage.prom"))
        # The file and the link itself (its target path), measured before the notice was written.
        self.assertIn(f'dandihub_directory_size_bytes{{directory="idle",volume="dandi"}} {4 + len(self.victim)}', prom)


if __name__ == "__main__":
    unittest.main()

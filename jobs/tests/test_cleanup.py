import os
import shutil
import tempfile
import unittest
from unittest import mock

from dandihub_jobs import cleanup, files
from dandihub_jobs.files import opened, walk


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


DAY = 86400
NOW = 1_800_000_000.0


def touch(path, age_days, content=b"x"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(content)
    t = NOW - age_days * DAY
    os.utime(path, (t, t))


def age_dir(path, age_days):
    t = NOW - age_days * DAY
    os.utime(path, (t, t))


class Tree(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = os.path.join(self.tmp.name, "_shared")
        self.reports = os.path.join(self.tmp.name, "_reports")
        self.target = os.path.join(self.root, "scratch")
        touch(os.path.join(self.target, "old.nc"), 40)
        touch(os.path.join(self.target, "new.nc"), 2)
        touch(os.path.join(self.target, "name with spaces and\ttab.txt"), 40)
        touch(os.path.join(self.target, "old dir", "deep", "older.bin"), 90)
        age_dir(os.path.join(self.target, "old dir", "deep"), 90)
        age_dir(os.path.join(self.target, "old dir"), 90)
        touch(os.path.join(self.target, "mixed", "keep.txt"), 1)
        touch(os.path.join(self.target, "mixed", "drop.txt"), 60)
        age_dir(os.path.join(self.target, "mixed"), 60)
        # Outside the cleaned directory, and reachable only through symlinks.
        self.outside = os.path.join(self.tmp.name, "precious")
        touch(os.path.join(self.outside, "data.h5"), 400)
        os.symlink(self.outside, os.path.join(self.target, "link-to-dir"))
        os.symlink(os.path.join(self.outside, "data.h5"), os.path.join(self.target, "link-to-file"))
        for link in ("link-to-dir", "link-to-file"):
            t = NOW - 50 * DAY
            os.utime(os.path.join(self.target, link), (t, t), follow_symlinks=False)

    def tearDown(self):
        self.tmp.cleanup()

    def rel(self, entries):
        return sorted(os.path.relpath(e.path, self.target) for e in entries)

    def plan(self, **kw):
        with opened(self.target) as fd:
            return cleanup.plan(fd, self.target, 30 * DAY, NOW, **kw)

    def test_plan_takes_old_files_links_and_emptied_old_dirs_only(self):
        got = self.rel(self.plan())
        self.assertEqual(
            got,
            sorted(["old.nc", "name with spaces and\ttab.txt", "old dir", "old dir/deep", "old dir/deep/older.bin", "mixed/drop.txt", "link-to-dir", "link-to-file"]),
        )

    def test_dry_run_changes_nothing_and_reports_everything(self):
        report, planned, errors = cleanup.run(self.root, "scratch", 30 * DAY, self.reports, "t", dry_run=True, at=NOW)
        self.assertEqual((planned, errors), (8, 0))
        self.assertTrue(os.path.exists(os.path.join(self.target, "old.nc")))
        text = read(report)
        self.assertIn("dry run", text)
        self.assertIn('"' + os.path.join(self.target, "name with spaces and\\ttab.txt") + '"', text)
        self.assertEqual(text.count("would-remove"), 8)

    def test_apply_removes_them_and_never_follows_links(self):
        report, planned, errors = cleanup.run(self.root, "scratch", 30 * DAY, self.reports, "t", dry_run=False, at=NOW)
        self.assertEqual(errors, 0)
        left = sorted(os.path.relpath(os.path.join(d, f), self.target) for d, _, fs in os.walk(self.target) for f in fs)
        self.assertEqual(left, ["mixed/keep.txt", "new.nc"])
        self.assertTrue(os.path.isdir(os.path.join(self.target, "mixed")))
        self.assertTrue(os.path.exists(os.path.join(self.outside, "data.h5")))
        self.assertIn("removed", read(report))

    def test_the_named_directory_itself_stays(self):
        cleanup.run(self.root, "scratch", 0, self.reports, "t", dry_run=False, at=NOW + DAY)
        self.assertTrue(os.path.isdir(self.target))
        self.assertEqual(os.listdir(self.target), [])

    def test_a_directory_that_vanishes_mid_run_is_skipped(self):
        # "mixed" is entered before "old dir" (names are sorted): "old dir" was listed, then goes.
        doomed = os.path.join(self.target, "old dir")

        def on_enter(rel):
            if rel == "mixed":
                shutil.rmtree(doomed)

        got = self.rel(self.plan(on_enter=on_enter))
        self.assertNotIn("old dir/deep/older.bin", got)
        self.assertIn("old.nc", got)

    def test_a_planned_directory_swapped_for_a_link_is_not_followed(self):
        # Between planning and removing, a user replaces "old dir" with a link to a tree of the
        # same shape elsewhere (another user's files): nothing there may go.
        victim = os.path.join(self.tmp.name, "victim")
        touch(os.path.join(victim, "deep", "older.bin"), 90)

        def swap(entries):
            shutil.rmtree(os.path.join(self.target, "old dir"))
            os.symlink(victim, os.path.join(self.target, "old dir"))

        _, _, errors = cleanup.run(self.root, "scratch", 30 * DAY, self.reports, "t", dry_run=False, at=NOW, before_apply=swap)
        self.assertTrue(os.path.exists(os.path.join(victim, "deep", "older.bin")))
        self.assertTrue(os.path.isdir(os.path.join(victim, "deep")))
        self.assertGreater(errors, 0)  # the planned entries below the link are refused, and reported
        self.assertTrue(os.path.exists(os.path.join(self.outside, "data.h5")))

    def test_a_planned_file_swapped_for_a_link_loses_the_link_only(self):
        victim = os.path.join(self.tmp.name, "victim.txt")
        touch(victim, 400)

        def swap(entries):
            os.unlink(os.path.join(self.target, "old.nc"))
            os.symlink(victim, os.path.join(self.target, "old.nc"))

        cleanup.run(self.root, "scratch", 30 * DAY, self.reports, "t", dry_run=False, at=NOW, before_apply=swap)
        self.assertTrue(os.path.exists(victim))
        self.assertFalse(os.path.lexists(os.path.join(self.target, "old.nc")))

    def test_a_directory_swapped_for_a_link_between_stat_and_open_is_not_entered(self):
        victim = os.path.join(self.tmp.name, "victim")
        touch(os.path.join(victim, "old-secret.txt"), 400)
        real_stat = os.stat

        def racing_stat(name, *args, **kw):
            st = real_stat(name, *args, **kw)
            if name == "mixed" and not os.path.islink(os.path.join(self.target, "mixed")):
                shutil.rmtree(os.path.join(self.target, "mixed"))
                os.symlink(victim, os.path.join(self.target, "mixed"))
            return st

        with mock.patch.object(files.os, "stat", racing_stat):
            got = self.rel(self.plan())
        self.assertNotIn("mixed/old-secret.txt", got)
        cleanup.run(self.root, "scratch", 30 * DAY, self.reports, "t", dry_run=False, at=NOW + 400 * DAY)
        self.assertTrue(os.path.exists(os.path.join(victim, "old-secret.txt")))
        self.assertFalse(os.path.lexists(os.path.join(self.target, "mixed")))  # the link itself went

    def test_refuses_a_target_that_is_a_symlink_or_outside(self):
        os.symlink(self.outside, os.path.join(self.root, "evil"))
        with self.assertRaises(SystemExit):
            cleanup.run(self.root, "evil", 0, self.reports, "t", dry_run=False, at=NOW)
        # A link on the way to the target is refused too.
        os.makedirs(os.path.join(self.outside, "sub"))
        touch(os.path.join(self.outside, "sub", "f"), 400)
        os.symlink(self.outside, os.path.join(self.root, "via"))
        with self.assertRaises(SystemExit):
            cleanup.run(self.root, "via/sub", 0, self.reports, "t", dry_run=False, at=NOW)
        self.assertTrue(os.path.exists(os.path.join(self.outside, "sub", "f")))
        with self.assertRaises(SystemExit):
            cleanup.run(self.root, "../precious", 0, self.reports, "t", dry_run=False, at=NOW)
        self.assertTrue(os.path.exists(os.path.join(self.outside, "data.h5")))

    def test_walk_reports_links_as_links(self):
        links = {os.path.basename(e.path) for e in walk(self.target) if e.is_link}
        self.assertEqual(links, {"link-to-dir", "link-to-file"})

    def test_cli_is_dry_run_by_default(self):
        code = cleanup.main(["--root", self.root, "--path", "scratch", "--older-than", str(30 * DAY), "--report-dir", self.reports, "--name", "cli"])
        self.assertEqual(code, 0)
        self.assertTrue(os.path.exists(os.path.join(self.target, "old.nc")))


if __name__ == "__main__":
    unittest.main()

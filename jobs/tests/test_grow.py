import io
import json
import os
import tempfile
import unittest
from datetime import datetime, timezone
from types import SimpleNamespace

from dandihub_jobs import grow as G

GIB = 2**30


class FakeEC2:
    """Answers as boto3's EC2 client does; a modification is recorded and refused within six hours, as EC2 does."""

    def __init__(self, size_gib, clock):
        self.size = size_gib
        self.clock = clock
        self.mods = []
        self.calls = []

    def describe_volumes(self, VolumeIds):
        return {"Volumes": [{"VolumeId": VolumeIds[0], "Size": self.size, "VolumeType": "gp3", "State": "in-use"}]}

    def describe_volumes_modifications(self, Filters):
        assert Filters == [{"Name": "volume-id", "Values": ["vol-1"]}]
        return {"VolumesModifications": list(self.mods)}

    def modify_volume(self, VolumeId, Size):
        now = self.clock()
        if any(now - m["StartTime"].timestamp() < 6 * 3600 for m in self.mods):
            raise RuntimeError("VolumeModificationRateExceeded")
        self.calls.append((VolumeId, Size))
        mod = {"VolumeId": VolumeId, "ModificationState": "optimizing", "OriginalSize": self.size, "TargetSize": Size, "StartTime": datetime.fromtimestamp(now, timezone.utc)}
        self.mods.append(mod)
        self.size = Size
        return {"VolumeModification": mod}


def fs(used_gib, size_gib):
    """os.statvfs's result for a file system of that size with that much used."""
    frsize = 4096
    blocks = size_gib * GIB // frsize
    free = blocks - used_gib * GIB // frsize
    return lambda _path: SimpleNamespace(f_blocks=blocks, f_bfree=free, f_bavail=free, f_frsize=frsize)


class GrowTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.history = os.path.join(self.dir, "grow-history.json")
        self.now = 1_800_000_000.0

    def run_once(self, ec2, used_gib, fs_size_gib, cap=2048, **kw):
        return G.grow(ec2, "/data", "vol-1", cap, self.history, now=self.now, statvfs=fs(used_gib, fs_size_gib), **kw)

    def test_below_threshold_nothing_happens(self):
        ec2 = FakeEC2(100, lambda: self.now)
        self.assertEqual(self.run_once(ec2, 50, 100)["action"], "none")
        self.assertEqual(ec2.calls, [])

    def test_grows_for_twice_six_hours_of_growth(self):
        ec2 = FakeEC2(100, lambda: self.now)
        self.run_once(ec2, 40, 100)  # six hours ago: 40 GiB
        self.now += 6 * 3600
        r = self.run_once(ec2, 85, 100)  # +45 GiB in six hours
        # room for 85 + 2 x 45 = 175 GiB at 80% full: 219 GiB
        self.assertEqual(r["action"], "grow")
        self.assertEqual(ec2.calls, [("vol-1", 219)])

    def test_at_least_a_tenth_or_ten_gib(self):
        ec2 = FakeEC2(500, lambda: self.now)
        r = self.run_once(ec2, 401, 500)
        self.assertEqual(r["target_gib"], 550)

    def test_never_past_the_cap_and_says_when_there(self):
        ec2 = FakeEC2(100, lambda: self.now)
        self.assertEqual(self.run_once(ec2, 90, 100, cap=110)["target_gib"], 110)  # 113 wanted
        self.now += 7 * 3600
        self.assertEqual(self.run_once(ec2, 100, 110, cap=110)["action"], "at-cap")
        self.assertEqual(ec2.calls, [("vol-1", 110)])

    def test_waits_six_hours_between_modifications(self):
        ec2 = FakeEC2(100, lambda: self.now)
        self.run_once(ec2, 90, 100)
        self.now += 3600
        r = self.run_once(ec2, 105, 110)
        self.assertEqual(r["action"], "wait")
        self.assertEqual(len(ec2.calls), 1)
        self.now += 5 * 3600 + 1
        ec2.mods[0]["ModificationState"] = "completed"
        self.assertEqual(self.run_once(ec2, 105, 110)["action"], "grow")

    def test_a_dry_run_changes_nothing(self):
        ec2 = FakeEC2(100, lambda: self.now)
        self.assertEqual(self.run_once(ec2, 90, 100, dry_run=True)["action"], "would-grow")
        self.assertEqual(ec2.calls, [])

    def test_history_keeps_a_day_and_survives_a_bad_file(self):
        with open(self.history, "w") as f:
            f.write("not json")
        ec2 = FakeEC2(100, lambda: self.now)
        self.run_once(ec2, 10, 100)
        self.now += 25 * 3600
        self.run_once(ec2, 11, 100)
        with open(self.history) as f:
            self.assertEqual(len(json.load(f)), 1)

    def test_growth_from_less_than_six_hours_is_scaled(self):
        samples = [(0, 10 * GIB), (2 * 3600, 12 * GIB)]
        self.assertEqual(G.growth_over_six_hours(samples, 2 * 3600), 6 * GIB)
        self.assertEqual(G.growth_over_six_hours([(0, 10 * GIB), (600, 12 * GIB)], 600), 0)
        self.assertEqual(G.growth_over_six_hours([(0, 12 * GIB), (7 * 3600, 10 * GIB)], 7 * 3600), 0)

    def test_main_prints_one_line_and_fails_when_ec2_refuses(self):
        class Refusing(FakeEC2):
            def modify_volume(self, **kw):
                raise RuntimeError("UnauthorizedOperation")

        out = io.StringIO()
        code = G.main(["--mount", "/data", "--volume-id", "vol-1", "--cap-gib", "500", "--history", self.history], ec2=Refusing(100, lambda: self.now), out=out, statvfs=fs(95, 100))
        self.assertEqual(code, 1)
        self.assertEqual(json.loads(out.getvalue())["action"], "error")
        self.assertIn("UnauthorizedOperation", out.getvalue())


if __name__ == "__main__":
    unittest.main()

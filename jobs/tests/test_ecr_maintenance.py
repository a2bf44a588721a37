import io
import json
import unittest

from dandihub_jobs import ecr_maintenance as E


class FakeECR:
    """Records calls; repositories come in pages like the real paginator's."""

    def __init__(self, pages, fail_on=(), images=None):
        self.pages = pages
        self.images = images or {}
        self.fail_on = set(fail_on)
        self.calls = []

    def get_paginator(self, name):
        fake = self

        class P:
            def paginate(self, **kw):
                if name == "describe_repositories":
                    return iter(fake.pages)
                assert name == "describe_images"
                return iter([{"imageDetails": fake.images.get(kw["repositoryName"], [])}])

        return P()

    def start_image_scan(self, **kw):
        self.calls.append(("start_scan", kw))

    def _record(self, op, **kw):
        if kw.get("repositoryName") in self.fail_on:
            raise RuntimeError("AccessDenied")
        self.calls.append((op, kw))

    def put_lifecycle_policy(self, **kw):
        self._record("lifecycle", **kw)

    def put_image_scanning_configuration(self, **kw):
        self._record("scan", **kw)

    def tag_resource(self, **kw):
        self.calls.append(("tag", kw))


def repo(name):
    return {"repositoryName": name, "repositoryArn": f"arn:aws:ecr:us-east-2:123456789012:repository/{name}"}


PAGES = [
    {"repositories": [repo("hub-builds/dandi-example-abc"), repo("other-team/app")]},
    {"repositories": [repo("hub-builds/linc-tools-def"), repo("hub-builds-evil/x")]},
]


class Maintain(unittest.TestCase):
    def test_only_repositories_under_the_prefix_across_pages(self):
        ecr = FakeECR(PAGES)
        reports = E.maintain(ecr, "hub-builds/", 30, {"dandihub:deployment": "hub"})
        self.assertEqual([r["repository"] for r in reports], ["hub-builds/dandi-example-abc", "hub-builds/linc-tools-def"])
        touched = {kw.get("repositoryName") or kw["resourceArn"].split("/", 1)[1] for _, kw in ecr.calls}
        self.assertEqual(touched, {"hub-builds/dandi-example-abc", "hub-builds/linc-tools-def"})

    def test_policy_scanning_and_tags(self):
        ecr = FakeECR(PAGES[:1])
        E.maintain(ecr, "hub-builds/", 14, {"dandihub:deployment": "hub"})
        ops = {op: kw for op, kw in ecr.calls}
        policy = json.loads(ops["lifecycle"]["lifecyclePolicyText"])
        untagged, anything = policy["rules"]
        self.assertEqual((untagged["selection"]["tagStatus"], untagged["selection"]["countNumber"]), ("untagged", 1))
        self.assertEqual((anything["selection"]["tagStatus"], anything["selection"]["countNumber"]), ("any", 14))
        # ECR requires the `any` rule to have the largest priority.
        self.assertGreater(anything["rulePriority"], untagged["rulePriority"])
        self.assertEqual(ops["scan"]["imageScanningConfiguration"], {"scanOnPush": True})
        self.assertEqual(ops["tag"]["tags"], [{"Key": "dandihub:deployment", "Value": "hub"}])

    def test_scans_images_pushed_before_scan_on_push(self):
        images = {"hub-builds/dandi-example-abc": [
            {"imageDigest": "sha256:old", "imageTags": ["1"]},
            {"imageDigest": "sha256:done", "imageScanStatus": {"status": "COMPLETE"}},
        ]}
        ecr = FakeECR(PAGES[:1], images=images)
        reports = E.maintain(ecr, "hub-builds/", 30, {})
        scans = [kw for op, kw in ecr.calls if op == "start_scan"]
        self.assertEqual(scans, [{"repositoryName": "hub-builds/dandi-example-abc", "imageId": {"imageDigest": "sha256:old"}}])
        self.assertEqual(reports[0]["scansStarted"], 1)

    def test_one_failing_repository_does_not_stop_the_rest(self):
        ecr = FakeECR(PAGES, fail_on={"hub-builds/dandi-example-abc"})
        out = io.StringIO()
        code = E.main(["--prefix", "hub-builds/", "--keep-days", "30"], client=ecr, out=out)
        lines = [json.loads(x) for x in out.getvalue().splitlines()]
        self.assertEqual(code, 1)
        self.assertEqual(lines[0]["status"], "error")
        self.assertIn("AccessDenied", lines[0]["error"])
        self.assertEqual(lines[1]["status"], "ok")
        self.assertEqual(lines[-1], {"summary": {"repositories": 2, "errors": 1}})

    def test_refuses_a_prefix_that_would_match_everything(self):
        for bad in ("", "/", "hub-builds"):
            with self.assertRaises(ValueError):
                E.maintain(FakeECR(PAGES), bad, 30, {})
        with self.assertRaises(ValueError):
            E.maintain(FakeECR(PAGES), "hub-builds/", 0, {})

    def test_tags_are_key_value(self):
        self.assertEqual(E.parse_tags(["a=b", "c=d=e"]), {"a": "b", "c": "d=e"})
        with self.assertRaises(ValueError):
            E.parse_tags(["novalue"])


if __name__ == "__main__":
    unittest.main()

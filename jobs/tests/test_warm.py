import io
import json
import unittest

from dandihub_jobs.warm import main, scale_request


class ScaleRequest(unittest.TestCase):
    def test_a_merge_patch_of_the_scale_subresource(self):
        req = scale_request("https://kubernetes.default.svc", "jupyterhub", "warm-dandi", 2, "t0k")
        self.assertEqual(req.get_method(), "PATCH")
        self.assertEqual(req.full_url, "https://kubernetes.default.svc/apis/apps/v1/namespaces/jupyterhub/deployments/warm-dandi/scale")
        self.assertEqual(req.headers["Content-type"], "application/merge-patch+json")
        self.assertEqual(req.headers["Authorization"], "Bearer t0k")
        self.assertEqual(json.loads(req.data), {"spec": {"replicas": 2}})


class Main(unittest.TestCase):
    def test_scales_and_reports_what_the_api_says(self):
        sent = []

        def send(req):
            sent.append(req)
            # The autoscaling/v1 Scale the API server answers with.
            return {"kind": "Scale", "apiVersion": "autoscaling/v1", "spec": {"replicas": 0}, "status": {"replicas": 2, "selector": "app=warm"}}

        out = io.StringIO()
        self.assertEqual(main(["jupyterhub", "warm-dandi", "0"], send=send, token="t", out=out), 0)
        self.assertEqual(json.loads(sent[0].data), {"spec": {"replicas": 0}})
        self.assertEqual(out.getvalue(), "jupyterhub/warm-dandi: 0 warm (was 2)\n")

    def test_refuses_bad_arguments(self):
        self.assertEqual(main(["jupyterhub", "warm-dandi", "two"], send=lambda r: {}, token="t"), 2)
        self.assertEqual(main([], send=lambda r: {}, token="t"), 2)


if __name__ == "__main__":
    unittest.main()

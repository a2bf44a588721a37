"""Warm capacity: scales a group's placeholder Deployment to what its schedule wants now.

Run by two CronJobs per group in the schedule's time zone: every 15 minutes inside the window
(``python -m dandihub_jobs.warm <namespace> <deployment> <servers>``: so a placeholder evicted by a
user, or a Helm upgrade, is back within 15 minutes) and once at its end (with 0). It patches the
Deployment's scale subresource with the pod's service account, which may do only that.
"""
import json
import ssl
import sys
import urllib.request

SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"


def scale_request(api, namespace, deployment, replicas, token):
    """The PATCH of the Deployment's scale subresource (a JSON merge patch)."""
    return urllib.request.Request(
        f"{api}/apis/apps/v1/namespaces/{namespace}/deployments/{deployment}/scale",
        data=json.dumps({"spec": {"replicas": replicas}}).encode(),
        method="PATCH",
        headers={"Content-Type": "application/merge-patch+json", "Authorization": f"Bearer {token}", "Accept": "application/json"},
    )


def scale(namespace, deployment, replicas, send=None, token=None, api="https://kubernetes.default.svc"):
    """Sets the replicas; returns the scale the API server reports."""
    if token is None:
        with open(f"{SERVICE_ACCOUNT}/token") as f:
            token = f.read().strip()
    if send is None:
        context = ssl.create_default_context(cafile=f"{SERVICE_ACCOUNT}/ca.crt")

        def send(req):
            with urllib.request.urlopen(req, timeout=30, context=context) as r:
                return json.loads(r.read())

    return send(scale_request(api, namespace, deployment, replicas, token))


def main(argv=None, send=None, token=None, out=sys.stdout):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 3 or not argv[2].isdigit():
        print("usage: python -m dandihub_jobs.warm NAMESPACE DEPLOYMENT REPLICAS", file=sys.stderr)
        return 2
    namespace, deployment, replicas = argv[0], argv[1], int(argv[2])
    result = scale(namespace, deployment, replicas, send=send, token=token)
    print(f"{namespace}/{deployment}: {result.get('spec', {}).get('replicas')} warm (was {result.get('status', {}).get('replicas')})", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

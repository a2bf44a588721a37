"""Why a server did not start: read from its pod's events when the start runs out of time.

JupyterHub gives up after ``start_timeout`` with a bare "Timeout". The spawner stops a little
earlier (``STUCK_MARGIN_SECONDS``) and fails with what the pod was waiting for, read from the
Kubernetes events KubeSpawner collected for it (``spawner.events``: Event objects as dicts, from
the scheduler, Karpenter and the kubelet).
"""

# Seconds before JupyterHub's own timeout: room to raise the explanation first.
STUCK_MARGIN_SECONDS = 10


class SpawnStuck(Exception):
    """A start that ran out of time; JupyterHub shows ``jupyterhub_message`` to the user."""

    def __init__(self, message):
        super().__init__(message)
        self.jupyterhub_message = message


def _events(events):
    return [((e.get("reason") or ""), (e.get("message") or "")) for e in events or []]


def stuck_message(events, timeout, contact=None):
    """What the user is told: the most specific cause the events show."""
    ask = f" If it keeps happening, contact {contact}." if contact else ""
    seen = _events(events)
    reasons = {r for r, _ in seen}
    for r, m in reversed(seen):
        if "exceed" in m and "limit" in m:
            return f"Your group's servers already use all the room its limits allow, so no new node can start. Stop a server you do not need, or ask your group's admins to raise its limits.{ask}"
    for r, m in reversed(seen):
        if r in ("Failed", "BackOff", "ErrImagePull", "ImagePullBackOff") and "image" in m.lower():
            return f"The server's image cannot be pulled ({m}). Check the image name, or choose another image.{ask}"
    if "Pulling" in reasons and "Pulled" not in reasons:
        return f"The new node was still downloading the server's image after {timeout} seconds (large images on a node that just started). Try again in a few minutes: the image will be there.{ask}"
    if reasons & {"Nominated", "FailedScheduling"}:
        return f"No node came up for the server within {timeout} seconds: AWS may be short of this kind of capacity (spot) right now. Try again, or choose another profile.{ask}"
    return f"The server did not start within {timeout} seconds.{ask}"

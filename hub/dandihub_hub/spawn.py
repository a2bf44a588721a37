"""Placing a server: the chosen group's label, nodes, environment, identity and storage.

JupyterHub runs ``pre_spawn_hook`` *before* ``Spawner.start()``, and KubeSpawner applies the
chosen profile inside ``start()`` (``load_user_options``), where a profile's
``kubespawner_override`` merges dict traits but replaces list traits (tolerations, volumes)
outright. So the two jobs are split:

- the pre-spawn hook only decides: is this (profile, options, group) offered to this user? A
  refusal is an HTTP error page and a ``spawn-refused`` event, before anything is created;
- placement runs in ``DandiHubSpawner.load_user_options``, right after KubeSpawner applied the
  profile, so it adds to what the profile set rather than being overwritten by it.

Every user pod gets the group label (billing, monitoring) and a node selector and toleration that
put it on its group's pool only. Env, labels and the AWS identity (service account) come from the
group the server counts against. Storage (see ``storage_mounts``): the home on that group's
volume, the user's homes in their other groups, the shared directory of every group they are in,
and the hub-wide common directory, read-only except for admins, who also see every group's volume
read-only.
"""
import asyncio
import datetime
import inspect

from .budgets import check as budget_check
from .budgets import check_quota as quota_check
from .events import log_event
from .profiles import NotOffered, granting_groups, no_profiles_message, profiles_for, selection
from .stuck import STUCK_MARGIN_SECONDS, SpawnStuck, stuck_message

# Set on the spawner by placement, read (and cleared) by the post-stop hook: only a server that was
# placed is logged as stopped.
PLACEMENT_ATTR = "dandihub_placement"


def _managed(name):
    """Volumes this module owns: group volumes (home, volume-*), common, group mounts (group-*)."""
    return name in ("home", "common") or (name or "").startswith(("volume-", "group-"))


def user_group_names(user):
    return [g.name for g in getattr(user, "groups", [])]


def storage_mounts(settings, group, user_groups, is_admin):
    """(volumes, volume_mounts) for a server of ``group``. Paths keep KubeSpawner's {username}."""
    st = settings["storage"]
    paths = st["paths"]
    volumes, mounts = [], []

    def volume_of(g):
        name = "home" if g == group else f"volume-{g}"
        if not any(v["name"] == name for v in volumes):
            volumes.append({"name": name, "persistentVolumeClaim": {"claimName": settings["groups"][g]["storage"]["claim"]}})
        return name

    mounts.append({"name": volume_of(group), "mountPath": paths["home"], "subPath": "{username}"})
    for g in user_groups:
        if g not in settings["groups"]:
            continue
        name = volume_of(g)
        if g != group:
            mounts.append({"name": name, "mountPath": paths["otherHome"].format(group=g), "subPath": "{username}"})
        mounts.append({"name": name, "mountPath": paths["groupShared"].format(group=g), "subPath": st["sharedDir"]})
    volumes.append({"name": "common", "persistentVolumeClaim": {"claimName": st["commonClaim"]}})
    mounts.append({"name": "common", "mountPath": paths["common"], "subPath": st["sharedDir"], "readOnly": not is_admin})
    if is_admin:
        for g in settings.get("groupOrder") or settings["groups"]:
            mounts.append({"name": volume_of(g), "mountPath": paths["allHomes"].format(group=g), "readOnly": True})
    return volumes, mounts


def storage_env(settings, group, username, pod_name):
    g = settings["groups"][group]["storage"]
    env = {}
    if settings["storage"]["mode"] == "home-nfs":
        env["DANDIHUB_HOME_QUOTA"] = g["quotaOverrides"].get(username.lower(), g["homeQuota"])
        env["DANDIHUB_SHARED_QUOTA"] = g["sharedQuota"]
    ref = g.get("scratchBucketRef")
    if ref:
        # The bucket's name is only known once Terraform made it: the pod reads it from the
        # refs ConfigMap, and Kubernetes expands $(...) from the variable before it (KubeSpawner
        # orders variables by such references). The pod name is the prefix its AWS identity may use.
        env["SCRATCH_BUCKET_NAME"] = {"valueFrom": {"configMapKeyRef": {"name": ref["configMap"], "key": ref["key"]}}}
        env["SCRATCH_BUCKET"] = f"s3://$(SCRATCH_BUCKET_NAME)/scratch/{pod_name}"
    elif g.get("scratchBucket"):
        env["SCRATCH_BUCKET"] = f"s3://{g['scratchBucket']}/scratch/{pod_name}"
    return env


def apply_group(spawner, settings, profile_slug, group, user_groups):
    """Adds the group's placement to the traits the profile left. Idempotent: what it owns (the
    group toleration, group volumes) is recomputed, never appended twice."""
    labels = settings["labels"]
    g = settings["groups"][group]
    placement = g["profiles"][profile_slug]
    spawner.node_selector = {**(spawner.node_selector or {}), labels["group"]: group, labels["pool"]: placement["pool"]}
    # One group toleration: this server's (an earlier server's group must not linger).
    tolerations = [t for t in (spawner.tolerations or []) if t.get("key") != labels["group"]]
    tolerations.append({"key": labels["group"], "operator": "Equal", "value": group, "effect": "NoSchedule"})
    spawner.tolerations = tolerations
    spawner.extra_labels = {
        **(spawner.extra_labels or {}),
        **g.get("labels", {}),
        labels["group"]: group,
        # Monitoring sums server hours and usage per profile from this label.
        **({labels["profile"]: profile_slug} if "profile" in labels else {}),
    }
    spawner.environment = {
        **(spawner.environment or {}),
        **g.get("env", {}),
        **(storage_env(settings, group, spawner.user.name, spawner.pod_name) if "storage" in settings else {}),
        "DANDIHUB_GROUP": group,
        "DANDIHUB_CAPACITY": placement["capacity"],
    }
    volumes = [v for v in (spawner.volumes or []) if not _managed(v.get("name"))]
    mounts = [m for m in (spawner.volume_mounts or []) if not _managed(m.get("name"))]
    if "storage" in settings:
        extra_volumes, extra_mounts = storage_mounts(settings, group, user_groups, bool(getattr(spawner.user, "admin", False)))
        volumes += extra_volumes
        mounts += extra_mounts
        spawner.service_account = g["storage"]["serviceAccount"]
    for member_of in user_groups:
        other = settings["groups"].get(member_of, {})
        volumes += [v for v in other.get("volumes", []) if v["name"] not in {x["name"] for x in volumes}]
        mounts += [m for m in other.get("volumeMounts", []) if m not in mounts]
    spawner.volumes = volumes
    spawner.volume_mounts = mounts


def _selection_or_refusal(spawner, settings, http_error):
    user_groups = user_group_names(spawner.user)
    try:
        profile, group = selection(settings, spawner.user.name, user_groups, spawner.user_options)
    except NotOffered as e:
        spawner.log.warning("dandihub: refused spawn for %s: %s", spawner.user.name, e.message)
        log_event(
            spawner.log,
            "spawn-refused",
            user=spawner.user.name,
            server=getattr(spawner, "name", "") or "",
            profile=(spawner.user_options or {}).get("profile"),
            group=(spawner.user_options or {}).get("group"),
            status=e.status,
        )
        raise http_error(e.status, e.message) from None
    return profile, group, user_groups


def place(spawner, settings, http_error):
    """Placement of the server, run after the profile is applied (see DandiHubSpawner)."""
    profile, group, user_groups = _selection_or_refusal(spawner, settings, http_error)
    apply_group(spawner, settings, profile["slug"], group, user_groups)
    placement = settings["groups"][group]["profiles"][profile["slug"]]
    setattr(spawner, PLACEMENT_ATTR, {"group": group, "profile": profile["slug"]})
    spawner.log.info("dandihub: %s starts %s for group %s on %s", spawner.user.name, profile["slug"], group, placement["pool"])
    log_event(
        spawner.log,
        "spawn",
        user=spawner.user.name,
        server=getattr(spawner, "name", "") or "",
        profile=profile["slug"],
        group=group,
        pool=placement["pool"],
        capacity=placement["capacity"],
        # The image the pod runs: the profile and its options are applied by now.
        image=getattr(spawner, "image", None),
    )


def make_spawner_class(base, settings, http_error):
    """``base`` (KubeSpawner) with placement applied right after the chosen profile."""

    class DandiHubSpawner(base):
        def start(self):
            # KubeSpawner.start() returns the future progress() follows; ours wraps it, to fail a
            # little before JupyterHub's timeout with why the pod is not running.
            inner = asyncio.ensure_future(super().start())
            timeout = getattr(self, "start_timeout", 0) or 0
            if timeout <= STUCK_MARGIN_SECONDS:
                return inner

            async def guarded():
                try:
                    return await asyncio.wait_for(inner, timeout - STUCK_MARGIN_SECONDS)
                except asyncio.TimeoutError:
                    message = stuck_message(getattr(self, "events", []), timeout, settings.get("contact"))
                    self.log.warning("dandihub: %s's server did not start: %s", self.user.name, message)
                    log_event(self.log, "spawn-stuck", user=self.user.name, server=getattr(self, "name", "") or "", reasons=sorted({e.get("reason") for e in getattr(self, "events", []) if e.get("reason")}))
                    raise SpawnStuck(message) from None

            return asyncio.ensure_future(guarded())

        async def load_user_options(self):
            loaded = super().load_user_options()
            if inspect.isawaitable(loaded):
                await loaded
            place(self, settings, http_error)

    DandiHubSpawner.__name__ = f"DandiHub{base.__name__}"
    DandiHubSpawner.__qualname__ = DandiHubSpawner.__name__
    return DandiHubSpawner


def make_pre_spawn_hook(settings, http_error, budget_fetch=None):
    """The refusal check, before anything is created. ``http_error(status, message)`` builds the
    exception JupyterHub shows the user."""

    async def pre_spawn_hook(spawner):
        # A new spawn: no placement yet (a refused or failed spawn must not log an old one's stop).
        setattr(spawner, PLACEMENT_ATTR, None)
        profile, group, _ = _selection_or_refusal(spawner, settings, http_error)
        budgets = settings.get("budgets") or {}
        if group not in (budgets.get("groups") or {}) and group not in (budgets.get("quotas") or {}):
            return
        fields = dict(user=spawner.user.name, server=getattr(spawner, "name", "") or "", group=group, profile=profile["slug"])

        def refuse(verdict, reason, **numbers):
            spawner.log.warning("dandihub: refused spawn for %s: %s", spawner.user.name, verdict.message)
            log_event(spawner.log, "spawn-refused", status=403, reason=reason, **numbers, **fields)
            raise http_error(403, verdict.message)

        loop = asyncio.get_running_loop()
        # Prometheus is read off the hub's event loop.
        now = datetime.datetime.now(datetime.timezone.utc)
        properties = group_properties(spawner.user).get(group)
        verdict = await loop.run_in_executor(None, budget_check, settings, group, now, budget_fetch, properties)
        if verdict is not None and not verdict.allowed:
            refuse(verdict, "budget", spent=round(verdict.spent, 2), budget=verdict.budget)
        if verdict is not None and verdict.level:
            log_event(spawner.log, "budget-warning", level=verdict.level, spent=round(verdict.spent, 2), budget=verdict.budget, **fields)
        quota = await loop.run_in_executor(None, quota_check, settings, group, spawner.user.name, budget_fetch)
        if quota is not None and not quota.allowed:
            refuse(quota, "quota", used=round(quota.spent, 1), quota=quota.budget)

    return pre_spawn_hook


def make_post_stop_hook(settings):
    """Logs the stop of a server that was placed, with the group and profile it ran for. A spawn
    refused or failed before placement logged its own event and logs no stop."""

    def post_stop_hook(spawner):
        placed = getattr(spawner, PLACEMENT_ATTR, None)
        if not placed:
            return
        setattr(spawner, PLACEMENT_ATTR, None)
        log_event(
            spawner.log,
            "stop",
            user=spawner.user.name,
            server=getattr(spawner, "name", "") or "",
            group=placed["group"],
            profile=placed["profile"],
        )

    return post_stop_hook


def group_properties(user):
    """Each of the user's JupyterHub groups' properties (where budget extensions are recorded), by name."""
    return {g.name: getattr(g, "properties", None) for g in getattr(user, "groups", [])}


def budget_notes(settings, user_groups, now, fetch=None, properties=None):
    """Per group of the user's with an enforced budget past a warning point (or over it): the line
    the spawn page shows under that group's profiles. ``properties``: the groups' (extensions)."""
    notes = {}
    for group in user_groups:
        if group not in ((settings.get("budgets") or {}).get("groups") or {}):
            continue
        v = budget_check(settings, group, now, fetch, (properties or {}).get(group))
        if v is None or v.level in (None, "unknown"):
            continue
        name = settings["groups"].get(group, {}).get("displayName", group)
        used = round(100 * (v.spent + v.committed) / v.budget)
        notes[group] = f"{name} has used its budget for this month." if v.level == "over" else f"{name} has used {used}% of this month's budget."
    return notes


def make_profile_list(settings, http_error, budget_fetch=None):
    def profile_list(spawner):
        groups = user_group_names(spawner.user)
        offered = profiles_for(settings, groups)
        if not offered:
            raise http_error(403, no_profiles_message(settings, spawner.user.name, groups))
        budgeted = (settings.get("budgets") or {}).get("groups") or {}
        if not any(g in budgeted for g in groups):
            return offered

        # KubeSpawner awaits a callable's awaitable: Prometheus is read off the event loop.
        async def annotated():
            now = datetime.datetime.now(datetime.timezone.utc)
            notes = await asyncio.get_running_loop().run_in_executor(None, budget_notes, settings, groups, now, budget_fetch, group_properties(spawner.user))
            for p in offered:
                lines = [n for g, n in notes.items() if g in granting_groups(settings, p["slug"], groups)]
                if lines:
                    p["description"] = " ".join([p.get("description") or "", *lines]).strip()
            return offered

        return annotated()

    return profile_list

"""Placing a server: the chosen group's label, nodes, environment, identity and storage.

Runs as KubeSpawner's ``pre_spawn_hook``, after the profile and its options are applied, so it
adds to what they set rather than replacing it. Every user pod gets the group label (billing,
monitoring) and a node selector and toleration that put it on its group's pool only.

Env, labels and the AWS identity (service account) come from the group the server counts
against. Storage (see ``storage_mounts``): the home on that group's volume, the user's homes in
their other groups, the shared directory of every group they are in, and the hub-wide common
directory, read-only except for admins, who also see every group's volume read-only.
"""
from .events import log_event
from .profiles import NotOffered, no_profiles_message, profiles_for, selection


def _managed(name):
    """Volumes this hook owns: group volumes (home, volume-*), common, group mounts (group-*)."""
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


def ownership_init_container(settings, mounts):
    """Kubelet creates missing subPath directories as root; give homes and shared dirs to the user.

    Runs as root with only the capabilities chown/chmod need, and touches only the top directory.
    """
    writable = [m for m in mounts if "subPath" in m and not m.get("readOnly")]
    targets = " ".join(f"/fix/{i}" for i in range(len(writable)))
    return {
        "name": "dandihub-ownership",
        "image": settings["storage"]["initImage"],
        "command": ["sh", "-c", f"for d in {targets}; do chown 1000:100 \"$d\" && chmod 2775 \"$d\"; done"],
        "securityContext": {
            "runAsUser": 0,
            "runAsNonRoot": False,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"], "add": ["CHOWN", "FOWNER"]},
        },
        "volumeMounts": [{"name": m["name"], "mountPath": f"/fix/{i}", "subPath": m["subPath"]} for i, m in enumerate(writable)],
    }


def storage_env(settings, group, username, pod_name):
    g = settings["groups"][group]["storage"]
    env = {}
    if settings["storage"]["mode"] == "home-nfs":
        env["DANDIHUB_HOME_QUOTA"] = g["quotaOverrides"].get(username.lower(), g["homeQuota"])
        env["DANDIHUB_SHARED_QUOTA"] = g["sharedQuota"]
    if g.get("scratchBucket"):
        # The pod name is the prefix this server's AWS identity may use.
        env["SCRATCH_BUCKET"] = f"s3://{g['scratchBucket']}/scratch/{pod_name}"
    return env


def apply_group(spawner, settings, profile_slug, group, user_groups):
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
    # Ours are recomputed on every spawn (the spawner object, and its traits, outlive a server).
    volumes = [v for v in (spawner.volumes or []) if not _managed(v.get("name"))]
    mounts = [m for m in (spawner.volume_mounts or []) if not _managed(m.get("name"))]
    if "storage" in settings:
        extra_volumes, extra_mounts = storage_mounts(settings, group, user_groups, bool(getattr(spawner.user, "admin", False)))
        volumes += extra_volumes
        mounts += extra_mounts
        init = [c for c in (spawner.init_containers or []) if c.get("name") != "dandihub-ownership"]
        spawner.init_containers = init + [ownership_init_container(settings, extra_mounts)]
        spawner.service_account = g["storage"]["serviceAccount"]
    for member_of in user_groups:
        other = settings["groups"].get(member_of, {})
        volumes += [v for v in other.get("volumes", []) if v["name"] not in {x["name"] for x in volumes}]
        mounts += [m for m in other.get("volumeMounts", []) if m not in mounts]
    spawner.volumes = volumes
    spawner.volume_mounts = mounts


def make_pre_spawn_hook(settings, http_error):
    """``http_error(status, message)`` builds the exception JupyterHub shows the user."""

    def pre_spawn_hook(spawner):
        user_groups = user_group_names(spawner.user)
        try:
            profile, group = selection(settings, spawner.user.name, user_groups, spawner.user_options)
        except NotOffered as e:
            spawner.log.warning("dandihub: refused spawn for %s: %s", spawner.user.name, e.message)
            raise http_error(e.status, e.message) from None
        apply_group(spawner, settings, profile["slug"], group, user_groups)
        placement = settings["groups"][group]["profiles"][profile["slug"]]
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
            image=getattr(spawner, "image", None),
        )

    return pre_spawn_hook


def make_post_stop_hook(settings):
    """Logs the stop of a server with the group and profile it ran for (from its labels)."""

    def post_stop_hook(spawner):
        labels = settings["labels"]
        pod_labels = spawner.extra_labels or {}
        log_event(
            spawner.log,
            "stop",
            user=spawner.user.name,
            server=getattr(spawner, "name", "") or "",
            group=pod_labels.get(labels["group"]),
            profile=pod_labels.get(labels.get("profile", ""), None),
        )

    return post_stop_hook


def make_profile_list(settings, http_error):
    def profile_list(spawner):
        groups = user_group_names(spawner.user)
        offered = profiles_for(settings, groups)
        if not offered:
            raise http_error(403, no_profiles_message(settings, spawner.user.name, groups))
        return offered

    return profile_list

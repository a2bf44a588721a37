"""Placing a server: the chosen group's label, nodes, environment and mounts.

Runs as KubeSpawner's ``pre_spawn_hook``, after the profile and its options are applied, so it
adds to what they set rather than replacing it. Every user pod gets the group label (billing,
monitoring) and a node selector and toleration that put it on its group's pool only.

Env and labels come from the group the server counts against; mounts from every group the user
belongs to (members reach each group's shared data whichever group pays).
"""
from .profiles import NotOffered, no_profiles_message, profiles_for, selection


def user_group_names(user):
    return [g.name for g in getattr(user, "groups", [])]


def apply_group(spawner, settings, profile_slug, group, user_groups):
    labels = settings["labels"]
    g = settings["groups"][group]
    placement = g["profiles"][profile_slug]
    spawner.node_selector = {**(spawner.node_selector or {}), labels["group"]: group, labels["pool"]: placement["pool"]}
    toleration = {"key": labels["group"], "operator": "Equal", "value": group, "effect": "NoSchedule"}
    tolerations = list(spawner.tolerations or [])
    if toleration not in tolerations:
        tolerations.append(toleration)
    spawner.tolerations = tolerations
    spawner.extra_labels = {**(spawner.extra_labels or {}), **g.get("labels", {}), labels["group"]: group}
    spawner.environment = {
        **(spawner.environment or {}),
        **g.get("env", {}),
        "DANDIHUB_GROUP": group,
        "DANDIHUB_CAPACITY": placement["capacity"],
    }
    volumes = list(spawner.volumes or [])
    mounts = list(spawner.volume_mounts or [])
    names = {v.get("name") for v in volumes}
    for member_of in user_groups:
        other = settings["groups"].get(member_of, {})
        for volume in other.get("volumes", []):
            if volume["name"] not in names:
                volumes.append(volume)
                names.add(volume["name"])
        for mount in other.get("volumeMounts", []):
            if mount not in mounts:
                mounts.append(mount)
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
        spawner.log.info("dandihub: %s starts %s for group %s on %s", spawner.user.name, profile["slug"], group,
                         settings["groups"][group]["profiles"][profile["slug"]]["pool"])

    return pre_spawn_hook


def make_profile_list(settings, http_error):
    def profile_list(spawner):
        groups = user_group_names(spawner.user)
        offered = profiles_for(settings, groups)
        if not offered:
            raise http_error(403, no_profiles_message(settings, spawner.user.name, groups))
        return offered

    return profile_list

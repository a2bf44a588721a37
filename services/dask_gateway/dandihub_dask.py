"""Dask Gateway cluster options for dandihub: which group a cluster counts against, where its
pods run, and the group's limits. Pasted into the gateway's configuration (the chart's
``gateway.extraConfig``) followed by::

    c.Backend.cluster_options = make_cluster_options(json.loads(<settings written at synth>))

Settings: ``groupOrder``; ``groups[g]`` with ``maxCores``, ``maxMemoryGiB``, ``maxWorkers``,
``nodeSelector``, ``tolerations``, ``labels``; ``worker`` defaults and maxima; ``idleTimeoutSeconds``;
``podSecurityContext`` and ``containerSecurityContext`` (Pod Security's restricted profile).
"""
import copy
import importlib
import math


class NotAllowed(Exception):
    """The user may not create clusters (or not for that group)."""


def granted_groups(settings, user_groups):
    """The user's groups that may create clusters, in the deployment file's order."""
    mine = set(user_groups or ())
    return [g for g in settings["groupOrder"] if g in mine and g in settings["groups"]]


def cluster_config(settings, group, cores, memory_gib, user_groups):
    """KubeClusterConfig overrides for a cluster of ``group``: placement on the group's nodes,
    its billing label, and its limits (the cluster stops growing at whichever comes first)."""
    if group not in granted_groups(settings, user_groups):
        raise NotAllowed(f"clusters for group {group!r} are not allowed to you")
    g = settings["groups"][group]
    w = settings["worker"]
    if not (0 < cores <= w["maxCores"]) or not (0 < memory_gib <= w["maxMemoryGiB"]):
        raise NotAllowed(f"workers may have up to {w['maxCores']} cores and {w['maxMemoryGiB']} GiB")
    max_workers = min(g["maxWorkers"], math.floor(g["maxCores"] / cores), math.floor(g["maxMemoryGiB"] / memory_gib))
    pod = {"nodeSelector": dict(g["nodeSelector"]), "tolerations": [dict(t) for t in g["tolerations"]], "securityContext": copy.deepcopy(settings["podSecurityContext"])}
    container = {"securityContext": copy.deepcopy(settings["containerSecurityContext"])}
    return {
        "worker_cores": cores,
        "worker_cores_limit": cores,
        "worker_memory": f"{memory_gib}G",
        "worker_memory_limit": f"{memory_gib}G",
        "cluster_max_cores": g["maxCores"],
        "cluster_max_memory": f"{g['maxMemoryGiB']}G",
        "cluster_max_workers": max_workers,
        "idle_timeout": settings["idleTimeoutSeconds"],
        "worker_extra_pod_config": pod,
        "scheduler_extra_pod_config": pod,
        "worker_extra_container_config": container,
        "scheduler_extra_container_config": container,
        "worker_extra_pod_labels": dict(g["labels"]),
        "scheduler_extra_pod_labels": dict(g["labels"]),
        "environment": {"DANDIHUB_GROUP": group},
    }


def make_cluster_options(settings, import_module=importlib.import_module):
    """``c.Backend.cluster_options``: a callable giving each user the form for their groups."""
    opts = import_module("dask_gateway_server.options")
    w = settings["worker"]

    def cluster_options(user):
        groups = granted_groups(settings, getattr(user, "groups", ()))
        if not groups:
            raise NotAllowed(f"{user.name} is in no group that may create Dask clusters")

        def handler(options, user):
            return cluster_config(settings, options.group, float(options.worker_cores), float(options.worker_memory), getattr(user, "groups", ()))

        return opts.Options(
            opts.Select("group", groups, default=groups[0], label="Group (whose nodes and budget)"),
            opts.Float("worker_cores", w["cores"], min=0.5, max=w["maxCores"], label="Worker cores"),
            opts.Float("worker_memory", w["memoryGiB"], min=1, max=w["maxMemoryGiB"], label="Worker memory (GiB)"),
            handler=handler,
        )

    return cluster_options

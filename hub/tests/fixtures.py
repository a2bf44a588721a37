"""Small stand-ins shared by the tests: a settings dict shaped like the synthesized one, and
fake users, spawners and loggers."""
import asyncio
import copy

LABELS = {"group": "dandihub.org/group", "pool": "dandihub.org/pool", "profile": "dandihub.org/profile"}

SETTINGS = {
    "authenticator": "github",
    "labels": LABELS,
    "contact": "help@example.org",
    "groupOrder": ["dandi", "bican", "ember", "workshop"],
    "groups": {
        "dandi": {
            "displayName": "DANDI",
            "members": {"orgs": ["dandi"], "teams": [], "archives": ["dandi"], "users": []},
            "profiles": {
                "tiny": {"pool": "dandi-cpu-spot", "capacity": "spot"},
                "base": {"pool": "dandi-cpu-spot", "capacity": "spot"},
                "gpu": {"pool": "dandi-gpu-t4-spot", "capacity": "spot"},
            },
            "env": {"DANDI_API_URL": "https://api.dandiarchive.org"},
            "labels": {},
            "volumes": [{"name": "group-dandi-shared", "nfs": {"server": "fs-1.efs", "path": "/dandi"}}],
            "volumeMounts": [{"name": "group-dandi-shared", "mountPath": "/data/dandi", "readOnly": False}],
        },
        "bican": {
            "displayName": "BICAN",
            "members": {"orgs": [], "teams": [["brain-bican", "kbhub-users"]], "archives": [], "users": ["Alice"]},
            "profiles": {"base": {"pool": "bican-cpu-on-demand", "capacity": "on-demand"}},
            "env": {},
            "labels": {"team": "bican"},
            "volumes": [],
            "volumeMounts": [],
        },
        "ember": {
            "displayName": "EMBER",
            "members": {"orgs": [], "teams": [], "archives": ["ember"], "users": []},
            "profiles": {"tiny": {"pool": "ember-cpu-spot", "capacity": "spot"}},
            "env": {},
            "labels": {},
            "volumes": [],
            "volumeMounts": [],
        },
        "workshop": {
            "displayName": "Workshop",
            "members": {"orgs": [], "teams": [["dandi", "workshop"]], "archives": [], "users": []},
            "profiles": {"tiny": {"pool": "workshop-cpu-on-demand", "capacity": "on-demand"}},
            "env": {},
            "labels": {},
            "volumes": [],
            "volumeMounts": [],
        },
    },
    "profiles": [
        {"slug": "tiny", "display_name": "Tiny", "description": "", "kubespawner_override": {"cpu_guarantee": 0.25}},
        {
            "slug": "base",
            "display_name": "Base",
            "description": "",
            "default": True,
            "kubespawner_override": {"cpu_guarantee": 6},
            "profile_options": {
                "image": {
                    "display_name": "Image",
                    "choices": {
                        "dandi": {"display_name": "DANDI", "default": True, "kubespawner_override": {"image": "dandi:1"}},
                        "matlab": {"display_name": "MATLAB", "allowed_groups": ["dandi"], "kubespawner_override": {"image": "matlab:1"}},
                    },
                }
            },
        },
        {
            "slug": "gpu",
            "display_name": "GPU",
            "description": "",
            "kubespawner_override": {"extra_resource_limits": {"nvidia.com/gpu": "1"}},
        },
    ],
    "archives": [
        {"name": "dandi", "displayName": "DANDI Archive", "api": "https://api.dandi.test", "web": "https://dandi.test", "tokenEnv": "T_DANDI", "check": "search", "timeoutSeconds": 5},
        {"name": "ember", "displayName": "EMBER", "api": "https://api.ember.test", "web": "https://ember.test", "tokenEnv": "T_EMBER", "check": "list", "timeoutSeconds": 5},
    ],
    "adminTeams": [["dandi", "hub-admins"]],
    "oauthArchive": None,
    "storage": {
        "mode": "home-nfs",
        "sharedDir": "_shared",
        "commonClaim": "shared-common",
        "initImage": "busybox:test",
        "paths": {
            "home": "/home/jovyan",
            "groupShared": "/shared/{group}",
            "common": "/shared/hub",
            "otherHome": "/mnt/homes/{group}",
            "allHomes": "/mnt/all-homes/{group}",
        },
    },
}

for _name in SETTINGS["groups"]:
    SETTINGS["groups"][_name]["storage"] = {
        "claim": f"home-{_name}",
        "homeQuota": "10Gi",
        "sharedQuota": "100Gi",
        "quotaOverrides": {"alice": "50Gi"} if _name == "bican" else {},
        "scratchBucket": f"hub-{_name}-bucket",
        "serviceAccount": f"user-{_name}",
    }


def settings(**changes):
    s = copy.deepcopy(SETTINGS)
    s.update(changes)
    return s


class Log:
    def __init__(self):
        self.lines = []

    def _add(self, level, msg, *args):
        self.lines.append((level, msg % args if args else msg))

    def info(self, msg, *args):
        self._add("info", msg, *args)

    def warning(self, msg, *args):
        self._add("warning", msg, *args)

    def error(self, msg, *args):
        self._add("error", msg, *args)


class Group:
    def __init__(self, name):
        self.name = name


class User:
    def __init__(self, name, groups=(), admin=False):
        self.name = name
        self.admin = admin
        self.groups = [Group(g) for g in groups]


class Spawner:
    """The KubeSpawner traits the hooks touch, with z2jh-like starting values."""

    def __init__(self, user, user_options=None):
        self.user = user
        self.user_options = user_options or {}
        self.node_selector = {}
        self.tolerations = [{"key": "hub.jupyter.org/dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"}]
        self.extra_labels = {"hub.jupyter.org/network-access-hub": "true"}
        self.environment = {"EXISTING": "1"}
        self.volumes = []
        self.volume_mounts = []
        self.init_containers = []
        self.service_account = None
        self.pod_name = f"jupyter-{user.name}"
        self.log = Log()


class HTTPError(Exception):
    def __init__(self, status, message="", html=""):
        super().__init__(message)
        self.status = status
        self.message = message
        self.html = html


def run(coro):
    return asyncio.run(coro)


class StandInBase:
    """An authenticator base class with nothing in it (hub_config only subclasses it)."""

"""Small stand-ins shared by the tests: a settings dict shaped like the synthesized one, and
fake users, spawners and loggers."""
import asyncio
import inspect
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
            # As synthesized: a GPU profile replaces the tolerations list (user taint repeated).
            "kubespawner_override": {
                "image": "dandi-gpu:1",
                "extra_resource_limits": {"nvidia.com/gpu": "1"},
                "tolerations": [
                    {"key": "hub.jupyter.org/dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"},
                    {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
                ],
                "node_affinity_required": [{"matchExpressions": [{"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["g4dn.2xlarge"]}]}],
            },
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
        "scratchBucketRef": {"configMap": "dandihub-storage-refs", "key": f"bucket.{_name}"},
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


def _recursive_update(target, new):
    """KubeSpawner's merge of a dict override: nested dicts merge, a None value removes the key."""
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(target.get(k), dict):
            _recursive_update(target[k], v)
        elif v is None:
            target.pop(k, None)
        else:
            target[k] = copy.deepcopy(v)


class Spawner:
    """Stands in for KubeSpawner 7.0 as JupyterHub 5.5 drives it.

    The traits the hooks touch start with z2jh-like values. As in the real classes:

    - JupyterHub runs ``pre_spawn_hook`` *before* ``start()`` (see :func:`spawn`);
    - ``start()`` calls ``load_user_options()``, which evaluates a callable ``profile_list``,
      picks the profile from ``user_options`` (or the default) and applies its
      ``kubespawner_override`` and the chosen options' overrides: dict traits are merged,
      every other trait (lists such as ``tolerations`` and ``volumes``) is replaced outright;
    - a free-form choice's override is formatted with ``{value}``.

    ``pod`` records the traits as they are when the pod would be created.
    """

    def __init__(self, user, user_options=None, profile_list=None, pre_spawn_hook=None, post_stop_hook=None):
        self.user = user
        self.user_options = user_options or {}
        self.profile_list = profile_list if profile_list is not None else []
        self.pre_spawn_hook = pre_spawn_hook
        self.post_stop_hook = post_stop_hook
        self.name = ""
        self.image = "quay.io/jupyterhub/k8s-singleuser-sample:4.4.0"
        self.node_selector = {}
        self.node_affinity_required = []
        self.tolerations = [{"key": "hub.jupyter.org/dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"}]
        self.extra_labels = {"hub.jupyter.org/network-access-hub": "true"}
        self.environment = {"EXISTING": "1"}
        self.volumes = []
        self.volume_mounts = []
        self.init_containers = []
        self.extra_resource_limits = {}
        self.service_account = None
        self.pod_name = f"jupyter-{user.name}"
        self.log = Log()
        self.pod = None

    def _apply_overrides(self, override, value=None):
        for k, v in override.items():
            if value is not None:
                v = _format(v, value)
            if callable(v):
                v = v(self)
            if isinstance(v, dict) and isinstance(getattr(self, k, None), dict):
                _recursive_update(getattr(self, k), v)
            else:
                setattr(self, k, copy.deepcopy(v))

    async def load_user_options(self):
        profiles = self.profile_list(self) if callable(self.profile_list) else self.profile_list
        # KubeSpawner awaits a callable's awaitable (maybe_future).
        if inspect.isawaitable(profiles):
            profiles = await profiles
        profiles = copy.deepcopy(profiles)
        if not profiles:
            return
        if not any(p.get("default") for p in profiles):
            profiles[0]["default"] = True
        slug = self.user_options.get("profile")
        if slug:
            matches = [p for p in profiles if p["slug"] == slug]
            if not matches:
                raise ValueError(f"No such profile: {slug}")
            profile = matches[0]
        else:
            profile = next(p for p in profiles if p.get("default"))
        self._apply_overrides(profile.get("kubespawner_override", {}))
        for name, option in (profile.get("profile_options") or {}).items():
            unlisted = self.user_options.get(f"{name}--unlisted-choice")
            choice = self.user_options.get(name)
            if unlisted:
                self._apply_overrides(option["unlisted_choice"].get("kubespawner_override", {}), value=unlisted)
            elif choice:
                self._apply_overrides(option["choices"][choice].get("kubespawner_override", {}))
            else:
                default = next(c for c in option["choices"].values() if c.get("default"))
                self._apply_overrides(default.get("kubespawner_override", {}))

    async def start(self):
        await self.load_user_options()
        self.pod = {
            k: copy.deepcopy(getattr(self, k))
            for k in ("image", "node_selector", "node_affinity_required", "tolerations", "extra_labels", "environment", "volumes", "volume_mounts", "init_containers", "extra_resource_limits", "service_account")
        }
        return "http://10.0.0.9:8888"

    async def run_post_stop_hook(self):
        if self.post_stop_hook is not None:
            self.post_stop_hook(self)


def _format(v, value):
    if isinstance(v, str):
        return v.format(value=value)
    if isinstance(v, dict):
        return {k: _format(x, value) for k, x in v.items()}
    if isinstance(v, list):
        return [_format(x, value) for x in v]
    return v


def spawn(spawner):
    """A spawn as JupyterHub 5.5's User.spawn runs it: the pre-spawn hook, then start(); if either
    fails, the server is stopped (post_stop_hook runs) and the error goes to the user."""

    async def go():
        try:
            if spawner.pre_spawn_hook is not None:
                # JupyterHub awaits the hook when it returns an awaitable (maybe_future).
                result = spawner.pre_spawn_hook(spawner)
                if inspect.isawaitable(result):
                    await result
            return await spawner.start()
        except Exception:
            await spawner.run_post_stop_hook()
            raise

    return asyncio.run(go())


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

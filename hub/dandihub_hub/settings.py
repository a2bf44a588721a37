"""The settings file dandihub synthesizes for the hub, and small readers over it.

Shape (written by src/features/hub/settings.ts and the features' hub.ts contributions)::

    {
      "labels": {"group": "...", "pool": "..."},
      "groups": {name: {"displayName", "members": {"orgs", "teams", "archives", "users"},
                        "profiles": {slug: {"pool", "capacity"}}, "env", "labels",
                        "volumes", "volumeMounts"}},
      "groupOrder": [name, ...],
      "profiles": [KubeSpawner profile dicts with "slug", in menu order],
      "archives": [{"name", "displayName", "api", "web", "tokenEnv", "check", "timeoutSeconds"}],
      "adminTeams": [[org, team-or-null], ...],
      "oauthArchive": name or null,
      "contact": text
    }
"""
import json

SETTINGS_PATH = "/usr/local/etc/jupyterhub/dandihub/settings.json"


def load_settings(path=SETTINGS_PATH):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def group_order(settings):
    """Group names in the order of the deployment file (the order choices and defaults follow)."""
    return list(settings.get("groupOrder") or settings["groups"].keys())


def granting_groups(settings, slug, user_groups):
    """The user's groups that grant profile ``slug``, in deployment-file order."""
    mine = set(user_groups)
    return [g for g in group_order(settings) if g in mine and slug in settings["groups"][g]["profiles"]]


def archive(settings, name):
    for a in settings.get("archives", []):
        if a["name"] == name:
            return a
    raise KeyError(name)

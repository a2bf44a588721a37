"""Which server options a user is offered, decided on the hub for every request.

KubeSpawner calls ``profile_list`` (a callable here) both to render the form and to apply a
submitted choice, so a profile, option or free-form choice that is not offered cannot be started
through the REST API either. ``selection`` checks it once more before the pod is made.

Profiles and their options may carry ``allowed_groups``; profiles are granted per group in the
settings. A user in several groups granting a profile picks which group the server counts
against (the ``group`` option); one group means no question.

A free-form choice (``unlisted_choice``, the user's own or a built image) lists ``variants``:
the first whose groups meet the user's decides its validation regex and message; with none, the
choice is not offered. ``dynamic_image_building`` (the build UI) has ``allowed_groups``.
"""
import copy
import re

from .settings import granting_groups

GROUP_OPTION = "group"
# KubeSpawner's user_options for a free-form choice: {"image": "unlisted_choice", "image--unlisted-choice": "<value>"}
UNLISTED_VALUE = "unlisted_choice"
UNLISTED_SUFFIX = "--unlisted-choice"
META_KEYS = ("allowed_groups",)
SPOT_NOTE = "Runs on spot capacity: cheapest, but AWS may reclaim the node with 2 minutes' notice. Save often."


class NotOffered(Exception):
    """A request for something this user is not offered. ``status`` is the HTTP status to answer."""

    def __init__(self, message, status=403):
        super().__init__(message)
        self.message = message
        self.status = status


def _visible(item, user_groups):
    allowed = item.get("allowed_groups")
    return allowed is None or bool(set(allowed) & set(user_groups))


def _strip(item):
    return {k: v for k, v in item.items() if k not in META_KEYS}


def _unlisted_for(unlisted, user_groups):
    """The free-form choice as this user gets it, or None."""
    if unlisted is None or not unlisted.get("enabled", True) or not _visible(unlisted, user_groups):
        return None
    result = {k: v for k, v in _strip(unlisted).items() if k != "variants"}
    variants = unlisted.get("variants")
    if variants is None:
        return result
    mine = set(user_groups)
    matching = [v for v in variants if mine & set(v["groups"])]
    if not matching:
        return None
    # The form cannot know the group yet: it accepts what any of the user's groups allows, and
    # selection() holds the value to the group the server counts against.
    if len(matching) == 1:
        result["validation_regex"] = matching[0]["validation_regex"]
    else:
        result["validation_regex"] = "|".join(f"(?:{v['validation_regex']})" for v in matching)
    result["validation_message"] = " Or: ".join(dict.fromkeys(v["validation_message"] for v in matching))
    return result


def _group_variant(settings, profile_slug, option_name, group):
    """The free-form rule of ``group`` for a profile's option, from the settings (or None)."""
    profile = next((p for p in settings["profiles"] if p["slug"] == profile_slug), {})
    unlisted = ((profile.get("profile_options") or {}).get(option_name) or {}).get("unlisted_choice") or {}
    variants = unlisted.get("variants")
    if variants is None:
        return unlisted or None
    return next((v for v in variants if group in v["groups"]), None)


def profiles_for(settings, user_groups):
    """KubeSpawner profiles for a user in ``user_groups``: only what some group of theirs grants,
    only the option choices (and free-form choices) open to their groups, and a ``group`` option
    when more than one of their groups grants the profile."""
    offered = []
    for profile in settings["profiles"]:
        groups = granting_groups(settings, profile["slug"], user_groups)
        if not groups:
            continue
        p = copy.deepcopy(_strip(profile))
        options = {}
        for name, option in (profile.get("profile_options") or {}).items():
            if not _visible(option, user_groups):
                continue
            opt = _strip(copy.deepcopy(option))
            choices = {k: _strip(c) for k, c in (option.get("choices") or {}).items() if _visible(c, user_groups)}
            unlisted = _unlisted_for(option.get("unlisted_choice"), user_groups)
            if unlisted is not None:
                opt["unlisted_choice"] = unlisted
            else:
                opt.pop("unlisted_choice", None)
            building = option.get("dynamic_image_building")
            if building is not None:
                if _visible(building, user_groups) and unlisted is not None:
                    opt["dynamic_image_building"] = _strip(building)
                else:
                    opt.pop("dynamic_image_building", None)
            if not choices and "unlisted_choice" not in opt:
                continue
            if len(choices) == 1 and "unlisted_choice" not in opt:
                # Nothing to choose: fold the one choice into the profile instead of a one-item menu.
                only = next(iter(choices.values()))
                p["kubespawner_override"] = {**p.get("kubespawner_override", {}), **only.get("kubespawner_override", {})}
                continue
            if choices and not any(c.get("default") for c in choices.values()):
                first = next(iter(choices))
                choices[first] = {**choices[first], "default": True}
            opt["choices"] = choices
            options[name] = opt
        capacity = {g: settings["groups"][g]["profiles"][profile["slug"]].get("capacity") for g in groups}
        if set(capacity.values()) == {"spot"}:
            p["description"] = f"{p['description']} {SPOT_NOTE}".strip() if p.get("description") else SPOT_NOTE
        if len(groups) > 1:
            mixed = len(set(capacity.values())) > 1
            options[GROUP_OPTION] = {
                "display_name": "Group (whose resources and budget)",
                "choices": {
                    g: {
                        "display_name": settings["groups"][g]["displayName"] + (f" ({capacity[g]})" if mixed else ""),
                        "default": i == 0,
                        "kubespawner_override": {},
                    }
                    for i, g in enumerate(groups)
                },
            }
        if options:
            p["profile_options"] = options
        else:
            p.pop("profile_options", None)
        offered.append(p)
    if offered and not any(p.get("default") for p in offered):
        offered[0]["default"] = True
    return offered


def no_profiles_message(settings, username, user_groups):
    contact = settings.get("contact") or "the hub's administrators"
    if not user_groups:
        return f"{username} is not in any group of this hub, so there is nothing to start. Contact {contact}."
    return f"None of your groups ({', '.join(user_groups)}) may start servers here. Contact {contact}."


def default_profile(profiles):
    for p in profiles:
        if p.get("default"):
            return p
    return profiles[0] if profiles else None


def selection(settings, username, user_groups, user_options):
    """The (profile, group) a spawn request stands for, or NotOffered.

    Re-checks on the hub what the form offers: the profile, each option's choice or free-form
    value, and the group must all be open to the user.
    """
    offered = profiles_for(settings, user_groups)
    if not offered:
        raise NotOffered(no_profiles_message(settings, username, user_groups))
    options = dict(user_options or {})
    slug = options.get("profile")
    profile = next((p for p in offered if p["slug"] == slug), None) if slug else default_profile(offered)
    if profile is None:
        raise NotOffered(f"Profile {slug!r} is not offered to {username}.")
    offered_options = profile.get("profile_options") or {}
    groups = granting_groups(settings, profile["slug"], user_groups)
    group = options.get(GROUP_OPTION) or groups[0]
    if group not in groups:
        raise NotOffered(f"Group {group!r} does not grant profile {profile['slug']!r} to {username}.")
    for name, value in options.items():
        if name in ("profile", GROUP_OPTION):
            continue
        if name.endswith(UNLISTED_SUFFIX):
            option_name = name[: -len(UNLISTED_SUFFIX)]
            unlisted = (offered_options.get(option_name) or {}).get("unlisted_choice")
            if unlisted is None:
                raise NotOffered(f"A free-form {option_name!r} is not offered to {username} with profile {profile['slug']!r}.")
            rule = _group_variant(settings, profile["slug"], option_name, group)
            if rule is None:
                raise NotOffered(f"Group {group!r} does not offer a free-form {option_name!r} with profile {profile['slug']!r}.")
            if not isinstance(value, str) or not re.fullmatch(rule.get("validation_regex") or ".+", value):
                raise NotOffered(f"{value!r} is not allowed for group {group!r}. {rule.get('validation_message', '')}".strip(), status=400)
            continue
        option = offered_options.get(name)
        if option is None:
            raise NotOffered(f"Option {name!r} is not offered with profile {profile['slug']!r}.")
        if value == UNLISTED_VALUE:
            if "unlisted_choice" not in option:
                raise NotOffered(f"A free-form {name!r} is not offered to {username} with profile {profile['slug']!r}.")
        elif value not in option.get("choices", {}):
            raise NotOffered(f"{value!r} is not a choice of {name!r} offered to {username}.")
    return profile, group

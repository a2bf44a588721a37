"""Who belongs to which group, from what the login told us. Pure functions."""


def team_pairs(teams):
    """``(org, team-slug)`` pairs, lowercased, from GitHub's /user/teams response."""
    pairs = set()
    for t in teams or []:
        org = ((t.get("organization") or {}).get("login") or "").lower()
        slug = (t.get("slug") or "").lower()
        if org and slug:
            pairs.add((org, slug))
    return pairs


def active_orgs(memberships):
    """Organization logins, lowercased, from GitHub's /user/memberships/orgs response."""
    return {
        ((m.get("organization") or {}).get("login") or "").lower()
        for m in memberships or []
        if m.get("state") == "active"
    } - {""}


def needs_org_lookup(settings):
    """Only ask GitHub for org memberships when some group is gated on a whole org."""
    return any(g["members"]["orgs"] for g in settings["groups"].values()) or any(
        team is None for _, team in settings.get("adminTeams", [])
    )


def groups_for(settings, username, teams=(), orgs=(), approved_archives=()):
    """The configured groups ``username`` belongs to, in deployment-file order.

    Only configured teams, orgs, archives and usernames count: membership of any other GitHub
    team never becomes a hub group.
    """
    teams = {(o.lower(), t.lower()) for o, t in teams}
    orgs = {o.lower() for o in orgs}
    approved = set(approved_archives)
    login = username.lower()
    result = []
    for name, group in settings["groups"].items():
        m = group["members"]
        if (
            any((o.lower(), t.lower()) in teams for o, t in m["teams"])
            or any(o.lower() in orgs for o in m["orgs"])
            or any(a in approved for a in m["archives"])
            or any(u.lower() == login for u in m["users"])
        ):
            result.append(name)
    order = settings.get("groupOrder") or list(settings["groups"])
    return sorted(result, key=order.index)


def is_admin_by_team(settings, teams=(), orgs=()):
    teams = {(o.lower(), t.lower()) for o, t in teams}
    orgs = {o.lower() for o in orgs}
    for org, team in settings.get("adminTeams", []):
        if team is None and org.lower() in orgs:
            return True
        if team is not None and (org.lower(), team.lower()) in teams:
            return True
    return False


def groups_from_auth_state(auth_state):
    """OAuthenticator's ``auth_state_groups_key``: the configured groups computed at login.

    Login stores them under ``auth_state["dandihub"]`` (see auth.py); OAuthenticator calls this
    again when it refreshes a user, so the hub's groups stay those groups, never raw team names.
    """
    return list(((auth_state or {}).get("dandihub") or {}).get("groups") or [])

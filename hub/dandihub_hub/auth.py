"""Authenticator classes: the configured OAuthenticator (GitHub, a DANDI-style archive as
OAuth provider, Cognito, dummy) plus dandihub's group membership and access decision.

Classes are built by ``make_authenticator(base, ...)`` so tests can pass stand-in base classes;
``hub_config`` passes the real ones.
"""
from . import archives as A
from .access import GITHUB_SOURCE, decide
from .events import log_event
from .identity import check_identity
from .membership import active_orgs, groups_for, is_admin_by_team, needs_org_lookup, team_pairs


def make_authenticator(base, settings, mode, checker, http_error):
    """Subclass ``base`` so that login computes the user's configured groups and refuses, with a
    page that says why, anyone in none.

    mode: "github" (groups from teams, orgs, archives, usernames), "dandiOAuth" (the OAuth archive
    must say APPROVED), "cognito" / "dummy" (groups from usernames).
    ``http_error(status, message, html)`` builds the exception whose page the user sees.
    """
    oauth_archive = settings.get("oauthArchive")

    class DandiHubAuthenticator(base):
        async def _github_orgs(self, auth_state):
            token = auth_state["token_response"]["access_token"]
            token_type = auth_state["token_response"].get("token_type", "bearer")
            memberships = await self.httpfetch(
                f"{self.github_api}/user/memberships/orgs?state=active&per_page=100",
                "fetching org memberships",
                method="GET",
                headers=self.build_userdata_request_headers(token, token_type),
                validate_cert=self.validate_server_cert,
            )
            return active_orgs(memberships)

        async def update_auth_model(self, auth_model):
            auth_model = await super().update_auth_model(auth_model)
            username = auth_model["name"]
            state = auth_model.get("auth_state") or {}
            teams, orgs, approved, results, oauth_status = set(), set(), set(), [], None
            if mode == "github":
                teams = team_pairs(state.get("teams"))
                if needs_org_lookup(settings):
                    try:
                        orgs = await self._github_orgs(state)
                    except Exception as e:  # GitHub down or rate-limited: refuse like an archive outage
                        self.log.error("dandihub: reading %s's GitHub organizations failed: %s: %s", username, type(e).__name__, e)
                        results.append(A.Result(GITHUB_SOURCE, A.ERROR, f"organization lookup failed ({type(e).__name__})"))
            if mode == "dandiOAuth":
                oauth_status = (state.get(self.user_auth_state_key) or {}).get("status")
                if oauth_status == "APPROVED":
                    approved.add(oauth_archive)
            if mode in ("github", "dandiOAuth") and checker is not None:
                results += await checker.check_all(username, skip=(oauth_archive,) if mode == "dandiOAuth" else ())
                approved.update(r.archive for r in results if r.status == A.APPROVED)
            if mode == "dandiOAuth" and oauth_status != "APPROVED":
                approved.clear()  # an unapproved archive account joins no group, whatever else says
            groups = groups_for(settings, username, teams=teams, orgs=orgs, approved_archives=approved)
            admin = is_admin_by_team(settings, teams=teams, orgs=orgs)
            previous = state.get("dandihub") or {}
            state["dandihub"] = {
                "groups": groups,
                "archives": {r.archive: [r.status, r.detail] for r in results},
                "oauthStatus": oauth_status,
                "teamAdmin": admin,
                # A refresh rebuilds this: keep the account the user was pinned to.
                **({"githubId": previous["githubId"]} if previous.get("githubId") is not None else {}),
            }
            auth_model["auth_state"] = state
            auth_model["groups"] = groups
            if settings.get("adminTeams"):
                # Admin by team is held only while in the team: a login or an auth refresh
                # (auth_refresh_age) after leaving it revokes it; auth.admins stay admins.
                auth_model["admin"] = bool(admin) or username in (self.admin_users or set())
            elif admin:
                auth_model["admin"] = True
            return auth_model

        async def get_authenticated_user(self, handler, data):
            """Logins under a known name must come from the GitHub account first seen with it."""
            authenticated = await super().get_authenticated_user(handler, data)
            if not authenticated or mode != "github" or handler is None:
                return authenticated
            username = authenticated["name"]
            existing = handler.find_user(username)
            stored = await existing.get_auth_state() if existing is not None else None
            state = authenticated.get("auth_state") or {}
            refusal, pin = check_identity(settings, username, stored, state)
            if refusal:
                status, message, html = refusal
                self.log.warning("dandihub: refused %s: GitHub account id %s, this hub user belongs to %s", username, (state.get("github_user") or {}).get("id"), pin)
                log_event(self.log, "login-refused", user=username, status=status, reason="github-id-mismatch")
                raise http_error(status, message, html)
            if pin is not None:
                state.setdefault("dandihub", {})["githubId"] = pin
                authenticated["auth_state"] = state
            return authenticated

        async def check_allowed(self, username, auth_model):
            state = (auth_model or {}).get("auth_state") or {}
            info = state.get("dandihub") or {}
            results = [A.Result(name, status, detail) for name, (status, detail) in (info.get("archives") or {}).items()]
            is_admin = username in (self.admin_users or set()) or bool(info.get("teamAdmin"))
            decision = decide(
                settings,
                username,
                info.get("groups") or [],
                is_admin=is_admin,
                archive_results=results,
                oauth_status=info.get("oauthStatus"),
            )
            groups = info.get("groups") or []
            if decision.allowed:
                self.log.info("dandihub: %s", decision.log)
                log_event(self.log, "login", user=username, groups=groups, admin=is_admin)
                return True
            if mode == "dummy":
                # Development only: let the name in; with no group there is nothing to start.
                self.log.warning("dandihub (dummy): %s", decision.log)
                log_event(self.log, "login", user=username, groups=groups, admin=is_admin)
                return True
            self.log.warning("dandihub: %s", decision.log)
            log_event(self.log, "login-refused", user=username, groups=groups, status=decision.status)
            raise http_error(decision.status, decision.message, decision.html)

    # The archive checker (one per hub process), for tests and debugging.
    DandiHubAuthenticator.dandihub_checker = checker
    DandiHubAuthenticator.__name__ = f"DandiHub{base.__name__}"
    return DandiHubAuthenticator

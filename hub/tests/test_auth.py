import json
import unittest

from dandihub_hub import archives as A
from dandihub_hub.auth import make_authenticator

from .fixtures import HTTPError, Log, run, settings


class FakeChecker:
    def __init__(self, results):
        self.results = results
        self.calls = []

    async def check_all(self, login, skip=()):
        self.calls.append((login, tuple(skip)))
        return [r for r in self.results if r.archive not in skip]


class StandInOAuthenticator:
    """What the subclass relies on from OAuthenticator: update_auth_model, httpfetch, headers, log."""

    github_api = "https://api.github.test"
    validate_server_cert = True
    user_auth_state_key = "oauth_user"

    def __init__(self, memberships=(), admin_users=()):
        self.memberships = list(memberships)
        self.admin_users = set(admin_users)
        self.fetched = []
        self.log = Log()

    async def update_auth_model(self, auth_model):
        auth_model.setdefault("groups", ["from-base"])
        return auth_model

    def build_userdata_request_headers(self, token, token_type):
        return {"Authorization": f"{token_type} {token}"}

    async def httpfetch(self, url, label, **kwargs):
        self.fetched.append((url, kwargs["headers"]))
        return self.memberships


def github_model(name, teams=()):
    return {
        "name": name,
        "auth_state": {
            "token_response": {"access_token": "gho_x", "token_type": "bearer"},
            "teams": [{"slug": t, "organization": {"login": o}} for o, t in teams],
        },
    }


def login(cls, model):
    """Runs update_auth_model then check_allowed as the login handler does."""

    async def go():
        auth = cls(**cls.init)
        updated = await auth.update_auth_model(model)
        allowed = await auth.check_allowed(updated["name"], updated)
        return auth, updated, allowed

    return run(go())


def make(mode, results=(), memberships=(), admin_users=(), s=None):
    cls = make_authenticator(StandInOAuthenticator, s or settings(), mode, FakeChecker(list(results)), HTTPError)
    cls.init = {"memberships": memberships, "admin_users": admin_users}
    return cls


class GitHub(unittest.TestCase):
    def test_team_member_gets_groups_and_in(self):
        cls = make("github", results=[A.Result("dandi", A.NOT_APPROVED), A.Result("ember", A.NOT_APPROVED)])
        auth, model, allowed = login(cls, github_model("bob", [("brain-bican", "kbhub-users")]))
        self.assertTrue(allowed)
        self.assertEqual(model["groups"], ["bican"])
        self.assertEqual(model["auth_state"]["dandihub"]["groups"], ["bican"])

    def test_logins_and_refusals_are_events(self):
        cls = make("github", results=[A.Result("dandi", A.NOT_APPROVED), A.Result("ember", A.NOT_APPROVED)])
        auth, _, _ = login(cls, github_model("bob", [("brain-bican", "kbhub-users")]))
        ev = [json.loads(line.split(" ", 1)[1]) for _, line in auth.log.lines if line.startswith("dandihub-event")]
        self.assertEqual([(e["event"], e["user"], e["groups"]) for e in ev], [("login", "bob", ["bican"])])
        refused = cls(**cls.init)
        with self.assertRaises(HTTPError):
            run(refused.check_allowed("newcomer", {"auth_state": {"dandihub": {"groups": []}}}))
        ev = [json.loads(line.split(" ", 1)[1]) for _, line in refused.log.lines if line.startswith("dandihub-event")]
        self.assertEqual([(e["event"], e["user"]) for e in ev], [("login-refused", "newcomer")])

    def test_org_membership_is_looked_up_with_the_users_token(self):
        cls = make("github", memberships=[{"state": "active", "organization": {"login": "dandi"}}])
        auth, model, _ = login(cls, github_model("bob"))
        self.assertEqual(model["groups"], ["dandi"])
        url, headers = auth.fetched[0]
        self.assertEqual(url, "https://api.github.test/user/memberships/orgs?state=active&per_page=100")
        self.assertEqual(headers, {"Authorization": "bearer gho_x"})

    def test_archive_approval_gives_the_archive_group(self):
        cls = make("github", results=[A.Result("dandi", A.NOT_APPROVED), A.Result("ember", A.APPROVED)])
        _, model, allowed = login(cls, github_model("erin"))
        self.assertTrue(allowed)
        self.assertEqual(model["groups"], ["ember"])

    def test_not_approved_sees_the_register_page(self):
        cls = make("github", results=[A.Result("dandi", A.NOT_APPROVED), A.Result("ember", A.NOT_APPROVED)])
        with self.assertRaises(HTTPError) as e:
            login(cls, github_model("newcomer"))
        self.assertEqual(e.exception.status, 403)
        self.assertIn("https://dandi.test", e.exception.html)

    def test_archive_outage_refuses_unknown_users(self):
        cls = make("github", results=[A.Result("dandi", A.ERROR, "HTTP 502"), A.Result("ember", A.NOT_APPROVED)])
        with self.assertRaises(HTTPError) as e:
            login(cls, github_model("newcomer"))
        self.assertEqual(e.exception.status, 503)

    def test_github_failing_to_list_orgs_refuses_with_the_outage_page_not_a_500(self):
        class Down(StandInOAuthenticator):
            async def httpfetch(self, url, label, **kwargs):
                raise ConnectionError("github unreachable")

        cls = make_authenticator(Down, settings(), "github", FakeChecker([A.Result("dandi", A.NOT_APPROVED), A.Result("ember", A.NOT_APPROVED)]), HTTPError)
        cls.init = {}
        with self.assertRaises(HTTPError) as e:
            login(cls, github_model("newcomer"))
        self.assertEqual(e.exception.status, 503)
        # A team member still gets in: the org lookup only adds groups.
        _, model, allowed = login(cls, github_model("bob", [("brain-bican", "kbhub-users")]))
        self.assertTrue(allowed)
        self.assertEqual(model["groups"], ["bican"])

    def test_admin_team_makes_an_admin(self):
        cls = make("github")
        _, model, allowed = login(cls, github_model("root", [("dandi", "hub-admins")]))
        self.assertTrue(allowed)
        self.assertTrue(model["admin"])
        self.assertEqual(model["groups"], [])

    def test_leaving_the_admin_team_revokes_admin_at_the_next_refresh(self):
        # OAuthenticator's refresh_user runs update_auth_model again with fresh teams; JupyterHub
        # applies admin=False from it. A configured admin stays one; someone never admin is told so.
        cls = make("github", admin_users=["yarik"])
        _, model, _ = login(cls, github_model("root", [("dandi", "hub-admins"), ("brain-bican", "kbhub-users")]))
        self.assertIs(model["admin"], True)
        _, model, _ = login(cls, github_model("root", [("brain-bican", "kbhub-users")]))
        self.assertIs(model["admin"], False)
        _, model, _ = login(cls, github_model("yarik", [("brain-bican", "kbhub-users")]))
        self.assertIs(model["admin"], True)

    def test_without_admin_teams_admin_is_left_to_the_hub(self):
        s = settings()
        s["adminTeams"] = []
        cls = make("github", s=s)
        _, model, _ = login(cls, github_model("alice"))
        self.assertNotIn("admin", model)

    def test_a_refresh_keeps_the_pinned_account(self):
        cls = make("github")
        m = github_model("alice")
        m["auth_state"]["dandihub"] = {"githubId": 42}
        _, model, _ = login(cls, m)
        self.assertEqual(model["auth_state"]["dandihub"]["githubId"], 42)

    def test_configured_admin_in_no_group_gets_in(self):
        cls = make("github", admin_users=["yarik"])
        self.assertTrue(login(cls, github_model("yarik"))[2])

    def test_groups_replace_whatever_the_base_class_derived(self):
        cls = make("github")
        _, model, _ = login(cls, github_model("alice"))
        self.assertEqual(model["groups"], ["bican"])


class DandiOAuth(unittest.TestCase):
    def model(self, status):
        return {"name": "carol", "auth_state": {"oauth_user": {"username": "carol", "status": status}}}

    def test_approved_archive_user_joins_its_groups(self):
        cls = make("dandiOAuth", results=[A.Result("ember", A.NOT_APPROVED)], s=settings(oauthArchive="dandi"))
        auth, model, allowed = login(cls, self.model("APPROVED"))
        self.assertTrue(allowed)
        self.assertEqual(model["groups"], ["dandi"])

    def test_other_archives_are_asked_but_not_the_login_archive(self):
        checker_calls = []

        class Spy(FakeChecker):
            async def check_all(self, login, skip=()):
                checker_calls.append(tuple(skip))
                return [A.Result("ember", A.APPROVED)]

        cls = make_authenticator(StandInOAuthenticator, settings(oauthArchive="dandi"), "dandiOAuth", Spy([]), HTTPError)
        cls.init = {}
        _, model, _ = login(cls, self.model("APPROVED"))
        self.assertEqual(checker_calls, [("dandi",)])
        self.assertEqual(model["groups"], ["dandi", "ember"])

    def test_pending_user_is_refused_with_status_page_even_if_another_archive_approves(self):
        cls = make("dandiOAuth", results=[A.Result("ember", A.APPROVED)], s=settings(oauthArchive="dandi"))
        with self.assertRaises(HTTPError) as e:
            login(cls, self.model("PENDING"))
        self.assertEqual(e.exception.status, 403)
        self.assertIn("waiting for approval", e.exception.html)


class Dummy(unittest.TestCase):
    def test_development_login_lets_names_in_with_their_groups(self):
        cls = make_authenticator(StandInOAuthenticator, settings(), "dummy", None, HTTPError)
        cls.init = {}
        _, model, allowed = login(cls, {"name": "alice", "auth_state": None})
        self.assertTrue(allowed)
        self.assertEqual(model["groups"], ["bican"])
        _, model, allowed = login(cls, {"name": "stranger", "auth_state": None})
        self.assertTrue(allowed)
        self.assertEqual(model["groups"], [])


if __name__ == "__main__":
    unittest.main()

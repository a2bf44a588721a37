"""A renamed GitHub login cannot inherit a hub user: the numeric id seen at first login is kept."""
import unittest

from dandihub_hub import archives as A
from dandihub_hub.auth import make_authenticator
from dandihub_hub.identity import check_identity, pinned_id

from .fixtures import HTTPError, Log, run, settings


class StandInHub:
    """Authenticator.get_authenticated_user as JupyterHub 5 runs it: authenticate, normalize, check_allowed."""

    user_auth_state_key = "github_user"
    github_api = "https://api.github.test"
    validate_server_cert = True

    def __init__(self, github_user, teams=()):
        self.github_user = github_user
        self.teams = teams
        self.admin_users = set()
        self.log = Log()

    async def authenticate(self, handler, data):
        # GitHubOAuthenticator's auth model: the /user response under github_user, teams beside.
        model = {
            "name": self.github_user["login"],
            "auth_state": {
                "token_response": {"access_token": "gho_x", "token_type": "bearer"},
                "github_user": dict(self.github_user),
                "teams": [{"slug": t, "organization": {"login": o}} for o, t in self.teams],
            },
        }
        return await self.update_auth_model(model)

    async def update_auth_model(self, auth_model):
        return auth_model

    def normalize_username(self, name):
        return name.lower()

    async def get_authenticated_user(self, handler, data):
        authenticated = await self.authenticate(handler, data)
        if authenticated is None:
            return None
        authenticated["name"] = self.normalize_username(authenticated["name"])
        if not await self.check_allowed(authenticated["name"], authenticated):
            return None
        return authenticated


class StoredUser:
    def __init__(self, auth_state):
        self.auth_state = auth_state

    async def get_auth_state(self):
        return self.auth_state


class Handler:
    """BaseHandler.find_user: the hub's user of that name, or None."""

    def __init__(self, users):
        self.users = users

    def find_user(self, name):
        return self.users.get(name)


def log_in(login, account_id, stored=None):
    cls = make_authenticator(StandInHub, settings(), "github", None, HTTPError)
    auth = cls({"login": login, "id": account_id}, teams=[("brain-bican", "kbhub-users")])
    users = {} if stored is None else {login.lower(): StoredUser(stored)}
    return run(auth.get_authenticated_user(Handler(users), {}))


class Identity(unittest.TestCase):
    def test_first_login_pins_the_account_id(self):
        model = log_in("Bob", 1001)
        self.assertEqual(model["auth_state"]["dandihub"]["githubId"], 1001)

    def test_same_account_again_gets_in(self):
        model = log_in("bob", 1001, stored={"dandihub": {"githubId": 1001}, "github_user": {"id": 1001}})
        self.assertEqual(model["name"], "bob")

    def test_another_account_under_a_known_name_is_refused_with_a_page(self):
        with self.assertRaises(HTTPError) as e:
            log_in("bob", 2002, stored={"dandihub": {"githubId": 1001}})
        self.assertEqual(e.exception.status, 403)
        self.assertIn("belongs to a different GitHub account", e.exception.html)
        self.assertIn("help@example.org", e.exception.html)

    def test_a_user_from_before_pinning_is_held_to_the_id_oauthenticator_stored(self):
        with self.assertRaises(HTTPError):
            log_in("bob", 2002, stored={"github_user": {"id": 1001, "login": "bob"}})
        model = log_in("bob", 1001, stored={"github_user": {"id": 1001}})
        self.assertEqual(model["auth_state"]["dandihub"]["githubId"], 1001)

    def test_a_hub_user_with_no_auth_state_yet_is_pinned_now(self):
        # Created by an admin (or from auth.admins) before anyone logged in as them.
        model = log_in("bob", 3003, stored=None)
        self.assertEqual(model["auth_state"]["dandihub"]["githubId"], 3003)
        model = log_in("bob", 3003, stored={})
        self.assertEqual(model["auth_state"]["dandihub"]["githubId"], 3003)

    def test_ids_compare_as_values(self):
        self.assertIsNone(check_identity({}, "x", {"dandihub": {"githubId": "7"}}, {"github_user": {"id": 7}})[0])
        self.assertEqual(pinned_id(None), None)


if __name__ == "__main__":
    unittest.main()

import types
import unittest

from dandihub_hub.hub_config import configure

from .fixtures import Spawner, StandInBase, User, settings, spawn


class Namespace:
    def __getattr__(self, name):
        value = Namespace()
        setattr(self, name, value)
        return value


def fake_modules(extra=None):
    class HTTPError(Exception):
        def __init__(self, status, log_message=None, *args):
            super().__init__(log_message)
            self.status_code = status

    modules = {
        "tornado.web": types.SimpleNamespace(HTTPError=HTTPError),
        "oauthenticator.github": types.SimpleNamespace(GitHubOAuthenticator=type("GitHubOAuthenticator", (StandInBase,), {})),
        "oauthenticator.generic": types.SimpleNamespace(GenericOAuthenticator=type("GenericOAuthenticator", (StandInBase,), {})),
        "jupyterhub.auth": types.SimpleNamespace(DummyAuthenticator=type("DummyAuthenticator", (StandInBase,), {})),
        "kubespawner": types.SimpleNamespace(KubeSpawner=Spawner),
    }
    modules.update(extra or {})
    return modules.__getitem__


class Configure(unittest.TestCase):
    def test_sets_authenticator_profile_list_and_hook(self):
        c = Namespace()
        configure(c, settings=settings(), environ={"T_DANDI": "secret-d"}, import_module=fake_modules())
        cls = c.JupyterHub.authenticator_class
        self.assertEqual(cls.__name__, "DandiHubGitHubOAuthenticator")
        self.assertTrue(callable(c.KubeSpawner.profile_list))
        self.assertTrue(callable(c.KubeSpawner.pre_spawn_hook))
        self.assertEqual(c.OAuthenticator.auth_state_groups_key({"dandihub": {"groups": ["dandi"]}}), ["dandi"])

    def test_the_spawner_class_places_servers_after_the_profile(self):
        c = Namespace()
        configure(c, settings=settings(), environ={}, import_module=fake_modules())
        cls = c.JupyterHub.spawner_class
        self.assertEqual(cls.__name__, "DandiHubSpawner")
        self.assertTrue(issubclass(cls, Spawner))
        # Config set on c.KubeSpawner (z2jh's, ours) applies to the subclass: traitlets reads
        # config for every class in the MRO. The stand-in takes it as constructor arguments.
        spawner = cls(User("bob", ["dandi"]), {"profile": "gpu"}, profile_list=c.KubeSpawner.profile_list, pre_spawn_hook=c.KubeSpawner.pre_spawn_hook)
        spawn(spawner)
        self.assertIn({"key": "dandihub.org/group", "operator": "Equal", "value": "dandi", "effect": "NoSchedule"}, spawner.pod["tolerations"])

    def test_archive_tokens_come_from_the_environment_and_a_missing_one_is_not_sent_empty(self):
        c = Namespace()
        configure(c, settings=settings(), environ={"T_DANDI": "secret-d", "T_EMBER": ""}, import_module=fake_modules())
        checker = c.JupyterHub.authenticator_class.dandihub_checker
        self.assertEqual(checker.tokens, {"dandi": "secret-d"})

    def test_each_mode_picks_its_base_class(self):
        for mode, base in [("dandiOAuth", "GenericOAuthenticator"), ("cognito", "GenericOAuthenticator"), ("dummy", "DummyAuthenticator")]:
            c = Namespace()
            configure(c, settings=settings(authenticator=mode, archives=[]), environ={}, import_module=fake_modules())
            self.assertEqual(c.JupyterHub.authenticator_class.__mro__[1].__name__, base)

    def test_fancy_profiles_page_only_with_image_building(self):
        calls = []
        fancy = {"jupyterhub_fancy_profiles": types.SimpleNamespace(setup_ui=calls.append)}
        c = Namespace()
        configure(c, settings=settings(fancyProfiles=True), environ={}, import_module=fake_modules(fancy))
        self.assertEqual(calls, [c])
        configure(Namespace(), settings=settings(fancyProfiles=False), environ={}, import_module=fake_modules(fancy))
        self.assertEqual(len(calls), 1)

    def test_http_error_carries_the_page(self):
        c = Namespace()
        configure(c, settings=settings(), environ={}, import_module=fake_modules())
        with self.assertRaises(Exception) as e:
            c.KubeSpawner.profile_list(Spawner(User("nobody", [])))
        self.assertEqual(e.exception.status_code, 403)
        self.assertIn("not in any group", e.exception.jupyterhub_message)


if __name__ == "__main__":
    unittest.main()

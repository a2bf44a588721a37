"""Wires dandihub into JupyterHub's configuration. Called from the chart's extraConfig::

    from dandihub_hub.hub_config import configure
    configure(c)

This is the only module that imports JupyterHub, KubeSpawner, OAuthenticator and Tornado; the
rest is plain Python with unit tests.
"""
import importlib
import logging
import os

from .archives import ArchiveChecker
from .auth import make_authenticator
from .membership import groups_from_auth_state
from .settings import load_settings
from .spawn import make_post_stop_hook, make_pre_spawn_hook, make_profile_list, make_spawner_class

BASES = {
    "github": ("oauthenticator.github", "GitHubOAuthenticator"),
    "dandiOAuth": ("oauthenticator.generic", "GenericOAuthenticator"),
    "cognito": ("oauthenticator.generic", "GenericOAuthenticator"),
    "dummy": ("jupyterhub.auth", "DummyAuthenticator"),
}


def make_http_error(import_module=importlib.import_module):
    web = import_module("tornado.web")

    class DandiHubHTTPError(web.HTTPError):
        """An HTTP error whose page shows our message (JupyterHub renders jupyterhub_html_message)."""

        def __init__(self, status, message, html=""):
            super().__init__(status, "%s", message)
            self.jupyterhub_message = message
            if html:
                self.jupyterhub_html_message = html

    return DandiHubHTTPError


def configure(c, settings=None, environ=None, import_module=importlib.import_module):
    """Sets the authenticator and spawner classes, the profile list, the hooks and (with image
    building) the fancy-profiles spawn page on ``c``. z2jh's own configuration has run before
    (it set ``c.KubeSpawner.*``; the subclass inherits that configuration)."""
    settings = settings if settings is not None else load_settings()
    environ = environ if environ is not None else os.environ
    http_error = make_http_error(import_module)

    mode = settings["authenticator"]
    module_name, class_name = BASES[mode]
    base = getattr(import_module(module_name), class_name)
    # An archive without its token is reported as that archive's error at login, never sent as "".
    tokens = {a["name"]: environ[a["tokenEnv"]] for a in settings.get("archives", []) if environ.get(a["tokenEnv"])}
    log = logging.getLogger("JupyterHub")
    checker = ArchiveChecker(settings.get("archives", []), tokens, log=log) if settings.get("archives") else None
    c.JupyterHub.authenticator_class = make_authenticator(base, settings, mode, checker, http_error)
    if mode != "dummy":
        c.OAuthenticator.auth_state_groups_key = groups_from_auth_state
    kubespawner = import_module("kubespawner")
    c.JupyterHub.spawner_class = make_spawner_class(kubespawner.KubeSpawner, settings, http_error)
    c.KubeSpawner.profile_list = make_profile_list(settings, http_error)
    c.KubeSpawner.pre_spawn_hook = make_pre_spawn_hook(settings, http_error)
    c.KubeSpawner.post_stop_hook = make_post_stop_hook(settings)
    if settings.get("fancyProfiles"):
        # The spawn page with the build-an-image UI; the hub image must ship the package.
        import_module("jupyterhub_fancy_profiles").setup_ui(c)

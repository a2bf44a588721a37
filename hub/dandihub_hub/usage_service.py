"""The usage page as a JupyterHub service (``/services/dandihub-usage/``), run by the hub in its
own pod (a hub-managed service, like z2jh's idle culler) and reached through the proxy.

Users sign in through the hub (OAuth). The page reads the user's groups and the groups' properties
with the service's own token, spend from Prometheus (budgets.py), and writes an extension to the
group's properties, where the spawn check reads it. Only this module imports Tornado and
JupyterHub; usage.py has the logic.
"""
import asyncio
import datetime
import importlib
import json
import logging
import os
import urllib.parse
import urllib.request

from .budgets import kubecost_fetch, prometheus_fetch
from .events import log_event
from .settings import load_settings
from .usage import ExtensionRefused, grant, render, report


class HubApi:
    """The few hub API calls the page makes, with the service's token (blocking; run off the loop)."""

    def __init__(self, url, token, timeout=10):
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout

    def _call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method, headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=self.timeout) as r:
            return json.loads(r.read() or b"null")

    def user_groups(self, name):
        return self._call("GET", f"/users/{urllib.parse.quote(name)}").get("groups") or []

    def group_properties(self, group):
        return self._call("GET", f"/groups/{urllib.parse.quote(group)}").get("properties") or {}

    def set_group_properties(self, group, properties):
        return self._call("PUT", f"/groups/{urllib.parse.quote(group)}/properties", properties)


def make_app(settings, environ, import_module=importlib.import_module, hub=None, fetch=None, clock=None, kubecost=None):
    web = import_module("tornado.web")
    auth = import_module("jupyterhub.services.auth")
    prefix = environ["JUPYTERHUB_SERVICE_PREFIX"]
    hub = hub or HubApi(environ["JUPYTERHUB_API_URL"], environ["JUPYTERHUB_API_TOKEN"])
    fetch = fetch or prometheus_fetch(settings["budgets"]["prometheusUrl"])
    clock = clock or (lambda: datetime.datetime.now(datetime.timezone.utc))
    kubecost_settings = (settings.get("budgets") or {}).get("kubecost")
    kubecost = kubecost or (kubecost_fetch(kubecost_settings["url"]) if kubecost_settings else None)
    log = logging.getLogger("dandihub-usage")
    budgeted = set((settings.get("budgets") or {}).get("groups") or {}) | set((settings.get("budgets") or {}).get("quotas") or {})

    async def off_loop(fn, *args):
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    class UsagePage(auth.HubOAuthenticated, web.RequestHandler):
        async def _page(self, user, message=None, status=200):
            groups = await off_loop(hub.user_groups, user["name"])
            properties = {g: await off_loop(hub.group_properties, g) for g in groups if g in budgeted}
            rows = await off_loop(report, settings, user, groups, clock(), fetch, properties, kubecost)
            self.set_status(status)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.write(render(rows, user, self.xsrf_token.decode() if isinstance(self.xsrf_token, bytes) else self.xsrf_token, settings.get("contact", ""), message))

        @web.authenticated
        async def get(self):
            await self._page(self.get_current_user())

        @web.authenticated
        async def post(self):
            user = self.get_current_user()
            group = self.get_body_argument("group", "")
            form = {k: self.get_body_argument(k, "") for k in ("usd", "days", "reason")}
            groups = await off_loop(hub.user_groups, user["name"])
            if group not in groups and not user.get("admin"):
                return await self._page(user, ("over", f"You are not a member of {group}."), 403)
            current = await off_loop(hub.group_properties, group)
            try:
                new = grant(settings, group, user, form, clock(), current)
            except ExtensionRefused as e:
                return await self._page(user, ("over", str(e)), 400)
            await off_loop(hub.set_group_properties, group, new)
            ext = new["dandihub-budget-extension"]
            log_event(log, "budget-extension", group=group, usd=ext["usd"], until=ext["until"], by=ext["by"], reason=ext["reason"])
            await self._page(user, ("", f"{group}'s budget is extended by ${ext['usd']:,.2f} until {ext['until']}."))

    callback = auth.HubOAuthCallbackHandler
    # No xsrf_cookies: HubOAuth checks the form's _xsrf itself when it reads the user from the
    # cookie of a POST (and patches the handler's xsrf_token); Tornado's own check would run
    # first, unpatched, on the first POST after a restart, and refuse it.
    return web.Application(
        [(prefix, UsagePage), (prefix.rstrip("/") + "/oauth_callback", callback)],
        cookie_secret=os.urandom(32),
    )


def main(environ=os.environ):
    logging.basicConfig(level=logging.INFO)
    ioloop = importlib.import_module("tornado.ioloop")
    app = make_app(load_settings(), environ)
    port = urllib.parse.urlparse(environ["JUPYTERHUB_SERVICE_URL"]).port
    # The URL names the hub's Service (what the proxy routes to); the process listens on the pod.
    app.listen(port, address="0.0.0.0")
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()

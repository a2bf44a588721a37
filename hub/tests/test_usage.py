import asyncio
import datetime
import types
import unittest

from dandihub_hub.budgets import check
from dandihub_hub.usage import EXTEND_SCOPE, HISTORY, ExtensionRefused, grant, may_extend, render, report
from dandihub_hub.usage_service import make_app

from .test_budgets import NOW, source, vector

SETTINGS = {
    "contact": "help@example.org",
    "groupOrder": ["dandi", "linc", "bican"],
    "groups": {"dandi": {"displayName": "DANDI"}, "linc": {"displayName": "LINC"}, "bican": {"displayName": "BICAN"}},
    "budgets": {
        "prometheusUrl": "http://monitoring-prometheus.monitoring.svc:9090",
        "failMode": "open",
        "spotDiscount": 0.6,
        "prices": {"m6i.4xlarge": 0.768},
        "groups": {"dandi": {"monthlyUsd": 1000, "warnAt": [0.8, 0.9], "extension": {"maxUsd": 250, "maxDays": 14}}},
        "quotas": {"linc": {"cpuHours": 200, "windowHours": 720, "overrides": {}}},
        "namespace": "jupyterhub",
        "userLabel": "label_hub_jupyter_org_username",
    },
}
MEMBER = {"name": "bob", "admin": False, "scopes": ["access:services!service=dandihub-usage"]}
GROUP_ADMIN = {"name": "satra", "admin": False, "scopes": ["access:services!service=dandihub-usage", f"{EXTEND_SCOPE}!group=dandi"]}
HUB_ADMIN = {"name": "root", "admin": True, "scopes": []}


def prometheus(spend_samples=2400, running=1, cpu_hours=50):
    """Prometheus answering the spend, running-nodes and quota queries (as on the wire)."""
    budget = source(vector(("m6i.4xlarge", "spot", spend_samples)), vector(("m6i.4xlarge", "spot", running)))

    def fetch(query):
        if "kube_pod_container_resource_requests" in query:
            return {"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [1765463400.0, str(cpu_hours)]}]}}
        return budget(query)

    return fetch


def down(query):
    raise OSError("connection refused")


class Rows(unittest.TestCase):
    def test_a_row_per_group_with_a_budget_or_quota_in_file_order(self):
        rows = report(SETTINGS, MEMBER, ["linc", "bican", "dandi"], NOW, prometheus())
        self.assertEqual([r["group"] for r in rows], ["dandi", "linc"])
        dandi, linc = rows
        # 200 spot node-hours at 0.768 x 0.4 = $61.44; one node running: $0.31 an hour.
        self.assertAlmostEqual(dandi["budget"]["spent"], 61.44, places=2)
        self.assertEqual(dandi["budget"]["limit"], 1000)
        self.assertEqual(dandi["budget"]["resets"], "2027-01-01")
        self.assertIsNone(dandi["extend"])
        self.assertIsNone(dandi["quota"])
        self.assertEqual(linc["quota"], {"used": 50.0, "limit": 200, "windowDays": 30, "allowed": True, "unknown": False})

    def test_the_page_and_the_spawn_check_count_an_extension_alike(self):
        props = {"dandi": {"dandihub-budget-extension": {"usd": 500, "until": "2026-12-20T00:00:00Z", "by": "satra", "reason": "deadline"}}}
        row = report(SETTINGS, MEMBER, ["dandi"], NOW, prometheus(), props)[0]
        self.assertEqual(row["budget"]["limit"], check(SETTINGS, "dandi", NOW, prometheus(), props["dandi"]).budget)
        self.assertEqual(row["budget"]["limit"], 1500)
        self.assertEqual(row["budget"]["extension"]["by"], "satra")

    def test_unreadable_spend_is_said_not_guessed(self):
        page = render(report(SETTINGS, MEMBER, ["dandi", "linc"], NOW, down), MEMBER, "x")
        self.assertEqual(page.count("cannot be read right now"), 2)


def kubecost_answer(**costs):
    """Kubecost's /model/allocation answer, accumulated (one set), as on the wire: one allocation
    per label value, pods without the label under __unallocated__."""
    def allocation(name, total):
        return {
            "name": name,
            "properties": {"cluster": "cluster-one", "labels": {"dandihub_org_group": name}},
            "window": {"start": "2026-12-01T00:00:00Z", "end": "2026-12-11T14:00:00Z"},
            "start": "2026-12-01T00:00:00Z",
            "end": "2026-12-11T14:00:00Z",
            "cpuCost": total * 0.6,
            "ramCost": total * 0.3,
            "pvCost": total * 0.1,
            "totalCost": total,
            "totalEfficiency": 0.41,
        }
    return {"code": 200, "data": [{name: allocation(name, total) for name, total in {**costs, "__unallocated__": 40.5}.items()}]}


KUBECOST = {**SETTINGS, "budgets": {**SETTINGS["budgets"], "kubecost": {"url": "http://kubecost-cost-analyzer.monitoring.svc:9090", "label": "dandihub_org_group"}}}


class KubecostBeside(unittest.TestCase):
    def test_kubecosts_figure_is_shown_beside_the_estimate_and_asked_once(self):
        asked = []

        def kubecost(path):
            asked.append(path)
            return kubecost_answer(dandi=87.25, linc=3.0)

        row = report(KUBECOST, MEMBER, ["dandi", "linc"], NOW, prometheus(), None, kubecost)[0]
        self.assertEqual(asked, ["/model/allocation?window=month&aggregate=label%3Adandihub_org_group&accumulate=true"])
        self.assertEqual(row["budget"]["kubecost"], 87.25)
        self.assertIn("$87.25 this month", render([row], MEMBER, "x"))
        # The estimate still decides: Kubecost's figure is shown, not enforced.
        self.assertAlmostEqual(row["budget"]["spent"], 61.44, places=2)

    def test_a_group_kubecost_never_saw_spent_nothing_there(self):
        row = report(KUBECOST, MEMBER, ["dandi"], NOW, prometheus(), None, lambda p: kubecost_answer(linc=3.0))[0]
        self.assertEqual(row["budget"]["kubecost"], 0.0)

    def test_kubecost_down_or_odd_is_said_and_the_page_still_works(self):
        for kubecost in (down, lambda p: {"code": 500, "message": "boom"}, lambda p: "not json"):
            row = report(KUBECOST, MEMBER, ["dandi"], NOW, prometheus(), None, kubecost)[0]
            self.assertEqual(row["budget"]["kubecost"], "unknown")
            self.assertIn("<th>Kubecost</th><td>cannot be read right now", render([row], MEMBER, "x"))

    def test_without_kubecost_no_row(self):
        row = report(SETTINGS, MEMBER, ["dandi"], NOW, prometheus(), None, lambda p: kubecost_answer(dandi=1))[0]
        self.assertIsNone(row["budget"]["kubecost"])
        self.assertNotIn("Kubecost</th>", render([row], MEMBER, "x"))


class Who(unittest.TestCase):
    def test_group_admins_of_that_group_and_hub_admins(self):
        self.assertEqual(may_extend(GROUP_ADMIN, "dandi"), "group-admin")
        self.assertIsNone(may_extend(GROUP_ADMIN, "linc"))
        self.assertIsNone(may_extend(MEMBER, "dandi"))
        self.assertEqual(may_extend(HUB_ADMIN, "linc"), "admin")


class Grants(unittest.TestCase):
    def test_a_group_admin_extends_within_the_caps_and_it_is_recorded(self):
        old = {"other": 1, HISTORY: [{"usd": 10, "until": "2026-11-02T00:00:00Z", "by": "x", "at": "2026-11-01T00:00:00Z", "reason": "r"}]}
        new = grant(SETTINGS, "dandi", GROUP_ADMIN, {"usd": "200", "days": "7", "reason": " paper   deadline "}, NOW, old)
        record = {"usd": 200.0, "until": "2026-12-18T14:30:00Z", "by": "satra", "at": "2026-12-11T14:30:00Z", "reason": "paper deadline"}
        self.assertEqual(new["dandihub-budget-extension"], record)
        self.assertEqual(new[HISTORY][0], record)
        self.assertEqual(len(new[HISTORY]), 2)
        self.assertEqual(new["other"], 1)  # the group's other properties stay
        self.assertEqual(check(SETTINGS, "dandi", NOW, prometheus(), new).budget, 1200)
        # It expires by itself.
        later = NOW + datetime.timedelta(days=8)
        self.assertEqual(check(SETTINGS, "dandi", later, prometheus(), new).budget, 1000)

    def test_refusals(self):
        cases = [
            (GROUP_ADMIN, "dandi", {"usd": "300", "days": "7", "reason": "r"}, "up to $250.00"),
            (GROUP_ADMIN, "dandi", {"usd": "100", "days": "15", "reason": "r"}, "1 to 14 days"),
            (GROUP_ADMIN, "dandi", {"usd": "-5", "days": "7", "reason": "r"}, "more than $0"),
            (GROUP_ADMIN, "dandi", {"usd": "nan", "days": "7", "reason": "r"}, "more than $0"),
            (HUB_ADMIN, "dandi", {"usd": "inf", "days": "7", "reason": "r"}, "more than $0"),
            (GROUP_ADMIN, "dandi", {"usd": "ten", "days": "7", "reason": "r"}, "a number of dollars"),
            (GROUP_ADMIN, "dandi", {"usd": "10", "days": "7", "reason": "  "}, "Say why"),
            (MEMBER, "dandi", {"usd": "10", "days": "7", "reason": "r"}, "Only the admins of dandi"),
            (HUB_ADMIN, "linc", {"usd": "10", "days": "7", "reason": "r"}, "no enforced budget"),
        ]
        for user, group, form, expected in cases:
            with self.subTest(form=form, user=user["name"]), self.assertRaises(ExtensionRefused) as e:
                grant(SETTINGS, group, user, form, NOW, {})
            self.assertIn(expected, str(e.exception))

    def test_hub_admins_are_not_capped(self):
        new = grant(SETTINGS, "dandi", HUB_ADMIN, {"usd": "5000", "days": "60", "reason": "grant renewal"}, NOW, {})
        self.assertEqual(new["dandihub-budget-extension"]["usd"], 5000)


class Page(unittest.TestCase):
    def test_only_who_may_extend_sees_the_form_and_text_is_escaped(self):
        props = {"dandi": {"dandihub-budget-extension": {"usd": 5, "until": "2026-12-20T00:00:00Z", "by": "<b>", "reason": "<script>x</script>"}}}
        member = render(report(SETTINGS, MEMBER, ["dandi"], NOW, prometheus(), props), MEMBER, "tok")
        admin = render(report(SETTINGS, GROUP_ADMIN, ["dandi"], NOW, prometheus(), props), GROUP_ADMIN, "tok")
        self.assertNotIn("<form", member)
        self.assertIn("<form method='post'>", admin)
        self.assertIn("name='_xsrf' value='tok'", admin)
        self.assertNotIn("<script>", admin)
        self.assertIn("&lt;script&gt;", admin)

    def test_over_budget_says_so_and_whom_to_ask(self):
        # 40,000 samples: 3,333 node-hours x $0.31 = $1,024: over.
        page = render(report(SETTINGS, MEMBER, ["dandi"], NOW, prometheus(spend_samples=40000)), MEMBER, "x", "help@example.org")
        self.assertIn("New servers of this group are refused", page)
        self.assertIn("help@example.org", page)


# Stand-ins for the two modules the service imports, behaving as Tornado's RequestHandler and
# JupyterHub's HubOAuthenticated do for this page: the user model comes from the OAuth cookie
# (None: not signed in, and @authenticated redirects to the hub's login).
class RequestHandler:
    def __init__(self, user, body=None):
        self._user, self._body, self.status, self.headers, self.out = user, body or {}, 200, {}, []
        self.xsrf_token = b"2|xsrf"

    def set_status(self, status):
        self.status = status

    def set_header(self, k, v):
        self.headers[k] = v

    def write(self, text):
        self.out.append(text)

    def get_body_argument(self, name, default=None):
        return self._body.get(name, default)


def authenticated(method):
    async def wrapper(self, *args):
        if self.get_current_user() is None:
            self.set_status(302)
            return None
        return await method(self, *args)

    return wrapper


class HubOAuthenticated:
    def get_current_user(self):
        return self._user


class Application:
    def __init__(self, handlers, **settings):
        self.handlers, self.settings = handlers, settings


MODULES = {
    "tornado.web": types.SimpleNamespace(RequestHandler=RequestHandler, authenticated=authenticated, Application=Application),
    "jupyterhub.services.auth": types.SimpleNamespace(HubOAuthenticated=HubOAuthenticated, HubOAuthCallbackHandler=object),
}
ENV = {"JUPYTERHUB_SERVICE_PREFIX": "/services/dandihub-usage/", "JUPYTERHUB_API_URL": "http://hub:8081/hub/api", "JUPYTERHUB_API_TOKEN": "t"}


class FakeHub:
    def __init__(self, groups, properties=None):
        self.groups, self.properties, self.written = groups, properties or {}, []

    def user_groups(self, name):
        return self.groups.get(name, [])

    def group_properties(self, group):
        return dict(self.properties.get(group, {}))

    def set_group_properties(self, group, properties):
        self.written.append((group, properties))
        self.properties[group] = properties


class Service(unittest.TestCase):
    def setUp(self):
        self.hub = FakeHub({"bob": ["dandi"], "satra": ["dandi", "linc"]})
        self.app = make_app(SETTINGS, ENV, MODULES.__getitem__, hub=self.hub, fetch=prometheus(), clock=lambda: NOW)
        self.page = dict(self.app.handlers)["/services/dandihub-usage/"]

    def call(self, method, user, body=None):
        handler = self.page(user, body)
        asyncio.run(getattr(handler, method)())
        return handler.status, "".join(handler.out)

    def test_routes_the_page_and_the_oauth_callback_and_leaves_xsrf_to_hub_oauth(self):
        self.assertEqual([p for p, _ in self.app.handlers], ["/services/dandihub-usage/", "/services/dandihub-usage/oauth_callback"])
        # HubOAuth checks a POST's _xsrf while it reads the user (JupyterHub >= 4.1); the form carries the token.
        self.assertNotIn("xsrf_cookies", self.app.settings)
        self.assertIn("name='_xsrf' value='2|xsrf'", self.call("get", GROUP_ADMIN)[1])

    def test_not_signed_in_goes_to_the_login(self):
        self.assertEqual(self.call("get", None)[0], 302)

    def test_a_member_sees_the_groups_spend(self):
        status, page = self.call("get", MEMBER)
        self.assertEqual(status, 200)
        self.assertIn("$61.44 of $1,000.00", page)

    def test_a_group_admin_extends_and_the_group_records_it(self):
        status, page = self.call("post", GROUP_ADMIN, {"group": "dandi", "usd": "100", "days": "3", "reason": "workshop"})
        self.assertEqual(status, 200)
        self.assertIn("extended by $100.00 until 2026-12-14T14:30:00Z", page)
        [(group, props)] = self.hub.written
        self.assertEqual((group, props["dandihub-budget-extension"]["by"]), ("dandi", "satra"))
        self.assertIn("of $1,100.00", page)  # the page reads it back as the spawn check will

    def test_refused_grants_write_nothing(self):
        self.assertEqual(self.call("post", MEMBER, {"group": "dandi", "usd": "100", "days": "3", "reason": "r"})[0], 400)
        self.assertEqual(self.call("post", MEMBER, {"group": "linc", "usd": "100", "days": "3", "reason": "r"})[0], 403)
        self.assertEqual(self.hub.written, [])


if __name__ == "__main__":
    unittest.main()

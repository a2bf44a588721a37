import asyncio
import datetime
import unittest

from dandihub_hub.budgets import CAPACITY, GROUP, TYPE, check, next_month, running_query, spend_query

NOW = datetime.datetime(2026, 12, 11, 14, 30, tzinfo=datetime.timezone.utc)
SETTINGS = {
    "contact": "help@example.org",
    "budgets": {
        "prometheusUrl": "http://monitoring-prometheus.monitoring.svc:9090",
        "failMode": "open",
        "spotDiscount": 0.6,
        "prices": {"m6i.4xlarge": 0.768, "g4dn.2xlarge": 0.752},
        "groups": {"dandi": {"monthlyUsd": 1000, "warnAt": [0.8, 0.9]}},
    },
}


def vector(*rows):
    """An instant-vector answer of Prometheus' /api/v1/query, as it is on the wire."""
    return {
        "status": "success",
        "data": {
            "resultType": "vector",
            "result": [{"metric": {TYPE: t, CAPACITY: c}, "value": [1765463400.0, str(v)]} for t, c, v in rows],
        },
    }


def source(samples, running):
    """Prometheus answering the spend and the running-nodes queries."""
    asked = []

    def fetch(query):
        asked.append(query)
        return samples if query.startswith("sum by") else running

    fetch.asked = asked
    return fetch


class Queries(unittest.TestCase):
    def test_the_groups_nodes_since_the_month_began(self):
        self.assertEqual(
            spend_query("dandi", 255),
            f'sum by ({TYPE}, {CAPACITY}) (count_over_time(kube_node_labels{{{GROUP}="dandi"}}[255h:5m]))',
        )
        self.assertEqual(running_query("dandi"), f'count by ({TYPE}, {CAPACITY}) (kube_node_labels{{{GROUP}="dandi"}})')

    def test_month_boundaries(self):
        self.assertEqual(next_month(NOW).date(), datetime.date(2027, 1, 1))


class Verdicts(unittest.TestCase):
    def test_under_budget(self):
        # 2400 samples of a spot m6i.4xlarge: 200 node-hours x 0.768 x 0.4 = $61.44; one running: $0.31/h.
        fetch = source(vector(("m6i.4xlarge", "spot", 2400)), vector(("m6i.4xlarge", "spot", 1)))
        v = check(SETTINGS, "dandi", NOW, fetch)
        self.assertTrue(v.allowed)
        self.assertIsNone(v.level)
        self.assertAlmostEqual(v.spent, 61.44, places=2)
        self.assertAlmostEqual(v.committed, 0.3072, places=4)
        self.assertIn("[255h:5m]", fetch.asked[0])  # 10 days 14 h 30 into the month, rounded up

    def test_warns_past_80_and_90_percent(self):
        # on-demand m6i.4xlarge: samples x 5/60 x 0.768
        at = lambda usd: vector(("m6i.4xlarge", "on-demand", usd / 0.768 * 12))
        self.assertEqual(check(SETTINGS, "dandi", NOW, source(at(850), vector())).level, "80%")
        self.assertEqual(check(SETTINGS, "dandi", NOW, source(at(920), vector())).level, "90%")

    def test_refused_at_the_budget_with_spent_budget_reset_and_who_to_ask(self):
        v = check(SETTINGS, "dandi", NOW, source(vector(("g4dn.2xlarge", "on-demand", 999.5 / 0.752 * 12)), vector(("g4dn.2xlarge", "on-demand", 1))))
        self.assertFalse(v.allowed)
        self.assertEqual(v.level, "over")
        for part in ["$999.50 spent this month", "$0.75 an hour running", "$1,000.00 budget", "2027-01-01", "help@example.org", "Running servers keep running"]:
            self.assertIn(part, v.message)

    def test_unpriced_types_are_named_not_guessed(self):
        v = check(SETTINGS, "dandi", NOW, source(vector(("x9.huge", "spot", 100)), vector()))
        self.assertTrue(v.allowed)
        self.assertIn("no price for x9.huge", v.message)

    def test_groups_without_a_budget_are_not_checked(self):
        self.assertIsNone(check(SETTINGS, "linc", NOW, source(vector(), vector())))
        self.assertIsNone(check({}, "dandi", NOW, source(vector(), vector())))

    def test_an_unreadable_source_fails_open_or_closed_as_configured(self):
        def down(query):
            raise OSError("connection refused")

        self.assertTrue(check(SETTINGS, "dandi", NOW, down).allowed)
        closed = {**SETTINGS, "budgets": {**SETTINGS["budgets"], "failMode": "closed"}}
        v = check(closed, "dandi", NOW, down)
        self.assertFalse(v.allowed)
        self.assertIn("cannot be read", v.message)
        error = {"status": "error", "errorType": "bad_data", "error": "parse error"}
        self.assertFalse(check(closed, "dandi", NOW, lambda q: error).allowed)


if __name__ == "__main__":
    unittest.main()


class AtSpawn(unittest.TestCase):
    """The pre-spawn hook, as JupyterHub 5.5 runs it (awaited), over the KubeSpawner stand-in."""

    def spawner(self, fetch, groups=("dandi",)):
        from dandihub_hub.spawn import make_post_stop_hook, make_pre_spawn_hook, make_profile_list, make_spawner_class

        from .fixtures import HTTPError, Spawner, User, settings

        s = settings(budgets={**SETTINGS["budgets"]}, contact="help@example.org")
        cls = make_spawner_class(Spawner, s, HTTPError)
        return cls(
            User("bob", list(groups)),
            {},
            profile_list=make_profile_list(s, HTTPError, budget_fetch=fetch),
            pre_spawn_hook=make_pre_spawn_hook(s, HTTPError, budget_fetch=fetch),
            post_stop_hook=make_post_stop_hook(s),
        )

    def test_over_budget_is_refused_before_anything_is_created(self):
        from .fixtures import HTTPError, spawn

        over = source(vector(("m6i.4xlarge", "on-demand", 1200 / 0.768 * 12)), vector())
        s = self.spawner(over)
        with self.assertRaises(HTTPError) as e:
            spawn(s)
        self.assertEqual(e.exception.status, 403)
        self.assertIn("used its budget", e.exception.message)
        self.assertIsNone(s.pod)
        self.assertTrue(any('"reason": "budget"' in line for _, line in s.log.lines))

    def test_under_budget_starts_and_a_warning_is_logged(self):
        from .fixtures import spawn

        s = self.spawner(source(vector(("m6i.4xlarge", "on-demand", 850 / 0.768 * 12)), vector()))
        spawn(s)
        self.assertIsNotNone(s.pod)
        self.assertTrue(any('"event": "budget-warning"' in line and '"level": "80%"' in line for _, line in s.log.lines))

    def test_the_spawn_page_says_how_much_of_the_budget_is_used(self):
        s = self.spawner(source(vector(("m6i.4xlarge", "on-demand", 850 / 0.768 * 12)), vector()))
        offered = asyncio.run(s.profile_list(s))
        base = next(p for p in offered if p["slug"] == "base")
        self.assertTrue(base["description"].endswith("DANDI has used 85% of this month's budget."), base["description"])

    def test_an_extension_counts_on_the_spawn_page_and_at_the_spawn_alike(self):
        from .fixtures import spawn

        s = self.spawner(source(vector(("m6i.4xlarge", "on-demand", 1100 / 0.768 * 12)), vector()))
        s.user.groups[0].properties = {"dandihub-budget-extension": {"usd": 1000, "until": "2099-01-01T00:00:00Z", "by": "satra"}}
        offered = asyncio.run(s.profile_list(s))
        # $1,100 of $2,000: past no warning point, so no note.
        self.assertNotIn("budget", next(p for p in offered if p["slug"] == "base").get("description", ""))
        spawn(s)
        self.assertIsNotNone(s.pod)

    def test_groups_without_a_budget_never_ask_prometheus(self):
        from .fixtures import spawn

        def must_not_be_called(query):
            raise AssertionError("asked Prometheus")

        s = self.spawner(must_not_be_called, groups=("bican",))
        spawn(s)
        self.assertIsNotNone(s.pod)


class Quotas(unittest.TestCase):
    QUOTA = {**SETTINGS, "budgets": {**SETTINGS["budgets"], "namespace": "jupyterhub", "userLabel": "label_hub_jupyter_org_username", "quotas": {"linc": {"cpuHours": 200, "windowHours": 720, "overrides": {"alice": 500}}}}}

    def scalar_vector(self, v):
        return {"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [1765463400.0, str(v)]}]}}

    def test_the_query_joins_cpu_requests_to_the_users_pods_of_the_group(self):
        from dandihub_hub.budgets import quota_query

        q = quota_query("jupyterhub", "linc", "bob", 720, user_label="label_hub_jupyter_org_username")
        self.assertEqual(
            q,
            'sum(sum_over_time((sum by (pod) (kube_pod_container_resource_requests{namespace="jupyterhub",resource="cpu"}) * on (pod) group_left() '
            'max by (pod) (kube_pod_labels{namespace="jupyterhub",label_hub_jupyter_org_username="bob",label_dandihub_org_group="linc"}))[720h:5m])) * 5 / 60',
        )

    def test_over_quota_is_refused_with_use_quota_and_window(self):
        from dandihub_hub.budgets import check_quota

        v = check_quota(self.QUOTA, "linc", "bob", lambda q: self.scalar_vector(201.5))
        self.assertFalse(v.allowed)
        for part in ["202 of 200 CPU-hours", "last 30 days", "help@example.org"]:
            self.assertIn(part, v.message)

    def test_overrides_and_groups_without_a_quota(self):
        from dandihub_hub.budgets import check_quota

        self.assertTrue(check_quota(self.QUOTA, "linc", "alice", lambda q: self.scalar_vector(450)).allowed)
        self.assertIsNone(check_quota(self.QUOTA, "dandi", "bob", lambda q: self.scalar_vector(1e9)))
        # No pods in the window: an empty vector, zero used.
        self.assertTrue(check_quota(self.QUOTA, "linc", "bob", lambda q: {"status": "success", "data": {"resultType": "vector", "result": []}}).allowed)


class Extensions(unittest.TestCase):
    """A hub admin's extension, recorded in the JupyterHub group's properties (PUT /hub/api/groups/<g>/properties)."""

    OVER = vector(("m6i.4xlarge", "on-demand", 1100 / 0.768 * 12))

    def test_an_unexpired_extension_raises_the_limit_and_says_who_granted_it(self):
        ext = {"dandihub-budget-extension": {"usd": 500, "until": "2026-12-31T00:00:00Z", "by": "satra", "reason": "deadline"}}
        v = check(SETTINGS, "dandi", NOW, source(self.OVER, vector()), ext)
        self.assertTrue(v.allowed)
        self.assertEqual(v.budget, 1500)
        self.assertIn("granted by satra until 2026-12-31T00:00:00Z", v.message)

    def test_it_expires_by_itself_and_nonsense_is_ignored(self):
        expired = {"dandihub-budget-extension": {"usd": 500, "until": "2026-12-10T00:00:00Z", "by": "satra"}}
        self.assertFalse(check(SETTINGS, "dandi", NOW, source(self.OVER, vector()), expired).allowed)
        for junk in [{"dandihub-budget-extension": "lots"}, {"dandihub-budget-extension": {"usd": "x", "until": "soon"}}, {"dandihub-budget-extension": {"usd": -5, "until": "2027-01-01"}}]:
            self.assertFalse(check(SETTINGS, "dandi", NOW, source(self.OVER, vector()), junk).allowed)

import asyncio
import unittest

from dandihub_hub import archives as A
from dandihub_hub.archives import ArchiveChecker, Result

from .fixtures import Log, run, settings

DANDI, EMBER = settings()["archives"]


class FakeHTTP:
    """Answers by URL prefix; records requests. A value may be (status, body), an exception, or 'hang'."""

    def __init__(self, routes):
        self.routes = routes
        self.requests = []

    async def __call__(self, url, headers, timeout):
        self.requests.append((url, headers))
        for prefix, answer in self.routes.items():
            if url.startswith(prefix):
                if answer == "hang":
                    await asyncio.sleep(timeout + 5)
                if isinstance(answer, Exception):
                    raise answer
                return answer
        return 404, None


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def checker(routes, clock=None, archives=(DANDI,)):
    http = FakeHTTP(routes)
    c = ArchiveChecker(archives, {"dandi": "tok-d", "ember": "tok-e"}, fetch=http, clock=clock or Clock(), log=Log())
    return c, http


SEARCH = "https://api.dandi.test/api/users/search/"


def user(login, status="APPROVED", name="", admin=False):
    """One entry of /api/users/search/ as dandi-archive serializes it (UserDetailSerializer)."""
    return {"admin": admin, "username": login, "name": name, "status": status}


class Search(unittest.TestCase):
    def test_approved_exact_match_among_substring_results(self):
        c, http = checker({SEARCH: (200, [user("alice2", name="Alice Two"), user("Alice", name="Alice")])})
        self.assertEqual(run(c.check(DANDI, "alice")), Result("dandi", A.APPROVED))
        url, headers = http.requests[0]
        self.assertEqual(url, SEARCH + "?username=alice")
        self.assertEqual(headers["Authorization"], "token tok-d")

    def test_pending_or_unknown_is_not_approved(self):
        # The search lists approved users only: a pending account looks like no account.
        c, _ = checker({SEARCH: (200, [user("alice2")])})
        self.assertEqual(run(c.check(DANDI, "alice")).status, A.NOT_APPROVED)
        c, _ = checker({SEARCH: (200, [])})
        self.assertEqual(run(c.check(DANDI, "nobody")).status, A.NOT_APPROVED)

    def test_ten_longer_matches_cannot_confirm(self):
        c, _ = checker({SEARCH: (200, [user(f"al{i}") for i in range(10)])})
        self.assertEqual(run(c.check(DANDI, "al")).status, A.UNCONFIRMED)

    def test_an_answer_of_another_shape_is_an_error_not_a_crash(self):
        for body in ({"results": [user("bob")], "next": None}, "bob", [["bob"]], None):
            c, _ = checker({SEARCH: (200, body)})
            result = run(c.check(DANDI, "bob"))
            self.assertEqual(result.status, A.ERROR, body)
            self.assertIn("unexpected answer", result.detail)

    def test_server_error_is_an_error_not_an_approval(self):
        c, _ = checker({SEARCH: (500, None)})
        result = run(c.check(DANDI, "alice"))
        self.assertEqual(result.status, A.ERROR)
        self.assertIn("HTTP 500", result.detail)

    def test_timeout_is_an_error(self):
        archive = dict(DANDI, timeoutSeconds=0.01)
        c, _ = checker({SEARCH: "hang"}, archives=(archive,))
        result = run(c.check(archive, "alice"))
        self.assertEqual(result.status, A.ERROR)

    def test_connection_failure_is_an_error(self):
        c, _ = checker({SEARCH: A.HTTPFailure("connection refused")})
        result = run(c.check(DANDI, "alice"))
        self.assertEqual((result.status, result.detail), (A.ERROR, "unreachable: connection refused"))

    def test_rejected_token(self):
        c, _ = checker({SEARCH: (401, None)})
        self.assertEqual(run(c.check(DANDI, "alice")), Result("dandi", A.ERROR, "token rejected (HTTP 401)"))


class List(unittest.TestCase):
    LIST = "https://api.ember.test/api/users/?approved_only=true"
    # users_list_view: a flat JSON list of GitHub logins, sorted, not paginated.
    BODY = ["a", "B", "carol-x"]

    def test_reads_the_flat_list_of_logins_and_caches_it(self):
        clock = Clock()
        c, http = checker({self.LIST: (200, self.BODY)}, clock=clock, archives=(EMBER,))
        self.assertEqual(run(c.check(EMBER, "b")).status, A.APPROVED)
        self.assertEqual(run(c.check(EMBER, "carol")).status, A.NOT_APPROVED)
        self.assertEqual([url for url, _ in http.requests], [self.LIST])
        clock.now += A.LIST_TTL + 1
        run(c.check(EMBER, "c"))
        self.assertEqual(len(http.requests), 2)

    def test_needs_admin_token(self):
        c, _ = checker({self.LIST: (403, None)}, archives=(EMBER,))
        self.assertIn("archive admin", run(c.check(EMBER, "a")).detail)

    def test_a_paginated_or_object_answer_is_an_error_not_a_crash(self):
        for body in ({"results": [{"username": "a"}], "next": None}, [{"username": "a"}], {"a": 1}, 7):
            c, _ = checker({self.LIST: (200, body)}, archives=(EMBER,))
            result = run(c.check(EMBER, "a"))
            self.assertEqual(result.status, A.ERROR, body)


class Failures(unittest.TestCase):
    def test_an_unexpected_exception_becomes_the_archives_error_and_is_logged(self):
        c, _ = checker({SEARCH: KeyError("boom")})
        result = run(c.check(DANDI, "alice"))
        self.assertEqual((result.status, result.detail), (A.ERROR, "unexpected error (KeyError)"))
        self.assertTrue(any(level == "error" and "KeyError" in line for level, line in c.log.lines))

    def test_one_archive_failing_does_not_stop_the_others(self):
        c, _ = checker({SEARCH: TypeError("bad"), List.LIST: (200, ["x"])}, archives=(DANDI, EMBER))
        results = run(c.check_all("x"))
        self.assertEqual([(r.archive, r.status) for r in results], [("dandi", A.ERROR), ("ember", A.APPROVED)])

    def test_a_missing_token_is_an_error_and_nothing_is_sent(self):
        http = FakeHTTP({SEARCH: (200, [user("alice")])})
        c = ArchiveChecker((DANDI,), {}, fetch=http, clock=Clock(), log=Log())
        result = run(c.check(DANDI, "alice"))
        self.assertEqual(result.status, A.ERROR)
        self.assertIn("no API token", result.detail)
        self.assertEqual(http.requests, [])


class OutagesAndCache(unittest.TestCase):
    def test_recent_approval_survives_an_outage_and_is_logged(self):
        clock = Clock()
        routes = {SEARCH: (200, [user("alice")])}
        c, _ = checker(routes, clock=clock)
        self.assertEqual(run(c.check(DANDI, "alice")).status, A.APPROVED)
        routes[SEARCH] = (503, None)
        clock.now += A.POSITIVE_TTL + 1
        result = run(c.check(DANDI, "alice"))
        self.assertEqual(result.status, A.APPROVED)
        self.assertIn("stale approval", result.detail)
        self.assertTrue(any(level == "warning" for level, _ in c.log.lines))

    def test_old_approval_does_not(self):
        clock = Clock()
        routes = {SEARCH: (200, [user("alice")])}
        c, _ = checker(routes, clock=clock)
        run(c.check(DANDI, "alice"))
        routes[SEARCH] = (503, None)
        clock.now += A.STALE_OK + 1
        self.assertEqual(run(c.check(DANDI, "alice")).status, A.ERROR)

    def test_unknown_user_during_outage_is_never_approved(self):
        c, _ = checker({SEARCH: (502, None)})
        self.assertEqual(run(c.check(DANDI, "stranger")).status, A.ERROR)

    def test_positive_answers_are_cached_briefly(self):
        c, http = checker({SEARCH: (200, [user("alice")])})
        run(c.check(DANDI, "alice"))
        self.assertEqual(run(c.check(DANDI, "Alice")), Result("dandi", A.APPROVED, "cached"))
        self.assertEqual(len(http.requests), 1)

    def test_check_all_asks_every_archive_but_the_skipped(self):
        c, http = checker({SEARCH: (200, []), List.LIST: (200, [])}, archives=(DANDI, EMBER))
        results = run(c.check_all("x"))
        self.assertEqual([r.archive for r in results], ["dandi", "ember"])
        self.assertEqual([r.archive for r in run(c.check_all("x", skip=("dandi",)))], ["ember"])


if __name__ == "__main__":
    unittest.main()

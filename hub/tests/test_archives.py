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


class Search(unittest.TestCase):
    def test_approved_exact_match_among_substring_results(self):
        c, http = checker({SEARCH: (200, [{"username": "alice2"}, {"username": "Alice"}])})
        self.assertEqual(run(c.check(DANDI, "alice")), Result("dandi", A.APPROVED))
        url, headers = http.requests[0]
        self.assertEqual(url, SEARCH + "?username=alice")
        self.assertEqual(headers["Authorization"], "token tok-d")

    def test_pending_or_unknown_is_not_approved(self):
        # The search lists approved users only: a pending account looks like no account.
        c, _ = checker({SEARCH: (200, [{"username": "alice2"}])})
        self.assertEqual(run(c.check(DANDI, "alice")).status, A.NOT_APPROVED)
        c, _ = checker({SEARCH: (200, [])})
        self.assertEqual(run(c.check(DANDI, "nobody")).status, A.NOT_APPROVED)

    def test_ten_longer_matches_cannot_confirm(self):
        c, _ = checker({SEARCH: (200, [{"username": f"al{i}"} for i in range(10)])})
        self.assertEqual(run(c.check(DANDI, "al")).status, A.UNCONFIRMED)

    def test_paginated_answer_shape(self):
        c, _ = checker({SEARCH: (200, {"results": [{"username": "bob"}], "next": None})})
        self.assertEqual(run(c.check(DANDI, "bob")).status, A.APPROVED)

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

    def test_follows_pages_and_caches(self):
        clock = Clock()
        c, http = checker(
            {
                self.LIST: (200, {"results": [{"username": "a"}], "next": "https://api.ember.test/api/users/?page=2"}),
                "https://api.ember.test/api/users/?page=2": (200, {"results": [{"username": "B"}], "next": None}),
            },
            clock=clock,
            archives=(EMBER,),
        )
        self.assertEqual(run(c.check(EMBER, "b")).status, A.APPROVED)
        self.assertEqual(run(c.check(EMBER, "c")).status, A.NOT_APPROVED)
        self.assertEqual(len(http.requests), 2)  # one listing, two pages
        clock.now += A.LIST_TTL + 1
        run(c.check(EMBER, "c"))
        self.assertEqual(len(http.requests), 4)

    def test_needs_admin_token(self):
        c, _ = checker({self.LIST: (403, None)}, archives=(EMBER,))
        self.assertIn("archive admin", run(c.check(EMBER, "a")).detail)


class OutagesAndCache(unittest.TestCase):
    def test_recent_approval_survives_an_outage_and_is_logged(self):
        clock = Clock()
        routes = {SEARCH: (200, [{"username": "alice"}])}
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
        routes = {SEARCH: (200, [{"username": "alice"}])}
        c, _ = checker(routes, clock=clock)
        run(c.check(DANDI, "alice"))
        routes[SEARCH] = (503, None)
        clock.now += A.STALE_OK + 1
        self.assertEqual(run(c.check(DANDI, "alice")).status, A.ERROR)

    def test_unknown_user_during_outage_is_never_approved(self):
        c, _ = checker({SEARCH: (502, None)})
        self.assertEqual(run(c.check(DANDI, "stranger")).status, A.ERROR)

    def test_positive_answers_are_cached_briefly(self):
        c, http = checker({SEARCH: (200, [{"username": "alice"}])})
        run(c.check(DANDI, "alice"))
        self.assertEqual(run(c.check(DANDI, "Alice")), Result("dandi", A.APPROVED, "cached"))
        self.assertEqual(len(http.requests), 1)

    def test_check_all_asks_every_archive_but_the_skipped(self):
        c, http = checker({SEARCH: (200, []), List.LIST: (200, {"results": [], "next": None})}, archives=(DANDI, EMBER))
        results = run(c.check_all("x"))
        self.assertEqual([r.archive for r in results], ["dandi", "ember"])
        self.assertEqual([r.archive for r in run(c.check_all("x", skip=("dandi",)))], ["ember"])


if __name__ == "__main__":
    unittest.main()

"""Is a GitHub login an approved user of a DANDI-style archive?

DANDI, EMBER and LINC run the same REST API (dandi-archive, ``dandiapi/api/views/users.py``).
Two ways to ask, chosen per archive:

- ``search``: ``GET /api/users/search/?username=<login>`` with an approved user's token. It
  answers a JSON list of at most 10 approved users, ``[{"admin", "username", "name", "status"}]``,
  whose first name, last name, Django username or GitHub login *contains* the text; ``username`` is
  the GitHub login, or the Django username of an account without one. We look for an exact match;
  when 10 come back and none is exact, the login cannot be confirmed either way.
- ``list``: ``GET /api/users/?approved_only=true`` with an archive admin's token: a flat JSON
  list of the GitHub logins (``socialaccount.extra_data.login``) of every approved account, not
  paginated. Exact and complete. Cached for ``LIST_TTL`` seconds.

An archive that times out, answers 5xx or anything we cannot read, rejects our token, has no token
configured, or fails in any other way gives an ``error`` result, never an approval and never an
exception out of ``check``. A login that an archive approved within ``STALE_OK`` seconds keeps that
approval through an outage (logged as such); nobody the archive has not approved gets in.
"""
import asyncio
import json
import time
import urllib.error
import urllib.parse
import urllib.request

APPROVED = "approved"
NOT_APPROVED = "not-approved"
UNCONFIRMED = "unconfirmed"
ERROR = "error"

SEARCH_LIMIT = 10
LIST_TTL = 600
POSITIVE_TTL = 600
STALE_OK = 24 * 3600


class Result:
    __slots__ = ("archive", "status", "detail")

    def __init__(self, archive, status, detail=""):
        self.archive = archive
        self.status = status
        self.detail = detail

    def __repr__(self):
        return f"Result({self.archive!r}, {self.status!r}, {self.detail!r})"

    def __eq__(self, other):
        return isinstance(other, Result) and (self.archive, self.status, self.detail) == (other.archive, other.status, other.detail)


class HTTPFailure(Exception):
    """The archive could not be asked (timeout, connection, 5xx)."""


async def urllib_fetch(url, headers, timeout):
    """Default transport: (status, parsed JSON or None). Runs urllib in a worker thread."""

    def get():
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read()
                return response.status, json.loads(body) if body else None
        except urllib.error.HTTPError as e:
            return e.code, None
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            raise HTTPFailure(str(getattr(e, "reason", e))) from e

    return await asyncio.to_thread(get)


class ArchiveChecker:
    """Asks the configured archives about a login. One instance per hub process.

    ``fetch(url, headers, timeout) -> (status, json)`` is the transport (tests pass a fake);
    ``tokens`` maps archive name to its API token; ``clock`` returns seconds.
    """

    def __init__(self, archives, tokens, fetch=urllib_fetch, clock=time.monotonic, log=None):
        self.archives = list(archives)
        self.tokens = dict(tokens)
        self.fetch = fetch
        self.clock = clock
        self.log = log
        self._approved_at = {}  # (archive, login) -> time of the last approval seen
        self._lists = {}  # archive -> (time, set of logins)

    async def check_all(self, login, skip=()):
        """One Result per archive (except ``skip``), asked concurrently."""
        archives = [a for a in self.archives if a["name"] not in skip]
        return list(await asyncio.gather(*(self.check(a, login) for a in archives)))

    async def check(self, archive, login):
        """This archive's Result for ``login``. Never raises: any failure is an ERROR result."""
        name = archive["name"]
        key = (name, login.lower())
        now = self.clock()
        seen = self._approved_at.get(key)
        if seen is not None and now - seen < POSITIVE_TTL:
            return Result(name, APPROVED, "cached")
        try:
            if not self.tokens.get(name):
                result = Result(name, ERROR, "no API token configured for this archive")
            elif archive.get("check") == "list":
                result = await self._check_list(archive, login)
            else:
                result = await self._check_search(archive, login)
        except (HTTPFailure, asyncio.TimeoutError) as e:
            result = Result(name, ERROR, f"unreachable: {e or 'timeout'}")
        except Exception as e:  # an answer we could not read, a bug: refuse, say why, keep serving
            self._log("error", "%s: checking %s failed: %s: %s", name, login, type(e).__name__, e)
            result = Result(name, ERROR, f"unexpected error ({type(e).__name__})")
        if result.status == APPROVED:
            self._approved_at[key] = now
        elif result.status in (ERROR, UNCONFIRMED) and seen is not None and now - seen < STALE_OK:
            self._log("warning", "%s: %s for %s; keeping its approval from %ds ago", name, result.detail, login, now - seen)
            return Result(name, APPROVED, f"stale approval ({result.detail})")
        return result

    async def _get(self, archive, path):
        headers = {"Accept": "application/json", "Authorization": f"token {self.tokens[archive['name']]}"}
        url = archive["api"].rstrip("/") + path
        timeout = archive.get("timeoutSeconds", 5)
        status, body = await asyncio.wait_for(self.fetch(url, headers, timeout), timeout + 1)
        if status >= 500:
            raise HTTPFailure(f"HTTP {status}")
        return status, body

    async def _check_search(self, archive, login):
        name = archive["name"]
        query = urllib.parse.urlencode({"username": login})
        status, body = await self._get(archive, f"/api/users/search/?{query}")
        if status in (401, 403):
            return Result(name, ERROR, f"token rejected (HTTP {status})")
        if status != 200:
            return Result(name, ERROR, f"HTTP {status}")
        if not isinstance(body, list) or not all(isinstance(u, dict) for u in body):
            return Result(name, ERROR, "unexpected answer from the user search (not a list of users)")
        if any(str(u.get("username") or "").lower() == login.lower() for u in body):
            return Result(name, APPROVED)
        if len(body) >= SEARCH_LIMIT:
            return Result(name, UNCONFIRMED, f"search returned {len(body)} longer matches, not the exact login")
        return Result(name, NOT_APPROVED)

    async def _check_list(self, archive, login):
        name = archive["name"]
        cached = self._lists.get(name)
        if cached is None or self.clock() - cached[0] >= LIST_TTL:
            status, body = await self._get(archive, "/api/users/?approved_only=true")
            if status in (401, 403):
                return Result(name, ERROR, f"token rejected (HTTP {status}); `list` needs an archive admin's token")
            if status != 200:
                return Result(name, ERROR, f"HTTP {status}")
            if not isinstance(body, list) or not all(isinstance(u, str) for u in body):
                return Result(name, ERROR, "unexpected answer from the user list (not a list of logins)")
            cached = (self.clock(), {u.lower() for u in body})
            self._lists[name] = cached
        return Result(name, APPROVED if login.lower() in cached[1] else NOT_APPROVED)

    def _log(self, level, *args):
        if self.log is not None:
            getattr(self.log, level)(*args)

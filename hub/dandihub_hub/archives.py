"""Is a GitHub login an approved user of a DANDI-style archive?

DANDI, EMBER and LINC run the same REST API. Two ways to ask, chosen per archive:

- ``search``: ``GET /api/users/search/?username=<login>`` with an approved user's token. It
  returns at most 10 approved users whose name contains the text, so we look for an exact match;
  when 10 come back and none is exact, the login cannot be confirmed either way.
- ``list``: ``GET /api/users/?approved_only=true`` with an archive admin's token: every approved
  login, exact and complete. Cached for ``LIST_TTL`` seconds.

An archive that times out, answers 5xx, or rejects our token gives an ``error`` result, never an
approval. A login that an archive approved within ``STALE_OK`` seconds keeps that approval
through an outage (logged as such); nobody the archive has not approved gets in.
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
MAX_LIST_PAGES = 200


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
        name = archive["name"]
        key = (name, login.lower())
        now = self.clock()
        seen = self._approved_at.get(key)
        if seen is not None and now - seen < POSITIVE_TTL:
            return Result(name, APPROVED, "cached")
        try:
            if archive.get("check") == "list":
                result = await self._check_list(archive, login)
            else:
                result = await self._check_search(archive, login)
        except (HTTPFailure, asyncio.TimeoutError) as e:
            result = Result(name, ERROR, f"unreachable: {e or 'timeout'}")
        if result.status == APPROVED:
            self._approved_at[key] = now
        elif result.status in (ERROR, UNCONFIRMED) and seen is not None and now - seen < STALE_OK:
            self._log("warning", "%s: %s for %s; keeping its approval from %ds ago", name, result.detail, login, now - seen)
            return Result(name, APPROVED, f"stale approval ({result.detail})")
        return result

    async def _get(self, archive, path):
        headers = {"Accept": "application/json", "Authorization": f"token {self.tokens.get(archive['name'], '')}"}
        url = path if path.startswith("https://") else archive["api"].rstrip("/") + path
        timeout = archive.get("timeoutSeconds", 5)
        status, body = await asyncio.wait_for(self.fetch(url, headers, timeout), timeout + 1)
        if status >= 500:
            raise HTTPFailure(f"HTTP {status}")
        return status, body

    @staticmethod
    def _items(body):
        """DANDI answers a list, or a paginated {"results": [...], "next": url}."""
        if isinstance(body, dict):
            return body.get("results") or [], body.get("next")
        return body or [], None

    async def _check_search(self, archive, login):
        name = archive["name"]
        query = urllib.parse.urlencode({"username": login})
        status, body = await self._get(archive, f"/api/users/search/?{query}")
        if status in (401, 403):
            return Result(name, ERROR, f"token rejected (HTTP {status})")
        if status != 200:
            return Result(name, ERROR, f"HTTP {status}")
        items, _ = self._items(body)
        if any((u.get("username") or "").lower() == login.lower() for u in items):
            return Result(name, APPROVED)
        if len(items) >= SEARCH_LIMIT:
            return Result(name, UNCONFIRMED, f"search returned {len(items)} longer matches, not the exact login")
        return Result(name, NOT_APPROVED)

    async def _check_list(self, archive, login):
        name = archive["name"]
        cached = self._lists.get(name)
        if cached is None or self.clock() - cached[0] >= LIST_TTL:
            logins = set()
            url = "/api/users/?approved_only=true&page_size=1000"
            for _ in range(MAX_LIST_PAGES):
                status, body = await self._get(archive, url)
                if status in (401, 403):
                    return Result(name, ERROR, f"token rejected (HTTP {status}); `list` needs an archive admin's token")
                if status != 200:
                    return Result(name, ERROR, f"HTTP {status}")
                items, url = self._items(body)
                logins.update((u.get("username") or "").lower() for u in items)
                if not url:
                    break
            cached = (self.clock(), logins)
            self._lists[name] = cached
        return Result(name, APPROVED if login.lower() in cached[1] else NOT_APPROVED)

    def _log(self, level, *args):
        if self.log is not None:
            getattr(self.log, level)(*args)

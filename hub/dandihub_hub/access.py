"""May this user in, and if not, what do we tell them?

A user gets in when they belong to at least one configured group (or are a hub admin). A user
who does not gets a page that says why: not (yet) approved by the archives, with where to
register; or an archive could not be asked, so try again later. Nobody unconfirmed gets in.

The page text (``html``) is phrasing content only: JupyterHub's error.html puts it inside a
``<p>``, so it may not contain ``<p>``, lists or other block elements; lines are separated by
``<br>``.
"""
from html import escape

from . import archives as A
from .settings import archive

# The source name of a failed GitHub organization lookup, reported like an archive's error.
GITHUB_SOURCE = "github"

OAUTH_STATUS_TEXT = {
    "INCOMPLETE": "has not finished registering",
    "PENDING": "is waiting for approval",
    "REJECTED": "was not approved",
}


class Decision:
    __slots__ = ("allowed", "status", "message", "html", "log")

    def __init__(self, allowed, status=200, message="", html="", log=""):
        self.allowed = allowed
        self.status = status
        self.message = message
        self.html = html
        self.log = log

    def __repr__(self):
        return f"Decision(allowed={self.allowed}, status={self.status}, message={self.message!r})"


def _register_links(settings, names):
    links = []
    for name in names:
        a = archive(settings, name)
        links.append(f'<a href="{escape(a["web"], quote=True)}">{escape(a["displayName"])}</a>')
    return ", ".join(links)


def source_name(settings, name):
    """Display name of a membership source: an archive, or GitHub itself (its org lookup)."""
    if name == GITHUB_SOURCE:
        return "GitHub"
    return archive(settings, name)["displayName"]


def _lines(*lines):
    """Lines of a refusal page: inline HTML joined by <br> (the page wraps it in one <p>)."""
    return "<br>".join(lines)


def decide(settings, username, groups, is_admin=False, archive_results=(), oauth_status=None):
    """The decision for a login, with the page text when it is a refusal."""
    results = list(archive_results)
    if groups or is_admin:
        trouble = [r for r in results if r.status in (A.ERROR, A.UNCONFIRMED)]
        note = f"; not confirmed by {', '.join(f'{r.archive} ({r.detail})' for r in trouble)}" if trouble else ""
        return Decision(True, log=f"{username} allowed: groups {groups or []}{' (admin)' if is_admin else ''}{note}")

    contact = escape(settings.get("contact") or "the hub's administrators")
    who = escape(username)

    oauth_archive = settings.get("oauthArchive")
    if oauth_status is not None and oauth_status != "APPROVED" and oauth_archive:
        a = archive(settings, oauth_archive)
        state = OAUTH_STATUS_TEXT.get(oauth_status, f"has status {oauth_status}")
        message = f"Your {a['displayName']} account {username} {state}. This hub is open to approved {a['displayName']} users."
        html = _lines(
            f"Your {escape(a['displayName'])} account <strong>{who}</strong> {escape(state)}.",
            f"This hub is open to approved {escape(a['displayName'])} users. Finish your registration or check its status at "
            f'<a href="{escape(a["web"], quote=True)}">{escape(a["web"])}</a>, then log in again.',
            f"Questions: {contact}.",
        )
        return Decision(False, 403, message, html, f"{username} refused: {oauth_archive} status {oauth_status}")

    unsure = [r for r in results if r.status in (A.ERROR, A.UNCONFIRMED)]
    if unsure:
        names = ", ".join(source_name(settings, r.archive) for r in unsure)
        message = f"We could not confirm your approval with {names} right now. Please try again in a few minutes."
        html = _lines(
            f"We could not confirm that <strong>{who}</strong> is an approved user: {escape(names)} did not answer in time "
            "or could not be asked. Nobody is let in unconfirmed.",
            f"Please try again in a few minutes. If this persists, contact {contact}.",
        )
        detail = "; ".join(f"{r.archive}: {r.status} ({r.detail})" for r in unsure)
        return Decision(False, 503, message, html, f"{username} refused, unconfirmed: {detail}")

    archive_names = [a["name"] for a in settings.get("archives", [])]
    if archive_names:
        message = f"{username} is not (yet) an approved user of any archive this hub serves. Register, wait for approval, then log in again."
        html = _lines(
            f"Your GitHub account <strong>{who}</strong> is not (yet) an approved user of an archive this hub serves. "
            "Register with one of them (approval can take a day or two), then log in again: "
            f"{_register_links(settings, archive_names)}.",
            f"Already approved, or a member of a team that should have access? Contact {contact}.",
        )
    else:
        message = f"{username} is not a member of any group with access to this hub."
        html = _lines(f"Your account <strong>{who}</strong> is not a member of any group with access to this hub.", f"Contact {contact} to ask for access.")
    return Decision(False, 403, message, html, f"{username} refused: in no group")

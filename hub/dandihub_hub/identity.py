"""A hub user is one GitHub account, not one login name.

GitHub logins can be renamed and then registered by someone else. The account's numeric id never
changes, so the id seen at a user's first login is kept in their auth state, and a later login
under the same name with another id is refused with a page that says what happened.
"""
from html import escape

# Where GitHubOAuthenticator keeps the /user response in auth_state (its user_auth_state_key).
GITHUB_USER_KEY = "github_user"


def github_id(auth_state):
    """The GitHub account id of a login's auth state, or None."""
    user = (auth_state or {}).get(GITHUB_USER_KEY) or {}
    return user.get("id")


def pinned_id(auth_state):
    """The id a hub user was first seen with: ours, else the one GitHubOAuthenticator stored."""
    state = auth_state or {}
    return (state.get("dandihub") or {}).get("githubId") or github_id(state)


def mismatch_page(settings, username):
    """(status, message, html) for a login whose account is not the one this hub user belongs to."""
    contact = escape(settings.get("contact") or "the hub's administrators")
    who = escape(username)
    message = f"The GitHub account now called {username} is not the account this hub user belongs to."
    html = "<br>".join(
        [
            f"The GitHub login <strong>{who}</strong> belongs to a different GitHub account than the one that used this hub under that name.",
            "This happens when someone renames their GitHub account and another person registers the old name.",
            f"If you renamed your account, log in with your current login and ask {contact} to move your files; otherwise contact {contact}.",
        ]
    )
    return 403, message, html


def check_identity(settings, username, stored_state, new_state):
    """None when the login may proceed (and the id to pin), or the refusal (status, message, html).

    Returns ``(refusal, id_to_pin)``.
    """
    new = github_id(new_state)
    old = pinned_id(stored_state)
    if old is not None and new is not None and str(old) != str(new):
        return mismatch_page(settings, username), old
    return None, old if old is not None else new

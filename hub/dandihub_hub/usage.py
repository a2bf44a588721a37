"""The usage page: each user's groups' spend against budget and their own use against quota, and
the form with which a group's admins (and hub admins) extend a group's budget for a while.

Plain Python over the same checks the spawn hook runs (budgets.py), so the page and the refusal
never disagree. usage_service.py serves it as a JupyterHub service.
"""
import datetime
import html
import math

from .budgets import EXTENSION, active_extension, check, check_quota, kubecost_query, kubecost_spend, next_month
from .settings import group_order

# The custom JupyterHub scope that lets a user extend a group's budget from the page: granted per
# group to its admins (`custom:dandihub-budget:extend!group=<g>`); hub admins may extend any group.
EXTEND_SCOPE = "custom:dandihub-budget:extend"
# The last extensions granted, kept on the group beside the active one (who, when, how much).
HISTORY = "dandihub-budget-extension-history"
HISTORY_KEPT = 20
# A hub admin's extension may run this long; a group admin's is capped by the group's settings.
ADMIN_MAX_DAYS = 92
REASON_MAX = 200


class ExtensionRefused(Exception):
    pass


def may_extend(user, group):
    """Whether the user model (JupyterHub's /user answer for the page's OAuth token: ``admin``
    and ``scopes``) may extend ``group``'s budget, and whether without the group's caps."""
    if user.get("admin"):
        return "admin"
    scopes = set(user.get("scopes") or [])
    return "group-admin" if EXTEND_SCOPE in scopes or f"{EXTEND_SCOPE}!group={group}" in scopes else None


def report(settings, user, user_groups, now, fetch=None, properties=None, kubecost=None):
    """One row per group of the user's with a budget or a quota, in deployment-file order.
    ``kubecost``: a fetcher of Kubecost's API, when it runs (its figure is shown beside ours)."""
    budgets = settings.get("budgets") or {}
    rows = []
    kubecost_answer = None
    if kubecost and budgets.get("kubecost"):
        try:
            kubecost_answer = kubecost(kubecost_query(budgets["kubecost"]["label"]))
        except Exception as e:  # shown as unreadable, never fatal to the page
            kubecost_answer = e
    mine = set(user_groups)
    for group in group_order(settings):
        budget = (budgets.get("groups") or {}).get(group)
        quota = (budgets.get("quotas") or {}).get(group)
        if group not in mine or not (budget or quota):
            continue
        props = (properties or {}).get(group)
        row = {"group": group, "displayName": settings["groups"].get(group, {}).get("displayName", group), "budget": None, "quota": None, "extend": None}
        if budget:
            v = check(settings, group, now, fetch, props)
            _, extension = active_extension(props, now)
            row["budget"] = {
                "spent": v.spent,
                "committed": v.committed,
                "limit": v.budget,
                "monthly": budget["monthlyUsd"],
                "level": v.level,
                "allowed": v.allowed,
                "unknown": v.level == "unknown",
                "resets": next_month(now).strftime("%Y-%m-%d"),
                "extension": extension,
                "history": list((props or {}).get(HISTORY) or []),
                "kubecost": _kubecost_figure(kubecost_answer, group) if budgets.get("kubecost") and kubecost else None,
            }
            row["extend"] = may_extend(user, group)
        if quota:
            q = check_quota(settings, group, user["name"], fetch)
            row["quota"] = {"used": q.spent, "limit": q.budget, "windowDays": round(quota["windowHours"] / 24), "allowed": q.allowed, "unknown": q.level == "unknown"}
        rows.append(row)
    return rows


def _kubecost_figure(answer, group):
    """Kubecost's spend of the group this month, or "unknown" when it could not be read."""
    if answer is None or isinstance(answer, Exception):
        return "unknown"
    try:
        return kubecost_spend(answer, group)
    except Exception:
        return "unknown"


def grant(settings, group, user, form, now, properties):
    """The group's new properties after ``user`` grants the extension in ``form`` (usd, days,
    reason); raises ExtensionRefused with what is wrong. Other properties are kept."""
    budget = ((settings.get("budgets") or {}).get("groups") or {}).get(group)
    if not budget:
        raise ExtensionRefused(f"{group} has no enforced budget to extend.")
    role = may_extend(user, group)
    if not role:
        raise ExtensionRefused(f"Only the admins of {group} and hub admins may extend its budget.")
    try:
        usd = round(float(form.get("usd", "")), 2)
        days = int(form.get("days", ""))
    except ValueError:
        raise ExtensionRefused("The amount must be a number of dollars and the duration a whole number of days.") from None
    reason = " ".join(str(form.get("reason", "")).split())
    caps = budget.get("extension") or {}
    max_usd = None if role == "admin" else caps.get("maxUsd", 0)
    max_days = ADMIN_MAX_DAYS if role == "admin" else caps.get("maxDays", 14)
    if not math.isfinite(usd) or usd <= 0:
        raise ExtensionRefused("The amount must be more than $0.")
    if max_usd is not None and usd > max_usd:
        raise ExtensionRefused(f"A group admin may extend {group}'s budget by up to ${max_usd:,.2f}; ask a hub admin for more.")
    if not 1 <= days <= max_days:
        raise ExtensionRefused(f"An extension lasts 1 to {max_days} days.")
    if not reason or len(reason) > REASON_MAX:
        raise ExtensionRefused(f"Say why, in at most {REASON_MAX} characters.")
    record = {
        "usd": usd,
        "until": _iso(now + datetime.timedelta(days=days)),
        "by": user["name"],
        "at": _iso(now),
        "reason": reason,
    }
    props = dict(properties or {})
    props[EXTENSION] = record
    props[HISTORY] = ([record] + list(props.get(HISTORY) or []))[:HISTORY_KEPT]
    return props


def _iso(t):
    return t.astimezone(datetime.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _usd(x):
    return f"${x:,.2f}"


def render(rows, user, xsrf, contact="", message=None):
    """The page: a section per group, the extension form where the user may extend."""
    e = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Usage</title>",
        "<style>body{font-family:sans-serif;max-width:48em;margin:2em auto}table{border-collapse:collapse}td,th{padding:.2em .8em;text-align:left}.over{color:#b00}.warn{color:#a60}</style>",
        f"</head><body><h1>Usage for {e(user['name'])}</h1>",
    ]
    if message:
        parts.append(f"<p class='{e(message[0])}'>{e(message[1])}</p>")
    if not rows:
        parts.append("<p>None of your groups has a budget or a compute quota.</p>")
    for row in rows:
        parts.append(f"<h2>{e(row['displayName'])}</h2><table>")
        b = row["budget"]
        if b and b["unknown"]:
            parts.append("<tr><th>Budget</th><td>cannot be read right now</td></tr>")
        elif b:
            share = (b["spent"] + b["committed"]) / b["limit"]
            cls = "over" if not b["allowed"] else "warn" if b["level"] else ""
            parts.append(f"<tr><th>Spent this month</th><td class='{cls}'>{_usd(b['spent'])} of {_usd(b['limit'])} ({share:.0%}, counting an hour of the {_usd(b['committed'])} an hour running now)</td></tr>")
            parts.append(f"<tr><th>Resets</th><td>{e(b['resets'])} (UTC)</td></tr>")
            if b.get("kubecost") == "unknown":
                parts.append("<tr><th>Kubecost</th><td>cannot be read right now</td></tr>")
            elif b.get("kubecost") is not None:
                parts.append(f"<tr><th>Kubecost</th><td>{_usd(b['kubecost'])} this month (its own prices, pod by pod, about an hour behind)</td></tr>")
            if b["extension"]:
                x = b["extension"]
                parts.append(f"<tr><th>Extension</th><td>{_usd(float(x['usd']))} until {e(str(x['until']))}, granted by {e(str(x.get('by', '?')))}: {e(str(x.get('reason', '')))}</td></tr>")
            if not b["allowed"]:
                parts.append(f"<tr><th></th><td class='over'>New servers of this group are refused until the budget resets or is extended{' (ask ' + e(contact) + ')' if contact else ''}. Running servers keep running.</td></tr>")
        q = row["quota"]
        if q and q["unknown"]:
            parts.append("<tr><th>Your compute</th><td>cannot be read right now</td></tr>")
        elif q:
            cls = "" if q["allowed"] else "over"
            parts.append(f"<tr><th>Your compute</th><td class='{cls}'>{q['used']:,.0f} of {q['limit']:,.0f} CPU-hours in the last {q['windowDays']} days</td></tr>")
        parts.append("</table>")
        if row["extend"] and b:
            caps = " (up to the group admins' cap)" if row["extend"] == "group-admin" else ""
            parts.append(
                f"<form method='post'><input type='hidden' name='_xsrf' value='{e(xsrf)}'><input type='hidden' name='group' value='{e(row['group'])}'>"
                f"Extend by $<input name='usd' size='6' required> for <input name='days' size='3' value='7' required> days{caps}, because "
                f"<input name='reason' size='30' maxlength='{REASON_MAX}' required> <button>Extend</button></form>"
            )
            if b["history"]:
                parts.append("<details><summary>Earlier extensions</summary><ul>")
                parts.extend(f"<li>{e(str(h.get('at', '?')))}: {_usd(float(h.get('usd', 0)))} until {e(str(h.get('until', '?')))} by {e(str(h.get('by', '?')))}: {e(str(h.get('reason', '')))}</li>" for h in b["history"])
                parts.append("</ul></details>")
    parts.append("<p>Spend is estimated from node-hours at list prices (storage not counted); the AWS bill is the truth.</p></body></html>")
    return "".join(parts)

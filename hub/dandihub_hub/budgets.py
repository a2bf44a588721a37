"""Per-group monthly budgets, enforced at spawn.

A group's spend this month is its nodes' hours, read from Prometheus (kube-state-metrics keeps a
``kube_node_labels`` series per node with the group, instance type and capacity type), priced with
the price table the settings carry (the estimate's, on-demand list prices, spot at the estimate's
discount). Near real time (one 5-minute sample behind), and approximate: list prices, not the
bill; AWS Budgets' e-mails remain the truth for the bill, hours late.

A new server is refused when this month's spend plus an hour of the group's running nodes (the
committed cost) reaches the budget. Running servers are not touched. Past ``warnAt`` fractions the
spawn is allowed and logged. When Prometheus cannot be read, ``failMode`` decides: ``open`` lets
the spawn through (the NodePool limits still cap the group), ``closed`` refuses it.
"""
import datetime
import json
import urllib.parse
import urllib.request

# kube-state-metrics' names for the node labels (metricLabelsAllowlist, as Prometheus has them).
GROUP = "label_dandihub_org_group"
TYPE = "label_node_kubernetes_io_instance_type"
CAPACITY = "label_karpenter_sh_capacity_type"
SAMPLE_MINUTES = 5


class BudgetSourceError(Exception):
    pass


def month_start(now):
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(now):
    start = month_start(now)
    return (start + datetime.timedelta(days=32)).replace(day=1)


def _names(labels):
    """The group, instance-type and capacity-type label names (the settings', else kube-state-metrics' defaults)."""
    labels = labels or {}
    return labels.get("group", GROUP), labels.get("type", TYPE), labels.get("capacity", CAPACITY)


def spend_query(group, hours, labels=None):
    """Samples per (type, capacity) of the group's nodes since the month began: each is 5 node-minutes."""
    g, t, c = _names(labels)
    return f'sum by ({t}, {c}) (count_over_time(kube_node_labels{{{g}="{group}"}}[{hours}h:{SAMPLE_MINUTES}m]))'


def running_query(group, labels=None):
    g, t, c = _names(labels)
    return f'count by ({t}, {c}) (kube_node_labels{{{g}="{group}"}})'


def _get_json(url, timeout):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def prometheus_fetch(url, timeout=5):
    return lambda query: _get_json(f"{url.rstrip('/')}/api/v1/query?{urllib.parse.urlencode({'query': query})}", timeout)


def _vector(response):
    """The rows of an instant-vector answer: [(labels, value)]."""
    if not isinstance(response, dict) or response.get("status") != "success":
        raise BudgetSourceError(f"Prometheus answered {str(response)[:200]}")
    data = response.get("data") or {}
    if data.get("resultType") != "vector":
        raise BudgetSourceError(f"expected a vector, got {data.get('resultType')}")
    return [(row.get("metric", {}), float(row["value"][1])) for row in data.get("result", [])]


def hourly_price(prices, spot_discount, instance_type, capacity):
    on_demand = prices.get(instance_type)
    if on_demand is None:
        return None
    return on_demand * (1 - spot_discount) if capacity == "spot" else on_demand


def priced(rows, prices, spot_discount, hours_per_row, names=None):
    """USD of the rows (samples or node counts), and the instance types without a price."""
    _, t, c = _names(names)
    usd, unpriced = 0.0, set()
    for labels, value in rows:
        price = hourly_price(prices, spot_discount, labels.get(t), labels.get(c))
        if price is None:
            unpriced.add(labels.get(t) or "?")
            continue
        usd += value * hours_per_row * price
    return usd, unpriced


def kubecost_query(label):
    """Kubecost's allocation of this month so far, one accumulated set, by the pods' group label."""
    return "/model/allocation?" + urllib.parse.urlencode({"window": "month", "aggregate": f"label:{label}", "accumulate": "true"})


def kubecost_fetch(url, timeout=5):
    return lambda path: _get_json(f"{url.rstrip('/')}{path}", timeout)


def kubecost_spend(response, group):
    """The group's ``totalCost`` in Kubecost's allocation answer (``{"code": 200, "data": [{name:
    allocation}]}``, pods without the label under ``__unallocated__``); 0 when it ran nothing."""
    if not isinstance(response, dict) or response.get("code") != 200:
        raise BudgetSourceError(f"Kubecost answered {str(response)[:200]}")
    return sum(float(((s or {}).get(group) or {}).get("totalCost") or 0) for s in response.get("data") or [])


# The group property (JupyterHub group `properties`) a hub admin sets to extend a budget.
EXTENSION = "dandihub-budget-extension"


def active_extension(properties, now):
    """USD an unexpired extension adds, and its record ({usd, until, by, reason}); (0, None) if none."""
    ext = (properties or {}).get(EXTENSION)
    if not isinstance(ext, dict):
        return 0.0, None
    try:
        until = datetime.datetime.fromisoformat(str(ext["until"]).replace("Z", "+00:00"))
        usd = float(ext["usd"])
    except (KeyError, ValueError, TypeError):
        return 0.0, None
    if until.tzinfo is None:
        until = until.replace(tzinfo=datetime.timezone.utc)
    return (usd, ext) if until > now and usd > 0 else (0.0, None)


class Verdict:
    __slots__ = ("allowed", "level", "spent", "committed", "budget", "message")

    def __init__(self, allowed, level, spent, committed, budget, message):
        self.allowed, self.level, self.spent, self.committed, self.budget, self.message = allowed, level, spent, committed, budget, message

    def __repr__(self):
        return f"Verdict(allowed={self.allowed}, level={self.level!r}, spent={self.spent:.2f}, budget={self.budget})"


def _unreadable(config, error, limit, ask, what, log_what):
    """Prometheus could not answer: refuse (failMode closed) or let the spawn through (open)."""
    if config.get("failMode") == "closed":
        return Verdict(False, "unknown", 0.0, 0.0, limit, f"{what} cannot be read right now ({error.__class__.__name__}), and this hub does not start servers without it. Try again in a few minutes, or ask {ask}.")
    return Verdict(True, "unknown", 0.0, 0.0, limit, f"{log_what} unreadable ({error}); allowed (failMode open)")


def check(settings, group, now, fetch=None, properties=None):
    """The verdict on a new server of ``group``; None when the group's budget is not enforced.
    ``properties``: the JupyterHub group's properties, where an extension may be recorded."""
    config = settings.get("budgets") or {}
    budget = (config.get("groups") or {}).get(group)
    if not budget:
        return None
    extra, extension = active_extension(properties, now)
    limit = budget["monthlyUsd"] + extra
    fetch = fetch or prometheus_fetch(config["prometheusUrl"])
    resets = next_month(now).strftime("%Y-%m-%d")
    ask = budget.get("ask") or settings.get("contact") or "your group's admins"
    hours = max(1, int((now - month_start(now)).total_seconds() // 3600) + 1)
    names = config.get("labels")
    try:
        spent, unpriced = priced(_vector(fetch(spend_query(group, hours, names))), config["prices"], config["spotDiscount"], SAMPLE_MINUTES / 60, names)
        committed, more = priced(_vector(fetch(running_query(group, names))), config["prices"], config["spotDiscount"], 1, names)
    except Exception as e:  # the source, not the decision, failed
        return _unreadable(config, e, limit, ask, "Your group's spending", f"spend of {group}")
    total = spent + committed
    share = total / limit
    granted = f" (with ${extra:,.2f} granted by {extension.get('by', 'an admin')} until {extension['until']})" if extension else ""
    spent_text = f"${spent:,.2f} spent this month and ${committed:,.2f} an hour running, of a ${limit:,.2f} budget{granted}"
    if share >= 1:
        return Verdict(False, "over", spent, committed, limit, f"Your group has used its budget for this month: {spent_text}. Running servers keep running; new ones can start again on {resets} (UTC), or sooner if {ask} raise the budget.")
    level = next((f"{int(w * 100)}%" for w in sorted(budget.get("warnAt", []), reverse=True) if share >= w), None)
    note = f" (no price for {', '.join(sorted(unpriced | more))}: not counted)" if unpriced | more else ""
    return Verdict(True, level, spent, committed, limit, f"{spent_text}{note}")


def quota_query(namespace, group, user, hours, names=None, user_label="label_hub_jupyter_org_username"):
    """CPU-hours the user's servers of the group reserved in the window: their CPU requests, a 5-minute sample each."""
    g, _, _ = _names(names)
    requests = f'sum by (pod) (kube_pod_container_resource_requests{{namespace="{namespace}",resource="cpu"}})'
    owners = f'max by (pod) (kube_pod_labels{{namespace="{namespace}",{user_label}="{user}",{g}="{group}"}})'
    return f"sum(sum_over_time(({requests} * on (pod) group_left() {owners})[{hours}h:{SAMPLE_MINUTES}m])) * {SAMPLE_MINUTES} / 60"


def check_quota(settings, group, user, fetch=None):
    """The verdict on a new server of ``user`` in ``group`` under its compute quota; None without one."""
    config = settings.get("budgets") or {}
    quota = (config.get("quotas") or {}).get(group)
    if not quota:
        return None
    limit = quota.get("overrides", {}).get(user, quota["cpuHours"])
    fetch = fetch or prometheus_fetch(config["prometheusUrl"])
    window_days = round(quota["windowHours"] / 24)
    ask = settings.get("contact") or "your group's admins"
    try:
        rows = _vector(fetch(quota_query(config.get("namespace", "jupyterhub"), group, user, quota["windowHours"], config.get("labels"), config.get("userLabel", "label_hub_jupyter_org_username"))))
    except Exception as e:
        return _unreadable(config, e, limit, ask, "Your use of this group's compute", f"quota use of {user} in {group}")
    used = sum(v for _, v in rows)
    if used >= limit:
        return Verdict(False, "over", used, 0.0, limit, f"You have used your compute quota in this group: {used:,.0f} of {limit:,.0f} CPU-hours in the last {window_days} days. Use older than that stops counting day by day; running servers keep running. Ask {ask} for more.")
    return Verdict(True, None, used, 0.0, limit, f"{used:,.0f} of {limit:,.0f} CPU-hours in the last {window_days} days")

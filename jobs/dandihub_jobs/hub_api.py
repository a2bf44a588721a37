"""Reading the JupyterHub REST API with a service token (paginated lists)."""
import json
import urllib.request


def urlopen_json(url, token):
    req = urllib.request.Request(url, headers={"Authorization": f"token {token}", "Accept": "application/jupyterhub-pagination+json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def list_all(api_url, path, token, fetch=None, extra=""):
    """Every item of a paginated list endpoint (``/users``, ``/groups``), following ``next``."""
    fetch = fetch or urlopen_json
    items, offset = [], 0
    while True:
        page = fetch(f"{api_url.rstrip('/')}{path}?{extra}offset={offset}&limit=200", token)
        items.extend(page["items"] if isinstance(page, dict) else page)
        if not isinstance(page, dict) or not page.get("_pagination", {}).get("next"):
            return items
        offset = page["_pagination"]["next"]["offset"]

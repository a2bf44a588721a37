"""dandihub's hub-side code: group membership, data-archive checks, profile filtering,
per-group placement of user servers, budgets and the usage page.

The modules here import nothing from JupyterHub, OAuthenticator, KubeSpawner or Tornado except
``hub_config``, which wires them into the hub's configuration, and ``usage_service``, the usage
page's process (a service the hub runs), both through an injectable import. Everything else is
plain Python tested with stand-in objects (``python3 -m unittest discover -s hub``).

The deployment's settings (groups, profiles, archives, label keys) arrive as one JSON file that
dandihub writes at synth time; see ``settings.py``.
"""

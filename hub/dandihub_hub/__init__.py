"""dandihub's hub-side code: group membership, data-archive checks, profile filtering and
per-group placement of user servers.

The modules here import nothing from JupyterHub, OAuthenticator or KubeSpawner except
``hub_config``, which wires them into the hub's configuration. Everything else is plain Python
tested with stand-in objects (``python3 -m unittest discover -s hub``).

The deployment's settings (groups, profiles, archives, label keys) arrive as one JSON file that
dandihub writes at synth time; see ``settings.py``.
"""

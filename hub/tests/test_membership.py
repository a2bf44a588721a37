import unittest

from dandihub_hub.membership import active_orgs, groups_for, groups_from_auth_state, is_admin_by_team, needs_org_lookup, team_pairs

from .fixtures import settings


def team(org, slug):
    return {"slug": slug, "name": slug.title(), "organization": {"login": org}}


class TeamMapping(unittest.TestCase):
    def test_only_configured_teams_become_groups(self):
        teams = team_pairs([team("brain-bican", "kbhub-users"), team("brain-bican", "other"), team("elsewhere", "kbhub-users")])
        self.assertEqual(groups_for(settings(), "bob", teams=teams), ["bican"])

    def test_unconfigured_teams_give_no_group(self):
        teams = team_pairs([team("brain-bican", "other"), team("random", "x")])
        self.assertEqual(groups_for(settings(), "bob", teams=teams), [])

    def test_matching_ignores_case(self):
        teams = team_pairs([team("Brain-BICAN", "KBHub-Users")])
        self.assertEqual(groups_for(settings(), "bob", teams=teams), ["bican"])

    def test_team_entries_without_org_or_slug_are_ignored(self):
        self.assertEqual(team_pairs([{"slug": "x"}, {"organization": {"login": "o"}}, {}]), set())


class OtherSources(unittest.TestCase):
    def test_whole_org(self):
        self.assertEqual(groups_for(settings(), "bob", orgs={"dandi"}), ["dandi"])

    def test_archive_approval(self):
        self.assertEqual(groups_for(settings(), "bob", approved_archives={"ember"}), ["ember"])

    def test_explicit_username_case_insensitive(self):
        self.assertEqual(groups_for(settings(), "alice", approved_archives=()), ["bican"])

    def test_several_groups_in_file_order(self):
        teams = team_pairs([team("dandi", "workshop"), team("brain-bican", "kbhub-users")])
        got = groups_for(settings(), "bob", teams=teams, approved_archives={"dandi", "ember"})
        self.assertEqual(got, ["dandi", "bican", "ember", "workshop"])

    def test_active_orgs_only(self):
        memberships = [
            {"state": "active", "organization": {"login": "DANDI"}},
            {"state": "pending", "organization": {"login": "brain-bican"}},
        ]
        self.assertEqual(active_orgs(memberships), {"dandi"})

    def test_org_lookup_only_when_some_group_needs_it(self):
        self.assertTrue(needs_org_lookup(settings()))
        s = settings()
        s["groups"]["dandi"]["members"]["orgs"] = []
        self.assertFalse(needs_org_lookup(s))


class AuthStateGroupsKey(unittest.TestCase):
    def test_returns_the_groups_login_stored(self):
        self.assertEqual(groups_from_auth_state({"teams": [team("x", "y")], "dandihub": {"groups": ["bican"]}}), ["bican"])

    def test_raw_teams_never_become_groups(self):
        self.assertEqual(groups_from_auth_state({"teams": [team("brain-bican", "kbhub-users")]}), [])
        self.assertEqual(groups_from_auth_state(None), [])


class AdminTeams(unittest.TestCase):
    def test_admin_team(self):
        self.assertTrue(is_admin_by_team(settings(), teams={("dandi", "hub-admins")}))
        self.assertFalse(is_admin_by_team(settings(), teams={("dandi", "workshop")}, orgs={"dandi"}))

    def test_admin_org(self):
        self.assertTrue(is_admin_by_team(settings(adminTeams=[["dandi", None]]), orgs={"dandi"}))


if __name__ == "__main__":
    unittest.main()

import unittest
from html.parser import HTMLParser

from dandihub_hub import archives as A
from dandihub_hub.access import GITHUB_SOURCE, decide

from .fixtures import settings

# JupyterHub 5.5's error.html renders ``<p>{{ message_html | safe }}</p>``: what goes inside a <p>
# must be phrasing content (HTML's content model), so no <p>, lists, headings or divs.
PHRASING = {"a", "abbr", "b", "br", "code", "em", "i", "kbd", "small", "span", "strong", "time"}


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def tags_of(html):
    parser = Tags()
    parser.feed(html)
    return parser.tags


def every_refusal_page():
    s = settings()
    results = {
        "not approved": [A.Result("dandi", A.NOT_APPROVED), A.Result("ember", A.NOT_APPROVED)],
        "outage": [A.Result("dandi", A.ERROR, "HTTP 502")],
        "github down": [A.Result(GITHUB_SOURCE, A.ERROR, "organization lookup failed")],
    }
    pages = {k: decide(s, "newcomer", [], archive_results=r) for k, r in results.items()}
    pages["no archives"] = decide(settings(archives=[]), "eve", [])
    for status in ("PENDING", "INCOMPLETE", "REJECTED"):
        pages[status] = decide(settings(oauthArchive="dandi"), "carol", [], oauth_status=status)
    return pages


class Decide(unittest.TestCase):
    def test_a_member_gets_in(self):
        d = decide(settings(), "bob", ["dandi"])
        self.assertTrue(d.allowed)
        self.assertIn("groups ['dandi']", d.log)

    def test_a_member_gets_in_even_if_another_archive_is_down_and_it_is_logged(self):
        d = decide(settings(), "bob", ["bican"], archive_results=[A.Result("dandi", A.ERROR, "HTTP 503")])
        self.assertTrue(d.allowed)
        self.assertIn("not confirmed by dandi (HTTP 503)", d.log)

    def test_an_admin_in_no_group_gets_in(self):
        self.assertTrue(decide(settings(), "root", [], is_admin=True).allowed)

    def test_not_approved_gets_a_page_with_where_to_register(self):
        d = decide(settings(), "newcomer", [], archive_results=[A.Result("dandi", A.NOT_APPROVED), A.Result("ember", A.NOT_APPROVED)])
        self.assertFalse(d.allowed)
        self.assertEqual(d.status, 403)
        self.assertIn("not (yet) an approved user", d.html)
        self.assertIn('<a href="https://dandi.test">DANDI Archive</a>', d.html)
        self.assertEqual(tags_of(d.html).count("a"), 2)
        self.assertIn('<a href="https://ember.test">EMBER</a>', d.html)
        self.assertIn("help@example.org", d.html)

    def test_outage_refuses_with_503_and_says_try_again(self):
        d = decide(settings(), "newcomer", [], archive_results=[A.Result("dandi", A.ERROR, "unreachable: timeout"), A.Result("ember", A.NOT_APPROVED)])
        self.assertFalse(d.allowed)
        self.assertEqual(d.status, 503)
        self.assertIn("try again", d.message)
        self.assertIn("Nobody is let in unconfirmed", d.html)
        self.assertIn("dandi: error (unreachable: timeout)", d.log)

    def test_unconfirmed_search_is_treated_like_an_outage(self):
        d = decide(settings(), "al", [], archive_results=[A.Result("dandi", A.UNCONFIRMED, "10 matches")])
        self.assertEqual((d.allowed, d.status), (False, 503))

    def test_archive_oauth_status(self):
        s = settings(oauthArchive="dandi")
        for status, words in [("PENDING", "is waiting for approval"), ("INCOMPLETE", "has not finished registering"), ("REJECTED", "was not approved")]:
            d = decide(s, "carol", [], oauth_status=status)
            self.assertEqual((d.allowed, d.status), (False, 403))
            self.assertIn(words, d.html)
            self.assertIn('href="https://dandi.test"', d.html)

    def test_no_archives_configured(self):
        d = decide(settings(archives=[]), "eve", [])
        self.assertEqual(d.status, 403)
        self.assertIn("not a member of any group", d.html)

    def test_pages_fit_inside_the_paragraph_jupyterhub_wraps_them_in(self):
        for kind, d in every_refusal_page().items():
            self.assertFalse(d.allowed)
            self.assertTrue(d.html, kind)
            self.assertLessEqual(set(tags_of(d.html)), PHRASING, f"{kind}: {d.html}")

    def test_github_lookup_failure_is_an_outage_page(self):
        d = decide(settings(), "newcomer", [], archive_results=[A.Result(GITHUB_SOURCE, A.ERROR, "organization lookup failed (HTTPClientError)")])
        self.assertEqual((d.allowed, d.status), (False, 503))
        self.assertIn("GitHub did not answer", d.html)

    def test_usernames_are_escaped(self):
        d = decide(settings(archives=[]), "<script>x</script>", [])
        self.assertNotIn("<script>", d.html)
        self.assertIn("&lt;script&gt;", d.html)


if __name__ == "__main__":
    unittest.main()

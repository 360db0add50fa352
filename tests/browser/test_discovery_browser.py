"""The ranked list and the influencer page in Debian's Chromium (Playwright, headless).

Playwright's sync API refuses to run inside an asyncio loop, so the browser session runs
in a plain thread; the live server serves the pages from another one.
"""

import datetime as dt
import os
import threading
from pathlib import Path

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's Chromium is not installed"),
]


def run_in_thread(function):
    outcome = {}

    def target():
        try:
            function()
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=300)
    if "error" in outcome:
        raise outcome["error"]
    assert not thread.is_alive(), "the browser session did not finish"


@pytest.fixture
def catalogue(transactional_db):
    from influencers import demo_data
    from scoring.models import ScoringProfile
    from scoring.services import ranking_build, scoring_profiles_install_presets
    from tests.factories import BrandFactory, UserFactory

    today = timezone.localdate()
    demo_data.seed(accounts=400, seed=7, as_of=today - dt.timedelta(days=3))
    scoring_profiles_install_presets()
    ranking_build(profile=ScoringProfile.objects.default(), today=today)
    user = UserFactory(username="marketer")
    brand = BrandFactory(name="Trailhead Outfitters", target_categories=["outdoor"])
    brand.members.add(user)
    return user, brand


def test_a_marketer_filters_searches_pages_opens_edits_and_exports(live_server, catalogue):
    from playwright.sync_api import expect, sync_playwright

    user, brand = catalogue
    SCREENSHOTS.mkdir(exist_ok=True)
    base = live_server.url
    seen = {}

    def session():
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True
            )
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))

            # log in
            page.goto(f"{base}/accounts/login/?next=/influencers/%3Fpage_size%3D10")
            page.fill("input[name=username]", user.username)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit], input[type=submit]")
            expect(page.get_by_test_id("ranked-table")).to_be_visible()

            # filter by platform and tier (htmx swaps the results, the URL follows)
            page.select_option("#id_platform", "instagram")
            page.wait_for_url("**platform=instagram**")
            expect(page.locator(".ranked-table .platform-badge").first).to_have_text("Instagram")
            badges = page.locator(".ranked-table .platform-badge").all_inner_texts()
            assert set(badges) == {"Instagram"}
            page.select_option("#id_tier", "micro")
            page.wait_for_url("**tier=micro**")
            expect(page.locator(".ranked-table tbody tr").first).to_be_visible()
            tiers = page.locator(".ranked-table tbody tr td:nth-child(4) div").all_inner_texts()
            assert {tier.lower() for tier in tiers} == {"micro"}, tiers

            # search
            page.fill("#id_q", "fitness")
            page.wait_for_url("**q=fitness**")
            expect(page.locator(".ranked-table tbody tr").first).to_contain_text("fitness")

            # sort by followers
            page.select_option("#id_sort", "followers")
            page.wait_for_url("**sort=followers**")
            page.wait_for_load_state("networkidle")
            titles = page.locator(".ranked-table tbody tr td:nth-child(4) span").all()
            followers = [int(t.get_attribute("title").replace(",", "")) for t in titles]
            assert followers == sorted(followers, reverse=True)
            seen["first_page"] = page.url

            # three pages deep, by the Next button
            page.select_option("#id_tier", "")
            page.wait_for_url(lambda url: "tier=micro" not in url)
            page.fill("#id_q", "")
            page.wait_for_url(lambda url: "q=fitness" not in url)
            page.wait_for_load_state("networkidle")
            ranks_seen = []
            for number in (2, 3, 4):
                ranks_seen += page.locator(".ranked-table tbody tr").evaluate_all(
                    "rows => rows.map(r => r.dataset.rank)"
                )
                page.get_by_test_id("next-page").click()
                page.wait_for_url("**after=**")
                expect(page.get_by_test_id("page-label")).to_have_text(f"Page {number}")
            assert len(ranks_seen) == len(set(ranks_seen)) == 30
            assert "after=" in page.url and "platform=instagram" in page.url
            page.screenshot(path=str(SCREENSHOTS / "influencer-list.png"), full_page=True)

            # export the current results
            with page.expect_download() as download_info:
                page.get_by_test_id("export-csv").click()
            exported = Path(download_info.value.path()).read_text()
            seen["csv_header"] = exported.splitlines()[0]
            seen["csv_rows"] = len(exported.splitlines()) - 1

            # open an influencer: the charts are drawn with data
            page.locator(".ranked-table tbody tr a").first.click()
            page.wait_for_url("**/influencers/*/")
            expect(page.get_by_test_id("components-chart")).to_be_visible()
            page.wait_for_function(
                "() => window.Chart && Chart.getChart(document.getElementById('components-chart'))"
            )
            points = page.evaluate(
                "() => ['components-chart', 'followers-chart'].map(id => "
                "Chart.getChart(document.getElementById(id)).data.datasets[0].data.length)"
            )
            assert all(count > 0 for count in points), points
            painted = page.evaluate(
                "() => { const c = document.getElementById('components-chart');"
                " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                " for (let i = 3; i < d.length; i += 4) { if (d[i]) return true; } return false; }"
            )
            assert painted

            # change the relationship stage for the brand
            page.select_option("#id_brand", str(brand.pk))
            page.wait_for_url(f"**brand={brand.pk}**")
            page.select_option("#id_stage", "active")
            page.select_option("#id_event_kind", "contacted")
            page.get_by_role("button", name="Save relationship").click()
            expect(page.locator(".alert-success")).to_contain_text("Active")
            seen["detail_url"] = page.url
            page.wait_for_function(
                "() => window.Chart && Chart.getChart(document.getElementById('followers-chart'))"
            )
            page.wait_for_timeout(1500)  # Chart.js animates the bars in
            page.screenshot(path=str(SCREENSHOTS / "influencer-detail.png"), full_page=True)

            # the dashboard: its chart and the lazily loaded imports and movers
            page.goto(f"{base}/")
            expect(page.get_by_test_id("movers")).to_be_visible()
            page.wait_for_function(
                "() => window.Chart && Chart.getChart(document.getElementById('tier-chart'))"
            )
            page.wait_for_timeout(1500)
            page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
            assert errors == []
            browser.close()

    run_in_thread(session)

    from campaigns.models import Relationship

    relationship = Relationship.objects.get(brand=brand)
    assert relationship.stage == "active"
    assert relationship.events.get().kind == "contacted"
    assert seen["csv_header"].startswith("rank,name,handle,platform")
    assert seen["csv_rows"] > 30

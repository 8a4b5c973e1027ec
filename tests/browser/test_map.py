"""A click on the map filters the page: the clicked area lands in the URL's ``omr`` and in the
filters line, and the KPI cards follow. The click goes to the screen position of a known area,
projected the way deck.gl projects (Web Mercator, 512 px world at zoom 0) from the view the
server sent with the map."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest
from shapely.geometry import Polygon

from veu_metrics.boundaries import load_boundaries
from veu_metrics.catalogue import get_measure
from veu_metrics.filters import Filters

pytestmark = pytest.mark.browser

PARTICIPATIONS = get_measure("participations").title("da")


def _world_px(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """deck.gl's Web Mercator world position in pixels (y grows northwards)."""
    scale = 512 * 2**zoom / (2 * math.pi)
    x = math.radians(lon) + math.pi
    y = math.pi + math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return x * scale, y * scale


def screen_position(lon: float, lat: float, view: dict, box: dict) -> tuple[float, float]:
    """Where (lon, lat) is drawn in a deck canvas at ``box`` (pitch 0, bearing 0)."""
    x, y = _world_px(lon, lat, view["zoom"])
    x0, y0 = _world_px(view["longitude"], view["latitude"], view["zoom"])
    return box["x"] + box["width"] / 2 + (x - x0), box["y"] + box["height"] / 2 - (y - y0)


def inside_point(boundaries: Path, scheme: str, area_code: str) -> tuple[float, float]:
    """A point well inside the area's largest polygon, as the app draws it."""
    shapes = load_boundaries(boundaries).shapes(scheme)
    parts = [Polygon(p["polygon"][0], p["polygon"][1:]) for p in shapes.parts
             if p["area_code"] == area_code]
    point = max(parts, key=lambda polygon: polygon.area).representative_point()
    return point.x, point.y


def test_clicking_an_area_on_the_map_filters_the_page(app, app_boundaries: Path) -> None:
    app.open("", {"inddeling": "RAR"})
    national = app.kpis()[PARTICIPATIONS]
    deck = app.page.locator('[data-testid="stDeckGlJsonChart"]').first
    deck.scroll_into_view_if_needed()
    canvas = deck.locator("canvas").first
    box = canvas.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 200, f"no map drawn: {box}"

    assert len(app.deck_views) == 1, f"expected one map on Overblik: {app.deck_views}"
    x, y = screen_position(*inside_point(app_boundaries, "rar", "fyn"), app.deck_views[0], box)
    # Hovering names the area under the pointer: proof that the click will hit RAR Fyn.
    app.page.mouse.move(x, y)
    tooltip = deck.locator(".deck-tooltip")
    tooltip.filter(has_text="RAR Fyn").wait_for(state="visible")

    app.rerun_after(lambda: app.page.mouse.click(x, y))

    assert app.query().get("omr") == ["RAR Fyn"]
    assert app.query().get("inddeling") == ["RAR"]
    chosen = Filters(period_from=date(2025, 11, 1), period_to=date(2026, 10, 1), scheme="rar",
                     areas=("fyn",))
    assert chosen.describe("da") in app.captions()
    area_picker = app.page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    assert "RAR Fyn" in area_picker.inner_text()
    assert app.kpis()[PARTICIPATIONS] != national
    app.assert_healthy()

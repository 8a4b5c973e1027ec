"""The page registry: every page declared once, as data, and what the app derives from it.

A page has one name, used for its file (``app_pages/<name>.py``), its view module
(``ui/<name>_view.py``, where the page has one) and its title's text key (``page.<name>``). Its
url path is Danish and separate: links in minutes and e-mails use it, so it never changes. Its
link keys are the URL keys its own widgets own (the filter panel's keys are the filters').
``PAGE_KEYS`` — the keys the filter panel's link check leaves to the pages — is derived here.

No Streamlit here: ``app.py`` turns the registry into ``st.Page`` objects.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    url_path: str
    """Danish, part of the app's interface (bookmarks): never change one."""
    icon: str
    """An emoji: a ``:material/…:`` icon would load a font from the internet."""
    link_keys: tuple[str, ...] = ()
    """URL keys the page's own widgets own (bound with ``bind="query-params"``)."""

    @property
    def file(self) -> str:
        return f"app_pages/{self.name}.py"

    @property
    def title_key(self) -> str:
        return f"page.{self.name}"

    @property
    def view_module(self) -> str:
        return f"ui/{self.name}_view.py"


# The pickers shared by pages (ui.components): the measure picker's key is the page's choice.
MEASURE_KEY = "maal"
GRAIN_KEY = "visning"
BREAKDOWN_KEY = "opdel"

PAGES: tuple[Page, ...] = (  # in the navigation's order; the first is the default page
    Page("overview", "overblik", "📊", (MEASURE_KEY, GRAIN_KEY, BREAKDOWN_KEY)),
    Page("area", "omraade", "🗺️", ("aar", "omraade", MEASURE_KEY)),
    Page("jobcentre", "jobcentre", "🏛️", ("kommune", GRAIN_KEY)),
    Page("shortage", "mangelomraader", "🔧", ("halvaar", "kunmangel", "hmgruppe", "stillingkort")),
    Page("course", "kurser", "📚", ("soeg", "gruppe")),
    Page("outcome", "effekter", "🎯", ("effekt", GRAIN_KEY)),
    Page("data", "data", "⬇️", ("fane",)),
)
UPLOAD_PAGE = Page("upload", "indlaes", "⬆️")
"""Only in the navigation where a deployment enables uploads (``VEU_UPLOADS``)."""

APP_KEYS = ("sprog", "moede")
"""The shell's own link keys, on every page: the language and meeting mode."""
LEGACY_KEYS = ("dl",)
"""Link keys no widget uses any more; a link that still holds one opens without a complaint."""

PAGE_KEYS: frozenset[str] = frozenset(
    APP_KEYS + LEGACY_KEYS + tuple(key for page in (*PAGES, UPLOAD_PAGE) for key in page.link_keys))
"""Every URL key that is not a filter: the filter panel's link check skips these."""


def all_pages(uploads: bool) -> tuple[Page, ...]:
    """The pages in the navigation: the upload page only where uploads are on."""
    return PAGES + ((UPLOAD_PAGE,) if uploads else ())

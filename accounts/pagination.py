"""One way to cut a long list into pages, shared by every HR list (people, enrolments, matching, exits).

A page costs two queries whatever the list's length: a COUNT and the page's rows (LIMIT/OFFSET on an
ordered, indexed queryset). A page number that is not a number, or past the end, never fails: the
nearest page is shown with a sentence saying so (``page.notice``). Links keep the other parameters of
the request (search, filters), so paging through a search stays in it.
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _

PER_PAGE = 50


def _url(request: HttpRequest, param: str, number: int, anchor: str) -> str:
    query = request.GET.copy()
    query[param] = str(number)
    return f"?{query.urlencode()}{anchor}"


def paginate(request: HttpRequest, rows, *, per_page: int = PER_PAGE, param: str = "page",
             anchor: str = "") -> Page:
    """The page of ``rows`` the request asks for (``?<param>=n``), with links and a notice.

    Adds to the page: ``notice`` (why another page than the one asked for is shown, or ""), ``param``
    and ``first_url``/``previous_url``/``next_url``/``last_url`` ("" where there is none).
    ``anchor`` (e.g. "#proposals") is appended to the links so the browser lands on the list.
    """
    paginator = Paginator(rows, per_page)
    raw = request.GET.get(param, "")
    notice = ""
    try:
        page = paginator.page(raw or 1)
    except PageNotAnInteger:
        page = paginator.page(1)
        notice = _("“%(page)s” is not a page number: showing the first page.") % {"page": raw[:20]}
    except EmptyPage:
        if int(raw) < 1:
            page = paginator.page(1)
            notice = _("There is no page %(page)s: showing the first page.") % {"page": raw[:20]}
        else:
            page = paginator.page(paginator.num_pages)
            notice = _("There is no page %(page)s: showing the last page (%(last)s).") % {
                "page": raw[:20], "last": paginator.num_pages}
    page.notice = notice
    page.param = param
    last = paginator.num_pages
    page.first_url = _url(request, param, 1, anchor) if page.number > 1 else ""
    page.previous_url = _url(request, param, page.number - 1, anchor) if page.has_previous() else ""
    page.next_url = _url(request, param, page.number + 1, anchor) if page.has_next() else ""
    page.last_url = _url(request, param, last, anchor) if page.number < last else ""
    return page

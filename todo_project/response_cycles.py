"""The rendered API answer let go of its view, so its memory is freed when it is sent.

DRF keeps the view on its response (``renderer_context["view"]``) and the response on its
view (``view.response``): a reference cycle, which Python's reference counting cannot free.
A list's page of 100 answers (about 300 lists and dicts) then waited, with the rest of the
request, for the cycle collector; a request outlives several of its young-generation runs,
so the page was promoted to the oldest generation, which grew until a full collection (66 ms
of one worker, measured in-process) and kept each worker's memory some 10 MB higher.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ResponseCycleMiddleware:
    """Innermost: once the view's response is rendered, breaks its cycle with the view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        context = getattr(response, "renderer_context", None)
        if context and getattr(response, "is_rendered", False):
            view = context.get("view")
            if getattr(view, "response", None) is response:
                del view.response
            response.renderer_context = None  # rendered: DRF reads it only to render
        return response

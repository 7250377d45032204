"""The one method dispatcher of the fake APIs.

A fake API builds its ``route`` once with :func:`dispatcher`, then makes the view of each path
from the handlers of its methods: ``events_view = route(GET=list_events, POST=insert_event)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.http import HttpRequest, HttpResponse

from .faults import ErrorBody, sandbox_endpoint

Handler = Callable[..., HttpResponse]
Answer = Callable[[Exception], HttpResponse]


def dispatcher(
    provider: str,
    error_body: ErrorBody,
    not_allowed: Callable[[], HttpResponse],
    errors: Mapping[type[Exception], Answer],
) -> Callable[..., Callable[..., HttpResponse]]:
    """The ``route(**handlers)`` of one fake API of ``provider``.

    The view ``route`` makes logs the call and applies faults (see ``faults.sandbox_endpoint``,
    with ``error_body``), answers ``not_allowed()`` to a method it has no handler for, calls the
    handler with the request and the path's arguments, and answers an exception of a class in
    ``errors`` with that class's answer (the first class that matches, in order).
    """
    caught = tuple(errors)

    def route(**handlers: Handler) -> Callable[..., HttpResponse]:
        @sandbox_endpoint(provider, error_body)
        def view(request: HttpRequest, **kwargs) -> HttpResponse:
            handler = handlers.get(request.method)
            if handler is None:
                return not_allowed()
            try:
                return handler(request, **kwargs)
            except caught as error:
                answer = next(errors[kind] for kind in errors if isinstance(error, kind))
                return answer(error)

        return view

    return route

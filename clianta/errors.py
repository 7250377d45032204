"""The base of the errors that carry their own API answer. The API's exception handler
(clianta/api/errors.py) turns one raised under a view into the one error format; apps extend it
(the integrations' error tree does) without the handler knowing them."""


class ApiError(Exception):
    """An error and its answer: ``message`` fit to show a person, ``code`` for machines and
    ``status_code``. ``extra`` adds keys to the body; ``retry_after`` (seconds), when set, becomes
    the Retry-After header."""

    status_code = 500
    code = "error"
    extra: dict = {}
    retry_after: float | None = None

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

"""Domain errors raised by services and turned into form errors or flashes by routes."""
from markupsafe import Markup


class ServiceError(Exception):
    """A rule was broken; `message` is Chinese text for the user, `field` the form field."""

    def __init__(self, message: str, field: str | None = None):
        # A lazy_gettext message becomes text now, in the language of the request that raised it
        # (Chinese outside a request): it can be flashed into the session and compared as text.
        # Markup (i18n.marked: a message naming data marked lang="zh") stays Markup.
        message = message if isinstance(message, Markup) else str(message)
        super().__init__(message)
        self.message = message
        self.field = field


class StaleError(ServiceError):
    """Someone else saved the object after this user loaded it."""

    default_message = "该记录已被他人修改，请刷新页面后重新编辑。"

    def __init__(self, message=default_message):
        super().__init__(message)


class ValidationFailed(ServiceError):
    """Several field errors at once: `errors` holds (column or field, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("；".join(f"{col}：{msg}" for col, msg in errors))
        self.errors = errors

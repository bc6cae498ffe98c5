"""Errors the core raises. Each names what is wrong in words a hall's staff can act on.

`kind` tells the transport which family the error is (HTTP maps it onto a status) without the
core knowing anything about HTTP. Every error speaks Chinese first to the people in the hall:
`message_zh` is the Chinese a screen shows, `message` the English beside it (and the protocol's
`message`). A raise site that knows more says it with `zh=`, or writes both as "中文 / English"
in the message, whose head is then the Chinese; otherwise the class's words stand.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the hall was broken."""

    kind = "invalid"
    code = "invalid"
    zh = ""  # none: the transport says it by status

    def __init__(self, message: str | None = None, *, zh: str | None = None, **details: object) -> None:
        if zh is None and message and " / " in message and _has_hanzi(head := message.split(" / ", 1)[0]):
            zh = head  # the message stays whole: clients that show only `message` still read both
        super().__init__(message or (self.__doc__ or self.code).strip())
        self.details = details
        self.message_zh = zh or type(self).zh

    @property
    def message(self) -> str:
        return str(self)


def _has_hanzi(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class NotFound(DomainError):
    """That thing does not exist."""

    kind = "not_found"
    code = "not_found"
    zh = "未找到"


class IllegalTransition(DomainError):
    """The ticket's current status does not allow that action."""

    kind = "conflict"
    code = "illegal_transition"
    zh = "该号码当前状态不允许此操作"


class WindowStateError(DomainError):
    """The window's current state does not allow that action."""

    kind = "conflict"
    code = "window_state"
    zh = "窗口当前状态不允许此操作"


class WindowUnstaffed(WindowStateError):
    """Nobody is signed in at that window, so nobody there would call the ticket."""

    code = "window_unstaffed"


class Forbidden(DomainError):
    """You may not do that."""

    kind = "forbidden"
    code = "forbidden"
    zh = "无权进行此操作"


class NotThisWindow(Forbidden):
    """That window does not serve this ticket's queue or this item."""

    code = "not_this_window"


class NotIssuing(DomainError):
    """The hall is not issuing tickets for that queue now."""

    kind = "conflict"
    code = "not_issuing"
    zh = "该队列当前不取号"


class Invalid(DomainError):
    """The request is not valid."""

    kind = "invalid"
    code = "invalid"
    zh = "填写内容有误"

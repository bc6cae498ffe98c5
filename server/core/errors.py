"""Errors the core raises. Each names what is wrong in words a hall's staff can act on.

`kind` tells the transport which family the error is (HTTP maps it onto a status) without the
core knowing anything about HTTP. Every error speaks Chinese first to the people in the hall:
`message_zh` is the Chinese a screen shows, `message` the English beside it (and the protocol's
`message`). A raise site that knows more says it with `zh=`, or writes both as "中文 / English"
in the message, whose head is then the Chinese; otherwise the class's words stand.

This is the one hierarchy of the core: every rule of every module (tickets, windows, cases, ID
numbers, working days) raises a subclass of `DomainError`, so a caller never needs a broad
`except` to find out what went wrong. A class whose docstring has `{named fields}` is raised with
those details as keywords (`MissingReason(what="denial")`), and `where=` names the input at fault
("note", "applicant.phone"), written before the message as "note: ...".
"""

from __future__ import annotations

from typing import Self


class DomainError(Exception):
    """A rule of the hall was broken."""

    kind = "invalid"
    code = "invalid"
    zh = ""  # none: the transport says it by status

    def __init__(
        self, message: str | None = None, *, zh: str | None = None, where: str = "", **details: object
    ) -> None:
        if zh is None and message and " / " in message and _has_hanzi(head := message.split(" / ", 1)[0]):
            zh = head  # the message stays whole: clients that show only `message` still read both
        if not message:
            message = _template(self).format(**details) if details else _template(self)
        super().__init__(f"{where}: {message}" if where else message)
        self.details = details
        self.where = where
        self.message_zh = zh or type(self).zh

    @property
    def message(self) -> str:
        return str(self)

    def at(self, where: str, *, zh: str | None = None) -> Self:
        """The same error said of the input `where` (and in the words `zh`), for a rule checked by a
        function that does not know what its argument is called by the caller."""
        self.args = (f"{where}: {self}",)
        self.where = where
        if zh:
            self.message_zh = zh
        return self


def _template(error: DomainError) -> str:
    return (type(error).__doc__ or error.code).strip()


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

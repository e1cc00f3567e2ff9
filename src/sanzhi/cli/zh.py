"""Chinese for what the command-line library prints by itself: usage errors and help headings.

Why: sanzhi's own messages are Chinese, but a mistyped command or a missing option is answered
by typer ("Missing option '--rubric'", "Usage:", "Options"). typer 0.29 vendors its own click
(`typer._click`) whose messages are plain f-strings, not gettext strings, so no catalog can
reach them. Instead, at the few points where they reach the user we translate the finished
text: the error panel's message and usage line, the usage prefix of help pages, the --help
option's help, and the panel titles typer keeps as module constants. Help texts are also made
to wrap rather than end in "…" (Chinese has no spaces to wrap at). A message we have no
pattern for is shown as typer wrote it. tests/test_cli.py asserts the Chinese output of the
common mistakes for the pinned typer version, so an upgrade that changes a message shows up
there, not in front of a township assessor.
"""

import re
from collections.abc import Callable
from typing import Any

from rich.text import Text
from typer import rich_utils
from typer._click import core as click_core
from typer._click import formatting

# Finished messages, matched whole; the first pattern that matches wins.
_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.DOTALL), r) for p, r in (
    (r"Missing option (.+)\.", r"缺少选项 \1"),
    (r"Missing argument (.+)\.", r"缺少参数 \1"),
    (r"Missing parameter: (.+)", r"缺少参数：\1"),
    (r"Missing command\.", "缺少子命令"),
    (r"No such option: (\S+) \(Possible options: (.+)\)", r"没有选项 \1（是否想写 \2？）"),
    (r"No such option: (\S+)", r"没有选项 \1"),
    (r"No such command (.+?)\.? Did you mean (.+)\?", r"没有命令 \1（是否想输入 \2？）"),
    (r"No such command (.+?)\.?", r"没有命令 \1"),
    (r"Got unexpected extra argument\(s\) \((.+)\)", r"多余的参数：\1"),
    (r"Option (.+) requires an argument\.", r"选项 \1 需要一个值"),
    (r"Option (.+) requires (\d+) arguments\.", r"选项 \1 需要 \2 个值"),
    (r"Option (.+) does not take a value\.", r"选项 \1 不接受值"),
    (r"Invalid value for (.+?): (.*)", r"\1 的取值无效：\2"),
    (r"Invalid value: (.*)", r"取值无效：\1"),
))
# What comes after "取值无效：" (typer's value parsing words its reasons like pydantic).
_REASONS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = tuple((re.compile(p, re.DOTALL), r) for p, r in (
    (r"Input should be a valid integer.*", "应为整数"),
    (r"Input should be a valid (number|decimal).*", "应为数值"),
    (r"Input should be (less|greater) than or equal to (\S+)", lambda m: f"应{'不大于' if m[1] == 'less' else '不小于'} {m[2]}"),
    (r"(.+) is not one of (.+?)\.?", r"\1 不是 \2 之一"),
    (r"(.+) does not match the formats? (.+?)\.?", r"\1 不符合格式 \2"),
    (r"(?:Path|File|Directory) (.+) does not exist\.?", r"\1 不存在"),
))


def translate(message: str) -> str:
    for pattern, replacement in _MESSAGES:
        m = pattern.fullmatch(message)
        if m:
            text = m.expand(replacement)
            head, sep, reason = text.partition("的取值无效：")
            if sep:
                reason = reason.removeprefix("Value error, ")
                for rp, rr in _REASONS:
                    rm = rp.fullmatch(reason)
                    if rm:
                        reason = rr(rm) if callable(rr) else rm.expand(rr)
                        break
                text = head + sep + reason
            return text
    return message


_original_format_error = rich_utils.rich_format_error


def _format_error(exc: Any) -> None:
    original = exc.format_message
    exc.format_message = lambda: translate(original())
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        get_usage = ctx.get_usage
        ctx.get_usage = lambda: get_usage().replace("Usage: ", "用法：", 1)
    _original_format_error(exc)


_original_write_usage = formatting.HelpFormatter.write_usage


def _write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
    _original_write_usage(self, prog, args, "用法：" if prefix is None else prefix)


_original_help_option = click_core.Command.get_help_option


def _help_option(self: Any, ctx: Any) -> Any:
    option = _original_help_option(self, ctx)
    if option is not None and option.help == "Show this message and exit.":
        option.help = "显示帮助并退出。"
    return option


_original_make_rich_text = rich_utils._make_rich_text


def _make_rich_text(*, text: str, style: str = "", markup_mode: Any) -> Any:
    # Help texts sit in table cells whose overflow is "ellipsis": a run of Chinese has no
    # spaces to wrap at, so rich cut it with "…" at the cell's edge. Folding wraps it instead.
    rendered = _original_make_rich_text(text=text, style=style, markup_mode=markup_mode)
    if isinstance(rendered, Text):
        rendered.overflow = "fold"
    return rendered


_RICH_CONSTANTS = {
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "ABORTED_TEXT": "已中止。",
    "DEFAULT_STRING": "[默认：{}]",
    "REQUIRED_LONG_STRING": "[必填]",
    "ENVVAR_STRING": "[环境变量：{}]",
    "DEPRECATED_STRING": "（已弃用）",
    "RICH_HELP": "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
}


def install() -> None:
    """Idempotent and process-wide; only the `sanzhi` CLI calls it. (typer looks
    `rich_utils.rich_format_error` up on the module at each error, so rebinding it works.)"""
    setattr(rich_utils, "rich_format_error", _format_error)  # noqa: B010 - replacing a library function on purpose
    formatting.HelpFormatter.write_usage = _write_usage  # type: ignore[method-assign]
    click_core.Command.get_help_option = _help_option  # type: ignore[method-assign]
    setattr(rich_utils, "_make_rich_text", _make_rich_text)  # noqa: B010 - looked up on the module at each call
    for constant, text in _RICH_CONSTANTS.items():
        setattr(rich_utils, constant, text)

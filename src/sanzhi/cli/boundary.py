"""The single place where exceptions become exit codes (pre-commit's error_handler).

User mistakes print located Chinese diagnostics (exit 2); the machine's trouble — a full
disk, a read-only folder, a busy database (`sanzhi.common.environment`) — says what and where
(exit 4); a bug prints one line and writes the traceback, versions and platform to a log
file, so the user never sees a stack trace.
"""

import contextlib
import platform
import sys
import traceback
from collections.abc import Iterator

import typer

from sanzhi import __version__
from sanzhi.common.diagnostics import render_user_error
from sanzhi.common.environment import EnvironmentProblem, environment_diagnostic
from sanzhi.common.errorlog import log_path
from sanzhi.common.errors import ExitCode, UserError


@contextlib.contextmanager
def error_boundary(fmt: str = "human") -> Iterator[None]:
    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise  # typer renders usage errors (typer.BadParameter, …) itself, with exit code 2
    except EnvironmentProblem as e:
        typer.echo(render_user_error(e, fmt), err=True)
        raise typer.Exit(ExitCode.ENVIRONMENT) from None
    except UserError as e:
        typer.echo(render_user_error(e, fmt), err=True)
        raise typer.Exit(ExitCode.INVALID_INPUT) from None
    except KeyboardInterrupt:
        typer.echo("已中断。", err=True)
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    except Exception as e:  # noqa: BLE001 - the boundary exists to catch what nobody expected
        machine = environment_diagnostic(e)
        if machine is not None:  # a full disk, a read-only folder: the machine's, not a bug
            typer.echo(render_user_error(EnvironmentProblem([machine]), fmt), err=True)
            raise typer.Exit(ExitCode.ENVIRONMENT) from None
        path = log_path()
        with path.open("a", encoding="utf-8") as log:
            log.write(f"sanzhi {__version__} · Python {sys.version.split()[0]} · {platform.platform()}\n")
            log.write(f"argv: {sys.argv}\n{traceback.format_exc()}\n")
        typer.echo(f"内部错误：这是 sanzhi 的缺陷，不是您的输入问题。详细信息已写入 {path}，请连同该文件反馈。", err=True)
        raise typer.Exit(ExitCode.INTERNAL) from None

"""The `modelspec` command line: a lazy click group and the one top-level error handler.

Each command lives in its own module under cli/ and is imported only when it
runs, so `modelspec --version` and `modelspec validate` stay fast.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from modelspec import __version__
from modelspec.errors import ModelspecError

__all__ = ["main"]

# command name -> module under modelspec.cli that defines `command`
COMMANDS: dict[str, str] = {
    "init": "init",
    "validate": "validate",
    "plan": "plan",
    "apply": "apply",
    "show": "show",
    "state": "state",
    "force-unlock": "force_unlock",
    "audit": "audit",
    "fmt": "fmt",
    "schema": "schema",
    "graph": "graph",
    "example-data": "example_data",
    "approve": "approve",
    "diff": "diff",
    "report": "report",
    "data": "data",
    "monitor": "monitor",
    "run-step": "run_step",
    "serve": "serve",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _module_exists(COMMANDS[name]))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMANDS.get(cmd_name)
        if module_name is None or not _module_exists(module_name):
            return None
        module = importlib.import_module(f"modelspec.cli.{module_name}")
        command: click.Command = module.command
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; an operation's ModelspecError becomes the one-line error, exit 1.

        Here rather than only in main(), so click's own runner (CliRunner in tests) sees
        the same output a user does.
        """
        try:
            return super().invoke(ctx)
        except ModelspecError as exc:
            raise UserError(str(exc)) from None


def _module_exists(module_name: str) -> bool:
    here = os.path.dirname(__file__)
    return os.path.exists(os.path.join(here, f"{module_name}.py"))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="modelspec")
@click.option(
    "-C",
    "chdir",
    type=click.Path(file_okay=False, exists=True),
    help="Run as if modelspec was started in this directory.",
)
@click.option("--no-color", is_flag=True, help="Never colour the output.")
@click.option("--debug", is_flag=True, help="Show a traceback for unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, chdir: str | None, no_color: bool, debug: bool) -> None:
    """modelspec: validate, plan and apply ML model specs kept in git."""
    if chdir:
        os.chdir(chdir)
    from modelspec.clock import pinned_today_problem

    problem = pinned_today_problem()
    if problem:
        raise UserError(problem)
    ctx.ensure_object(dict)
    ctx.obj["color"] = False if no_color or os.environ.get("NO_COLOR") else None
    ctx.obj["debug"] = debug


class UserError(click.ClickException):
    """A known error that is the user's to fix: printed as one line, exit 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        from modelspec.diagnostics.render import inert_lines, visible  # messages quote specs

        click.echo(f"Error: {inert_lines(visible(self.format_message()))}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the CLI with one error handler for everything it raises."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        rc = cli.main(args=args, prog_name="modelspec", standalone_mode=False)
    except click.exceptions.Exit as exc:
        rc = exc.exit_code
    except click.UsageError as exc:  # exit 1, not click's 2: 2 means "changes" to plan callers
        exc.show()
        rc = 1
    except click.ClickException as exc:
        exc.show()
        rc = exc.exit_code
    except ModelspecError as exc:  # raised by an operation: the user's to fix
        click.echo(f"Error: {exc}", err=True)
        rc = 1
    except click.Abort:
        click.echo("Aborted.", err=True)
        rc = 130
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        rc = 130
    except BrokenPipeError:
        rc = 1
    except Exception as exc:  # an unexpected error is a bug: say so, keep the traceback opt-in
        if debug:
            raise
        click.echo(
            f"Internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in modelspec. Rerun with --debug for the traceback and report it.",
            err=True,
        )
        rc = 3
    sys.exit(rc if isinstance(rc, int) else 0)

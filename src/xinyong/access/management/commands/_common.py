"""Helpers shared by the access commands."""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


def cli_actor() -> str:
    """Who acted, for the journal, when a command runs from a shell."""
    return f"cli:{getpass.getuser()}"


def command_error(exc: ValidationError) -> CommandError:
    return CommandError("; ".join(exc.messages))

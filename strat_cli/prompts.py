"""The one seam for prompts: every question strat asks goes through a `Prompts` object.

The interview only knows the `Prompts` protocol, so tests drive it with a scripted fake or
with prompt_toolkit pipe input, and the terminal version lives here alone. Questions use
questionary's `unsafe_ask()` so that Ctrl-C reaches the interview as `KeyboardInterrupt` (after
every earlier answer was saved) and closed input as `EOFError`.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from .errors import InputError
from .safetext import for_screen  # record text in a question or a line said: never raw controls

# (value, label): what the code gets back, and what the chair sees.
Choice = tuple[str, str]
Validator = Callable[[str], str | None]  # returns an error message, or None when fine

MULTILINE_HINT = "Enter on an empty line finishes · /edit opens your editor"


class Prompts(Protocol):
    """What the interview may ask. Every method raises KeyboardInterrupt on Ctrl-C."""

    toolbar: str

    def text(
        self, message: str, *, default: str = "", hint: str = "", validate: Validator | None = None
    ) -> str: ...

    def multiline(self, message: str, *, default: str = "", hint: str = "") -> str: ...

    def select(
        self, message: str, choices: Sequence[Choice], *, default: str | None = None
    ) -> str: ...

    def checkbox(
        self, message: str, choices: Sequence[Choice], *, checked: Sequence[str] = ()
    ) -> list[str]: ...

    def confirm(self, message: str, *, default: bool = True) -> bool: ...

    def say(self, text: str = "") -> None: ...


def edit_in_editor(
    text: str,
    env: dict[str, str] | None = None,
    *,
    suffix: str = ".txt",
    folder: Path | None = None,
    prefix: str = "strat-",
) -> str:
    """Open the user's $VISUAL/$EDITOR on `text`; return what they saved.

    The editing copy holds record text: it is made 0600 in `folder` (the store's private
    `tmp`, never the shared temp folder when a folder is given) and removed on every way out,
    including Ctrl-C and the terminal closing (SIGHUP, SIGTERM become KeyboardInterrupt while
    the editor is open). An editor that cannot be started is an InputError naming it, so
    nothing typed is lost silently and the user learns to set VISUAL or EDITOR."""
    env = dict(os.environ) if env is None else env
    editor = env.get("VISUAL") or env.get("EDITOR") or ("notepad" if os.name == "nt" else "nano")
    try:
        if folder is not None:
            from .files import private_folder

            private_folder(folder)
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)  # 0600
    except OSError as exc:
        raise InputError(
            f"{folder or tempfile.gettempdir()}: cannot make the editing copy there "
            f"({exc.strerror}); nothing was changed"
        ) from None
    try:
        with _hangup_interrupts():
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            # Windows paths hold backslashes that POSIX-style splitting would eat
            command = shlex.split(editor, posix=os.name != "nt")
            try:
                subprocess.run([*command, name], check=False)
            except OSError as exc:
                raise InputError(
                    f"cannot start the editor {editor!r} ({exc.strerror or exc}): "
                    "set VISUAL or EDITOR to your editor's command"
                ) from None
            with open(name, encoding="utf-8") as handle:
                return handle.read().rstrip("\n")
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


@contextlib.contextmanager
def _hangup_interrupts() -> Iterator[None]:
    """While record text sits in an editing copy, a closed terminal (SIGHUP) or a polite kill
    (SIGTERM) unwinds like Ctrl-C, so `finally` blocks remove the copy. Only the main thread
    may set handlers; Windows has no SIGHUP."""
    import signal
    import threading

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    wanted = [getattr(signal, n) for n in ("SIGHUP", "SIGTERM") if hasattr(signal, n)]
    if threading.current_thread() is not threading.main_thread():
        wanted = []
    old = {sig: signal.signal(sig, interrupt) for sig in wanted}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


class TerminalPrompts:
    """questionary in a real terminal (or in a prompt_toolkit app session in tests)."""

    def __init__(self, toolbar: str = "", out: Any = None) -> None:
        import questionary  # imported once per process: ~80 ms, never per prompt

        self._q = questionary
        self.toolbar = toolbar
        self.out = out if out is not None else sys.stdout
        self._bindings = self._multiline_bindings()

    @staticmethod
    def _multiline_bindings() -> Any:
        """Enter on an empty line, or on a /command, finishes a multi-line answer."""
        from prompt_toolkit.filters import Condition
        from prompt_toolkit.key_binding import KeyBindings

        kb = KeyBindings()

        @Condition
        def finished() -> bool:
            from prompt_toolkit.application import get_app

            text = get_app().current_buffer.text
            last = text.rsplit("\n", 1)[-1].strip()
            return text.strip() == "" or text.endswith("\n") or last.startswith("/")

        @kb.add("enter", filter=finished)
        def _accept(event: Any) -> None:
            buf = event.current_buffer
            buf.text = buf.text.rstrip("\n")
            buf.validate_and_handle()

        return kb

    def _bottom(self) -> Any:
        return self.toolbar or None

    def text(
        self, message: str, *, default: str = "", hint: str = "", validate: Validator | None = None
    ) -> str:
        def check(value: str) -> bool | str:
            after = value[len(default) :] if default and value.startswith(default) else value
            if validate is None or not value.strip() or after.strip().startswith("/"):
                # empty answers and /commands (also typed after the offered text) are for the
                # interview to judge
                return True
            problem = validate(value)
            return True if problem is None else problem

        answer = self._q.text(
            for_screen(message),
            default=default,
            instruction=for_screen(hint) or None,
            validate=check,
            bottom_toolbar=self._bottom(),
        ).unsafe_ask()
        return str(answer)

    def multiline(self, message: str, *, default: str = "", hint: str = "") -> str:
        answer = self._q.text(
            for_screen(message),
            default=default,
            multiline=True,
            # the newline starts the typing on a line of its own, the terminal's full width:
            # after a long label the text would otherwise wrap in a narrow column
            instruction=f"({hint or MULTILINE_HINT})\n",
            key_bindings=self._bindings,
            bottom_toolbar=self._bottom(),
        ).unsafe_ask()
        return str(answer)

    def select(self, message: str, choices: Sequence[Choice], *, default: str | None = None) -> str:
        q = self._q
        items = [q.Choice(title=for_screen(label), value=value) for value, label in choices]
        start = next((c for c in items if c.value == default), None)
        answer = q.select(
            for_screen(message),
            choices=items,
            default=start,
            use_shortcuts=len(items) <= 36,
            use_jk_keys=False,
        ).unsafe_ask()
        return str(answer)

    def checkbox(
        self, message: str, choices: Sequence[Choice], *, checked: Sequence[str] = ()
    ) -> list[str]:
        q = self._q
        items = [
            q.Choice(title=for_screen(label), value=value, checked=value in checked)
            for value, label in choices
        ]
        answer = q.checkbox(
            for_screen(message), choices=items, instruction="(Space to tick, Enter to confirm)"
        ).unsafe_ask()
        return [str(a) for a in answer]

    def confirm(self, message: str, *, default: bool = True) -> bool:
        return bool(self._q.confirm(for_screen(message), default=default).unsafe_ask())

    def password(self, message: str) -> str:
        """Typed without being shown (the SMTP password); never saved anywhere."""
        return str(self._q.password(message).unsafe_ask())

    def say(self, text: str = "") -> None:
        self.out.write(for_screen(text) + "\n")
        self.out.flush()

"""When the engine compiles the models' functions: a command's request, the environment's word, gcc's presence."""

from sizno.experiments import engine


def _fresh(monkeypatch, env: str | None, gcc: bool) -> None:
    if env is None:
        monkeypatch.delenv(engine.COMPILE_ENV, raising=False)
    else:
        monkeypatch.setenv(engine.COMPILE_ENV, env)
    monkeypatch.setattr(engine, "_c_compiler_found", lambda: gcc)


def test_long_runs_compile_where_gcc_is_found(monkeypatch):
    _fresh(monkeypatch, None, gcc=True)
    assert not engine.compiling()  # nothing asked for it
    engine.compile_long_runs()
    assert engine.compiling()


def test_no_gcc_no_compile(monkeypatch):
    _fresh(monkeypatch, None, gcc=False)
    engine.compile_long_runs()
    assert not engine.compiling()


def test_the_environment_overrides_a_command(monkeypatch):
    _fresh(monkeypatch, "0", gcc=True)
    engine.compile_long_runs()
    assert not engine.compiling()
    _fresh(monkeypatch, "1", gcc=False)  # asked for explicitly: PyBaMM falls back by itself if it cannot compile
    assert engine.compiling()

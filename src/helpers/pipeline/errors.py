"""The runner's one error for a run that cannot start as asked (a module of its own, so that every
other module of the package can raise it without importing another)."""


class PipelineError(Exception):
    """The pipeline cannot run as asked (bad declaration, unknown parameter, missing input)."""

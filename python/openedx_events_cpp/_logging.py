"""
The C++ library's log lines (spdlog logger "openedx_events") go to Python's logging, logger
``openedx_events_cpp``, until the interpreter exits (then to stderr, as without Python).
"""
import atexit
import logging

from . import _core

logger = logging.getLogger("openedx_events_cpp")


def _log(levelno, message):
    logger.log(levelno, message)


def attach_logging():
    _core.set_log_handler(_log)


@atexit.register
def _detach_logging():
    # Registered first, so it runs after the producers' atexit flush (atexit runs in reverse order).
    _core.set_log_handler(None)

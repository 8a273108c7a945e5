"""server/logs.py: request ids and the batched access log."""

from __future__ import annotations

import io
import logging

from server.logs import BatchingStreamHandler, new_request_id


def test_request_ids_are_unique_and_32_hex_characters():
    ids = {new_request_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("rizeos.access", logging.INFO, __file__, 1, message, None, None)


def test_access_lines_are_written_in_one_batch_when_enough_are_waiting():
    stream = io.StringIO()
    handler = BatchingStreamHandler(stream, max_lines=3, max_delay_s=3600)
    handler.emit(record("one"))
    handler.emit(record("two"))
    assert stream.getvalue() == ""
    handler.emit(record("three"))
    assert stream.getvalue() == "one\ntwo\nthree\n"


def test_waiting_access_lines_are_written_by_flush():
    stream = io.StringIO()
    handler = BatchingStreamHandler(stream, max_lines=100, max_delay_s=3600)
    handler.emit(record("one"))
    handler.flush()
    assert stream.getvalue() == "one\n"


def test_a_line_that_has_waited_long_enough_is_written_with_the_next():
    stream = io.StringIO()
    handler = BatchingStreamHandler(stream, max_lines=100, max_delay_s=0)
    handler.emit(record("one"))
    assert stream.getvalue() == "one\n"


def test_the_formatter_stamps_like_logging_does():
    """The access log's fast path prints the time as the standard formatter would."""
    from server.logs import LOG_FORMAT, _Formatter

    line = record("x")
    assert _Formatter(LOG_FORMAT).formatTime(line) == logging.Formatter(LOG_FORMAT).formatTime(line)

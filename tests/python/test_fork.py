"""A producer created before os.fork() (gunicorn --preload, Celery prefork) delivers from the child,
and the parent's pending events are not sent twice.

The parent sends N events (with the async writer, some are still queued when it forks: the broker is
held back meanwhile), forks, then sends P more while the child sends M and exits (its producer
flushed at exit). The stream or topic then holds exactly the N + P + M events, each once."""
import atexit
import contextlib
import os
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
import uuid
import warnings

import pytest
import redis as redis_client
from confluent_kafka import Consumer, TopicPartition
from django.test import override_settings
from openedx_events.learning.data import UserData, UserPersonalData
from openedx_events.learning.signals import SESSION_LOGIN_COMPLETED

import buses
from kafka_fixtures import kafka_env, kafka_settings  # noqa: F401 (fixtures)
from openedx_events_cpp import embedded, kafka, redis

N, P, M = 300, 100, 100
PREFIX = "pytests"  # EVENT_BUS_TOPIC_PREFIX of django_settings


def logins(count, who):
    """`count` login events with fresh ids."""
    return [(SESSION_LOGIN_COMPLETED,
             {"user": UserData(id=i, is_active=True, pii=UserPersonalData(username=f"{who}{i}", email="e", name="n"))},
             SESSION_LOGIN_COMPLETED.generate_signal_metadata())
            for i in range(count)]


def ids_of(cases):
    return [str(metadata.id) for _, _, metadata in cases]


def fork(child):
    """os.fork(); the child runs child(), then the interpreter's exit handlers (atexit: our producers
    are flushed there), and leaves with os._exit (not through pytest). Returns the child's pid."""
    with warnings.catch_warnings():
        # Python 3.12 warns that fork() in a process with threads may deadlock the child: the
        # producer's threads are the situation under test, and the child never touches them.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:
        status = 1
        try:
            child()
            atexit._run_exitfuncs()  # pylint: disable=protected-access
            status = 0
        except BaseException:  # pylint: disable=broad-except
            traceback.print_exc()
        finally:
            os._exit(status)  # pylint: disable=protected-access
    return pid


def wait_child(pid, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail(f"the child did not exit within {timeout} s")
        time.sleep(0.05)


def produce_across_fork(producer, topic, hold_back=None, queued_at_fork=False):
    """The scenario; returns the ids of every event sent (parent's and child's). `hold_back`, a
    context manager, keeps the broker from taking events while the parent sends its first N."""
    before, after, child = logins(N, "parent"), logins(P, "later"), logins(M, "child")
    if hold_back is None:
        buses.send_all(producer, topic, before)
        pid = fork(lambda: buses.send_all(producer, topic, child))
    else:
        with hold_back:
            buses.send_all(producer, topic, before)
            sent, delivered, _ = producer.delivery_counts()
            pid = fork(lambda: buses.send_all(producer, topic, child))
        if queued_at_fork:
            assert (sent, delivered < N) == (N, True)
    buses.send_all(producer, topic, after)  # while the child sends
    assert wait_child(pid) == 0
    producer.flush()
    assert producer.delivery_counts() == (N + P, N + P, 0)
    return ids_of(before) + ids_of(after) + ids_of(child)


class RedisPaused:
    """Redis serves no write command meanwhile (CLIENT PAUSE WRITE): the async writer's batches wait."""

    def __init__(self, url):
        self.client = redis_client.Redis.from_url(url)

    def __enter__(self):
        self.client.client_pause(30000, all=False)

    def __exit__(self, *exc):
        self.client.client_unpause()


class SqliteWriteLocked:
    """Another process holds the database's write lock for a second: the async writer's transactions
    wait (the producer's busy timeout is 5 s), and so does the fork (store.cpp's ForkGate: no SQLite
    operation in flight at a fork). Another process, not a connection of this one: SQLite keeps a
    process's locks in process-wide tables, which a forked child inherits (a connection of the parent
    holding the lock at the fork would lock the child out for good)."""

    SCRIPT = ("import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
              "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(1); c.execute('ROLLBACK')")

    def __init__(self, path):
        self.path = path
        self.holder = None

    def __enter__(self):
        self.holder = subprocess.Popen([sys.executable, "-c", self.SCRIPT, self.path], stdout=subprocess.PIPE,
                                       text=True)
        assert self.holder.stdout.readline() == "locked\n"

    def __exit__(self, *exc):
        self.holder.communicate(timeout=30)
        assert self.holder.returncode == 0


@pytest.mark.parametrize("asynchronous", [False, True])
def test_redis(redis_url, asynchronous):
    topic = f"fork-{uuid.uuid4().hex[:12]}"
    with override_settings(EVENT_BUS_REDIS_CONNECTION_URL=redis_url, EVENT_BUS_PRODUCER_ASYNC=asynchronous):
        producer = redis.create_producer()
    sent = produce_across_fork(producer, topic, RedisPaused(redis_url) if asynchronous else None,
                               queued_at_fork=asynchronous)
    entries = redis_client.Redis.from_url(redis_url).xrange(f"{PREFIX}-{topic}")
    assert sorted(fields[b"id"].decode() for _, fields in entries) == sorted(sent)


@pytest.mark.parametrize("asynchronous", [False, True])
def test_embedded(tmp_path, asynchronous):
    path = str(tmp_path / "bus.sqlite3")
    with override_settings(EVENT_BUS_EMBEDDED_PATH=path, EVENT_BUS_PRODUCER_ASYNC=asynchronous):
        producer = embedded.create_producer()
    sent = produce_across_fork(producer, "fork", SqliteWriteLocked(path) if asynchronous else None,
                               queued_at_fork=asynchronous)
    with sqlite3.connect(path) as connection:
        stored = [row[0] for row in connection.execute("SELECT message_id FROM entries")]
    assert sorted(stored) == sorted(sent)


def test_kafka(kafka_env, kafka_settings):  # noqa: F811 (fixtures)
    """librdkafka queues what it was given and delivers it from its own threads (which the child
    does not have): events are pending at the fork."""
    prefix = f"py{uuid.uuid4().hex[:10]}"
    with kafka_settings(prefix):
        producer = kafka.create_producer()
        sent = produce_across_fork(producer, "fork", contextlib.nullcontext(), queued_at_fork=True)
    consumer = Consumer({"bootstrap.servers": kafka_env["KAFKA_BOOTSTRAP"], "group.id": f"raw-{uuid.uuid4().hex}",
                         "enable.auto.commit": False})
    try:
        partition = TopicPartition(f"{prefix}-fork", 0)
        assert consumer.get_watermark_offsets(partition, timeout=30) == (0, len(sent))
        stored = []
        consumer.assign([TopicPartition(f"{prefix}-fork", 0, 0)])
        while len(stored) < len(sent):
            message = consumer.poll(10)
            assert message is not None and message.error() is None, message and message.error()
            stored.append(dict(message.headers())["ce_id"].decode())
    finally:
        consumer.close()
    assert sorted(stored) == sorted(sent)


def test_embedded_fork_while_the_writer_writes(tmp_path):
    """Forks while the async writer is mid-transaction: SQLite's process-wide lock state and mutexes
    are inherited as they were at the fork, so a child forked mid-transaction could never write the
    database, or deadlocked opening it (src/bus/embedded/store.cpp's ForkGate makes the fork wait
    for the transaction; without it about half of these children hang)."""
    path = str(tmp_path / "bus.sqlite3")
    # No trimming: every event must stay to be counted.
    with override_settings(EVENT_BUS_EMBEDDED_PATH=path, EVENT_BUS_PRODUCER_ASYNC=True, EVENT_BUS_REDIS_STREAM_MAX_LEN=10**7):
        producer = embedded.create_producer()
    pumped, children, stop = [], [], threading.Event()

    def pump():  # another thread keeps the writer busy
        while not stop.is_set():
            cases = logins(20, "pump")
            buses.send_all(producer, "fork", cases)
            pumped.extend(ids_of(cases))

    def child(cases):
        buses.send_all(producer, "fork", cases)
        producer.flush()
        assert producer.delivery_counts() == (1, 1, 0)

    pumping = threading.Thread(target=pump)
    pumping.start()
    try:
        for _ in range(10):
            time.sleep(0.01)
            cases = logins(1, "child")
            children.extend(ids_of(cases))
            assert wait_child(fork(lambda cases=cases: child(cases)), timeout=15) == 0
    finally:
        stop.set()
        pumping.join()
    producer.flush()
    with sqlite3.connect(path) as connection:
        stored = [row[0] for row in connection.execute("SELECT message_id FROM entries")]
    assert sorted(stored) == sorted(pumped + children)

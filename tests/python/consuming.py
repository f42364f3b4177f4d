"""Running a consumer until it has re-emitted a number of events."""
import threading


class Recorder:
    """Receivers on the given signals recording (signal, data, metadata, from_event_bus); calls
    `stop` once `count` events came."""

    def __init__(self, signals, count, stop):
        self.count = count
        self.stop = stop
        self.received = []
        self.done = threading.Event()
        self.signals = {s.event_type: s for s in signals}
        for signal in self.signals.values():
            signal.connect(self.receiver, weak=False)

    def receiver(self, signal, sender, **kwargs):  # pylint: disable=unused-argument
        data = {key: kwargs[key] for key in signal.init_data}
        self.received.append((signal, data, kwargs["metadata"], kwargs["from_event_bus"]))
        if len(self.received) >= self.count:
            self.done.set()
            self.stop()

    def close(self):
        for signal in self.signals.values():
            signal.disconnect(self.receiver)


def run_consumer(consumer, signals, count, stop, timeout=30):
    """Run consumer.consume_indefinitely() until `count` events were received (or `timeout`)."""
    recorder = Recorder(signals, count, stop)
    watchdog = threading.Timer(timeout, stop)
    watchdog.start()
    try:
        consumer.consume_indefinitely()
    finally:
        watchdog.cancel()
        recorder.close()
    return recorder.received

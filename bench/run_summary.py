"""How the compare_*_with_reference.py harnesses turn one produce→consume run into figures, and
pick the run they show."""


def summarize(produced: dict, consumed: dict) -> dict:
    """From the producer's {"count", "seconds"} and the consumer's result line (bus_bench.cpp's
    contract): produce rate, end-to-end rate (COUNT / (last receive − first send)), p50/p99 in ms."""
    seconds = (consumed["last_received_us"] - consumed["first_sent_us"]) / 1e6
    return {
        "count": consumed["count"],
        "produce_per_s": produced["count"] / produced["seconds"],
        "end_to_end_per_s": consumed["count"] / seconds,
        "p50_ms": consumed["latency_us"]["p50"] / 1000,
        "p99_ms": consumed["latency_us"]["p99"] / 1000,
    }


def median_run(runs):
    """The median run by end-to-end throughput."""
    by_rate = sorted(runs, key=lambda r: r["end_to_end_per_s"])
    return by_rate[len(by_rate) // 2]

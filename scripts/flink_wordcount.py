"""The windowed word count in Apache Flink (PyFlink's Table API; the work runs in the JVM).

    python flink_wordcount.py EVENTS.csv PARALLELISM [--check]

Reads `ts_ms,word` lines from a CSV file with a watermark 1 s behind the largest timestamp
(Rill's `bounded(1s)`), counts words per 1-s tumbling window of event time (Flink SQL's TUMBLE
window table function), and discards the results (blackhole sink). Prints `seconds S`: the wall
time from submitting the job until it finished (the JVM and the Python environment are started
before). With `--check`, instead runs the same query in batch mode collecting the number of
(window, word) rows and the sum of their counts, and prints `rows R sum S`.
"""

import sys
import time

from pyflink.table import EnvironmentSettings, TableEnvironment


def main():
    path, parallelism = sys.argv[1], int(sys.argv[2])
    check = "--check" in sys.argv[3:]
    # The check runs in batch mode: a streaming global aggregate would send every one of its
    # updates to Python (millions of rows at 10M events); the input has no record later than
    # the watermark, so both modes count the same rows.
    settings = EnvironmentSettings.in_batch_mode() if check else EnvironmentSettings.in_streaming_mode()
    env = TableEnvironment.create(settings)
    env.get_config().set("parallelism.default", str(parallelism))
    env.execute_sql(
        f"""
        CREATE TABLE events (
            ts_ms BIGINT,
            word STRING,
            ts AS TO_TIMESTAMP_LTZ(ts_ms, 3),
            WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
        ) WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'csv')
        """
    )
    counts = """
        SELECT window_end, word, COUNT(*) AS cnt
        FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND))
        GROUP BY window_start, window_end, word
    """
    if check:
        with env.execute_sql(
            f"SELECT COUNT(*), SUM(cnt) FROM ({counts})"
        ).collect() as results:
            rows = list(results)
        final = rows[-1]
        print(f"rows {final[0]} sum {final[1]}")
        return
    env.execute_sql(
        """
        CREATE TABLE discard (window_end TIMESTAMP_LTZ(3), word STRING, cnt BIGINT)
        WITH ('connector' = 'blackhole')
        """
    )
    started = time.monotonic()
    env.execute_sql(f"INSERT INTO discard {counts}").wait()
    print(f"seconds {time.monotonic() - started:.3f}")


if __name__ == "__main__":
    main()
